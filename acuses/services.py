"""Issuing acuses: complete the facts with the seal's data, build the cadena original,
seal it, store it. Which facts a step attests is decided by the domain that calls
:func:`emitir` (``promociones.hechos``); this app never reads the request itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from acuses import sello
from acuses.models import Acuse, PdfPendiente, nuevo_codigo_verificacion
from buzon.lib import cadena as cadena_lib


def emitir(
    *,
    solicitud_id: int,
    hechos: dict[str, Any],
    momento: datetime,
    material: sello.Sellador | None = None,
) -> Acuse:
    """Seal and store an acuse for the request ``solicitud_id`` attesting ``hechos``.

    ``hechos`` holds the facts of its kind (``tipo`` among them); the version, the
    verification code, the sealing certificate's number and the issue moment are added
    here. Call it inside the transaction of the step it attests; ``material`` is the
    Sellador to seal with (``sello.material()`` when not given: a caller holding a lock
    fetches it before taking the lock). The PDF is not rendered here: the acuse joins
    the queue of ``manage.py generar_acuses`` in the same transaction, and a download
    that comes first renders it (``acuses.archivo``).
    """
    if hechos.get("tipo") not in cadena_lib.TIPOS:
        raise ValueError(f"tipo de acuse desconocido: {hechos.get('tipo')!r}")
    if material is None:
        material = sello.material()
    completos = {
        "version": cadena_lib.VERSION,
        **hechos,
        "codigo_verificacion": nuevo_codigo_verificacion(),
        "numero_certificado_sello": material.numero,
        "emitido": cadena_lib.momento(momento),
    }
    acuse = sellar_hechos(completos, material, emitido=momento, solicitud_id=solicitud_id)
    with transaction.atomic():
        acuse.save()
        PdfPendiente.objects.create(acuse=acuse, creado=timezone.now())
    return acuse


def sellar_hechos(
    hechos: dict[str, Any],
    material: sello.Sellador,
    *,
    emitido: datetime,
    solicitud_id: int | None = None,
) -> Acuse:
    """An unsaved Acuse for ``hechos`` (as reunir_hechos makes them, ``emitido`` being the
    moment they state): its cadena original and its sello by ``material``."""
    cadena = cadena_lib.construir(hechos)
    return Acuse(
        solicitud_id=solicitud_id,  # type: ignore[misc]  # None only for in-memory acuses
        tipo=hechos["tipo"],
        emitido=emitido,
        codigo_verificacion=hechos["codigo_verificacion"],
        hechos=hechos,
        cadena_original=cadena,
        sello=sello.sellar(cadena, material),
        numero_certificado_sello=material.numero,
    )
