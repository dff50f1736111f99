"""Staff sign-in attempts: audited like the e.firma ones, and limited the same way."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cuentas.models import IntentoAcceso

CANAL = "pers"  # IntentoAcceso.canal holds four characters: web, api, pers(onal)


def registrar(usuario: str, direccion: str | None, resultado: str) -> None:
    IntentoAcceso.objects.create(
        creado=timezone.now(),
        rfc=usuario,
        direccion=direccion or None,
        canal=CANAL,
        resultado=resultado,
        exitoso=resultado == "ok",
    )


def bloqueado(*, usuario: str, direccion: str | None) -> bool:
    """Whether the failures for ``usuario`` or from ``direccion`` reached the limit
    within the window (settings.ACCESO_MAX_FALLOS, ACCESO_VENTANA_SEGUNDOS)."""
    desde = timezone.now() - timedelta(seconds=settings.ACCESO_VENTANA_SEGUNDOS)
    quien = Q(rfc=usuario) if usuario else Q(pk__in=[])
    if direccion:
        quien |= Q(direccion=direccion)
    # Refused attempts do not count (as in cuentas.services.bloqueado): otherwise each
    # retry during the lock would push its end further away.
    fallos = IntentoAcceso.objects.filter(quien, creado__gte=desde, exitoso=False).exclude(
        resultado="demasiados_intentos"
    )
    return fallos.count() >= settings.ACCESO_MAX_FALLOS
