"""Warming a server's master before it forks its workers.

With ``preload_app`` gunicorn's master imports Django and the WSGI application, but not
what a worker only loads on its first requests: the URLconf and through it every view
and the libraries they import (pyHanko, ReportLab, lxml, cryptography's x509, the QR
code…, about 600 modules), the `holidays` calendar of the year (another 280), the
Jinja2 templates, the translation catalogs, the acuse's fonts and PDF signer. Measured
on an idle 2-core machine that was 2.5 s for a worker's first request and 0.7 s for its
first filing; on a loaded machine a cold worker passed gunicorn's 30 s timeout, was
killed, and its replacement started cold again. :func:`calentar` loads all of it once
in the master (gunicorn.conf.py's ``when_ready``, before ``gc.freeze()``), so every
worker is born warm and shares those pages with the master.

Nothing here opens a database connection: the master's would be inherited by every
worker. A step that fails (a deployment without a sealing key yet, say) is logged and
skipped; a worker then loads that piece on first use, as it did before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

logger = logging.getLogger(__name__)


def _urls() -> None:
    from django.urls import get_resolver

    from buzon import context_processors, middleware

    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018  (populating it imports every URLconf and view)
    # The per-process caches of reversed URLs and body limits the views and pages use.
    context_processors.rutas_fijas()
    middleware.limites_por_ruta()


def _caches_de_vistas() -> None:
    from atencion import cola
    from promociones import api, tablero

    api.documento_openapi()
    tablero._prefijo_detalle()
    cola._prefijo_detalle()


def _plantillas() -> None:
    from django.template import engines
    from django.template.backends.jinja2 import Jinja2

    for motor in engines.all():
        if isinstance(motor, Jinja2):
            for nombre in motor.env.list_templates(extensions=("html", "txt")):
                motor.env.get_template(nombre)


def _traducciones() -> None:
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Enviar")


def _dias_inhabiles() -> None:
    from buzon.lib.dias_habiles import inhabiles_oficiales
    from calendario.services import fecha_en_mexico

    anio = fecha_en_mexico(datetime.now(UTC)).year
    # This year's terms end in the next one from October on.
    for cada in (anio, anio + 1):
        inhabiles_oficiales(cada)


def _acuse_pdf() -> None:
    """One acuse rendered, signed and verified in memory (never stored): fonts, styles,
    the QR code, the sealing key, pyHanko's signer and its validation, all loaded."""
    from acuses import pdf, sello
    from acuses.models import nuevo_codigo_verificacion
    from acuses.services import sellar_hechos
    from acuses.verificacion import verificar_pdf
    from buzon.lib import cadena

    material = sello.material()
    emitido = datetime.now(UTC)
    hechos = {
        "version": cadena.VERSION,
        "tipo": "recepcion",
        "codigo_verificacion": nuevo_codigo_verificacion(),
        "numero_certificado_sello": material.numero,
        "emitido": cadena.momento(emitido),
        "folio": "A-0000-000000",
        "rfc": "XAXX010101000",
        "nombre": "CALENTAMIENTO DEL SERVIDOR (NO ES UN ACUSE)",
        "servicio": "Aclaración",
        "asunto": "Emisiones",
        "recibida": cadena.momento(emitido),
        "computo_desde": cadena.fecha(emitido.date()),
        "respuesta_a_partir_del": cadena.fecha(emitido.date() + timedelta(days=14)),
        "descripcion_sha256": cadena.sha256_texto("Calentamiento."),
        "evidencias": [],
        "descripcion": "Calentamiento.",
    }
    acuse = sellar_hechos(hechos, material, emitido=emitido)
    if not verificar_pdf(pdf.pdf_de(acuse), consultar_registro=False).valido:
        raise RuntimeError("el acuse de calentamiento no se verificó")


def _efirma() -> None:
    from efirma.confianza import almacen_configurado

    almacen_configurado()  # the SAT certificates every e.firma login is checked against


PASOS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("urls", _urls),
    ("caches de vistas", _caches_de_vistas),
    ("plantillas", _plantillas),
    ("traducciones", _traducciones),
    ("días inhábiles", _dias_inhabiles),
    ("acuse PDF", _acuse_pdf),
    ("e.firma", _efirma),
)


def calentar() -> dict[str, float]:
    """Loads what workers would load on their first requests; seconds per step done.

    Idempotent: a second call finds everything loaded and takes milliseconds. A failed
    step is logged and left out of the result.
    """
    tiempos: dict[str, float] = {}
    for nombre, paso in PASOS:
        inicio = time.perf_counter()
        try:
            paso()
        except Exception:
            logger.warning(
                "No se pudo precargar «%s» antes de crear los workers", nombre, exc_info=True
            )
            continue
        tiempos[nombre] = time.perf_counter() - inicio
    logger.info(
        "Servidor precargado en %.2f s (%s)",
        sum(tiempos.values()),
        ", ".join(f"{n} {s:.2f} s" for n, s in tiempos.items()),
    )
    return tiempos
