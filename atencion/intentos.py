"""Staff sign-in attempts: audited like the e.firma ones, and limited by the same
limiter (limites.services.reservar_acceso) under a namespace of their own, so a staff
username and a taxpayer's RFC never share a count even when they are the same text."""

from __future__ import annotations

from django.utils import timezone

from cuentas.models import IntentoAcceso
from limites.services import LimiteExcedido, liberar, reservar_acceso

CANAL = "pers"  # IntentoAcceso.canal holds four characters: web, api, pers(onal)
AMBITO = "acceso-personal"


def registrar(usuario: str, direccion: str | None, resultado: str) -> None:
    IntentoAcceso.objects.create(
        creado=timezone.now(),
        rfc=usuario,
        direccion=direccion or None,
        canal=CANAL,
        resultado=resultado,
        exitoso=resultado == "ok",
    )


def reservar(*, usuario: str, direccion: str | None) -> list[int]:
    """Counts this attempt as a failure, by address and by address and username, until
    :func:`liberar` takes it back on success. Raises limites.services.LimiteExcedido
    when either already reached its limit within the window."""
    return reservar_acceso(
        ambito=AMBITO, identidad=usuario, direccion=direccion, momento=timezone.now()
    )


__all__ = ["CANAL", "LimiteExcedido", "liberar", "registrar", "reservar"]
