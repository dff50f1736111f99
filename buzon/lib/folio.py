"""Folios: the service's initial, the Mexico City year and a sequence, e.g. A-2026-000123."""

from __future__ import annotations

import re
from typing import NamedTuple

DIGITOS_MINIMOS = 6
# [0-9], not \d: \d also matches other scripts' digits ("A-２０２６-000001"), which
# int() reads, so a folio nobody issued would look up an existing one.
_FOLIO = re.compile(r"([A-Z])-([0-9]{4})-([0-9]{6,9})")


class PartesFolio(NamedTuple):
    inicial: str
    anio: int
    numero: int


def formatear(inicial: str, anio: int, numero: int) -> str:
    if not re.fullmatch(r"[A-Z]", inicial):
        raise ValueError(f"Inicial de folio inválida: {inicial!r}")
    if not 1000 <= anio <= 9999:
        raise ValueError(f"Año de folio inválido: {anio}")
    if numero < 1:
        raise ValueError(f"Número de folio inválido: {numero}")
    return f"{inicial}-{anio}-{numero:0{DIGITOS_MINIMOS}d}"


def interpretar(folio: str) -> PartesFolio | None:
    """The parts of a well-formed folio (case-insensitive, surrounding spaces ignored)."""
    coincidencia = _FOLIO.fullmatch(folio.strip().upper())
    if coincidencia is None:
        return None
    inicial, anio, numero = coincidencia.groups()
    if int(numero) < 1:
        return None
    return PartesFolio(inicial, int(anio), int(numero))
