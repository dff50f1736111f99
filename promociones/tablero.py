"""The Tablero's rows rendered in Python: one format_html_join over value tuples.

Django's template engine costs roughly a millisecond per 50-row table of this shape
(every {{ }} resolves through context lookups and filters); the dashboard must answer at
a third of a bare view's rate, so the rows are built here, escaped by format_html_join,
and placed in the template as one already-safe string.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from calendario.services import ZONA_MEXICO
from promociones.models import Asunto, Estatus, Solicitud

COLUMNAS = (
    "Detalle",
    "Folio",
    "Servicio",
    "Asunto",
    "Fecha de recepción de la solicitud",
    "Respuesta a partir del",
    "Estatus",
    "Fecha de respuesta/Canalización",
)
CAMPOS = (
    "folio",
    "servicio__nombre",
    "asunto__nombre",
    "recibida",
    "respuesta_a_partir_del",
    "estatus",
    "fecha_respuesta_o_canalizacion",
)
_ESTATUS_TEXTO = dict(Estatus.choices)
_FILA = (
    '<tr><td><a href="{}">Detalle</a></td><td class="folio">{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)


def _fecha(valor: date | None) -> str:
    return valor.strftime("%d/%m/%Y") if valor else "—"


def _momento(valor: datetime) -> str:
    return valor.astimezone(ZONA_MEXICO).strftime("%d/%m/%Y %H:%M")


def filas_html(consulta: QuerySet[Solicitud]) -> SafeString:
    # reverse() once: every Detalle link differs only by the folio.
    prefijo = reverse("promociones:detalle", args=["FOLIO"]).removesuffix("FOLIO/")
    tuplas: Iterable[tuple[Any, ...]] = consulta.values_list(*CAMPOS)
    return format_html_join(
        "\n",
        _FILA,
        (
            (
                f"{prefijo}{folio}/",
                folio,
                servicio,
                asunto,
                _momento(recibida),
                _fecha(respuesta),
                _ESTATUS_TEXTO.get(estatus, estatus),
                _fecha(fecha_resp),
            )
            for folio, servicio, asunto, recibida, respuesta, estatus, fecha_resp in tuplas
        ),
    )


# The filter's asunto list changes only when an administrator edits the catalog; a short
# per-process cache keeps the dashboard from reading it on every request.
_CACHE_SEGUNDOS = 60.0
_cache_lock = threading.Lock()
_cache: tuple[float, list[tuple[str, str]]] | None = None


def asuntos_para_filtro() -> list[tuple[str, str]]:
    global _cache
    ahora = time.monotonic()
    with _cache_lock:
        if _cache is not None and ahora - _cache[0] < _CACHE_SEGUNDOS:
            return _cache[1]
    asuntos = list(Asunto.objects.order_by("orden", "nombre").values_list("clave", "nombre"))
    with _cache_lock:
        _cache = (ahora, asuntos)
    return asuntos


def olvidar_asuntos() -> None:
    global _cache
    with _cache_lock:
        _cache = None
