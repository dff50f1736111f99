"""Which requests a staff member may see and act on: those of her areas.

A folio outside her areas raises the same Http404 as an unknown folio, with the same
message, so staff cannot probe other areas' folios.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from atencion.models import Adscripcion, Area
from promociones.acceso import NO_ENCONTRADA
from promociones.models import Solicitud


def es_personal(user: Any) -> bool:
    return bool(user.is_authenticated and Adscripcion.objects.filter(usuario_id=user.pk).exists())


def rol_en(user: Any, area: Area | int) -> str | None:
    """``analista``, ``supervisor`` or None when ``user`` has no role in ``area``."""
    if not user.is_authenticated:
        return None
    area_id = area.pk if isinstance(area, Area) else area
    return (
        Adscripcion.objects.filter(usuario_id=user.pk, area_id=area_id)
        .values_list("rol", flat=True)
        .first()
    )


def solicitud_de_personal(user: Any, folio: str) -> Solicitud:
    """The request ``folio`` if it is in one of ``user``'s areas; Http404 otherwise."""
    if not user.is_authenticated:
        raise Http404(NO_ENCONTRADA)
    try:
        return Solicitud.objects.select_related(
            "servicio", "asunto", "area", "contribuyente", "asignada_a"
        ).get(folio=folio, area__adscripciones__usuario_id=user.pk)
    except Solicitud.DoesNotExist:
        raise Http404(NO_ENCONTRADA) from None
