"""Which requests a staff member may see, and what she may do with each: those of her
areas, by her role there (``promociones.pipeline`` says which role runs which action).

A folio outside her areas raises the same NoEncontrada as an unknown folio, with the
same message, so staff cannot probe other areas' folios; pages and the API answer it
alike. Nothing else in the staff side reads roles or memberships to decide access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from atencion.models import Adscripcion, Area
from buzon.errores import NoEncontrada
from promociones import pipeline
from promociones.models import Solicitud


@dataclass(frozen=True)
class AreaDe:
    """One of a staff member's areas, with her role there."""

    id: int
    clave: str
    nombre: str
    rol: str


# Where a request's user keeps her areas once read: every staff page asks for them at
# least twice (is she staff, which areas does the page cover), and a role given or taken
# away mid-request would change nothing the request already decided.
_AREAS = "_atencion_areas_con_rol"


def areas_con_rol(user: Any) -> list[AreaDe]:
    """The user's areas with her role in each, by name, in one query per request."""
    if not user.is_authenticated:
        return []
    leidas: list[AreaDe] | None = getattr(user, _AREAS, None)
    if leidas is None:
        filas = (
            Adscripcion.objects.filter(usuario_id=user.pk)
            .order_by("area__nombre")
            .values_list("area_id", "area__clave", "area__nombre", "rol")
        )
        leidas = [AreaDe(*f) for f in filas]
        setattr(user, _AREAS, leidas)
    return list(leidas)


def olvidar_areas(user: Any) -> None:
    """After changing her memberships in this request, read them again."""
    if hasattr(user, _AREAS):
        delattr(user, _AREAS)


def es_personal(user: Any) -> bool:
    return bool(areas_con_rol(user))


def areas_de(user: Any) -> QuerySet[Area]:
    """The areas ``user`` belongs to (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Area.objects.none()
    return Area.objects.filter(adscripciones__usuario_id=user.pk)


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


def rol_de(user: Any) -> pipeline.RolDe:
    """For the pipeline: ``user``'s role in the area of the request it has locked."""
    return lambda solicitud: rol_en(user, solicitud.area_id)


def solicitudes_visibles(user: Any) -> QuerySet[Solicitud]:
    """Every request ``user`` may see: those of her areas."""
    return Solicitud.objects.filter(area__in=areas_de(user).values("pk"))


def puede(user: Any, accion: str, solicitud: Solicitud) -> bool:
    """Whether ``user`` may run ``accion`` on ``solicitud`` as it is now."""
    return accion in pipeline.permitidas(solicitud.estatus, rol_en(user, solicitud.area_id))


def solicitud_de_personal(user: Any, folio: str) -> Solicitud:
    """The request ``folio`` if it is in one of ``user``'s areas; NoEncontrada otherwise."""
    try:
        return (
            solicitudes_visibles(user)
            .select_related("servicio", "asunto", "area", "contribuyente", "asignada_a")
            .get(folio=folio)
        )
    except Solicitud.DoesNotExist:
        raise NoEncontrada() from None
