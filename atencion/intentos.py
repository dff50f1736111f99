"""Staff sign-in attempts: audited like the e.firma ones, and limited by the same
limiter (limites.services.reservar_acceso) under a namespace of their own, so a staff
username and a taxpayer's RFC never share a count even when they are the same text.

Both steps count against the same limit, a wrong password and a wrong code alike, and
each attempt of either step is one IntentoAcceso row. Its ``resultado`` says which:
``credenciales_invalidas``, ``contrasena_correcta`` (the second factor still to come),
``demasiados_intentos``, the code's outcome (atencion.segundo_factor.Resultado:
``ok``, ``ok_recuperacion``, ``codigo_invalido``, ``recuperacion_invalida``,
``codigo_repetido``, ``codigo_en_espera``), ``alta_confirmada`` (a first device
confirmed) and ``codigos_renovados`` (new recovery codes made, after a fresh code in an
open session). ``exitoso`` marks the rows that opened a session.
"""

from __future__ import annotations

from django.utils import timezone

from cuentas.models import IntentoAcceso
from limites.services import LimiteExcedido, liberar, reservar_acceso

CANAL = "pers"  # IntentoAcceso.canal holds four characters: web, api, pers(onal)
AMBITO = "acceso-personal"
# The outcomes that open a staff session.
EXITOSOS = frozenset({"ok", "ok_recuperacion", "alta_confirmada"})


def registrar(usuario: str, direccion: str | None, resultado: str) -> None:
    IntentoAcceso.objects.create(
        creado=timezone.now(),
        rfc=usuario,
        direccion=direccion or None,
        canal=CANAL,
        resultado=resultado,
        exitoso=resultado in EXITOSOS,
    )


def reservar(*, usuario: str, direccion: str | None) -> list[int]:
    """Counts this attempt as a failure, by address and by address and username, until
    :func:`liberar` takes it back on success. Raises limites.services.LimiteExcedido
    when either already reached its limit within the window."""
    return reservar_acceso(
        ambito=AMBITO, identidad=usuario, direccion=direccion, momento=timezone.now()
    )


__all__ = ["CANAL", "LimiteExcedido", "liberar", "registrar", "reservar"]
