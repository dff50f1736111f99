"""Business-day arithmetic for response terms.

A business day is Monday to Friday, minus Mexico's statutory holidays (the
``holidays`` package's calendar, plus 5 May, which the Código Fiscal de la Federación
also lists as a non-working day) and minus any extra days the institution declares
(``calendario.DiaInhabil``, passed in as ``extras`` so this module needs no database).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays

# Saturday and Sunday, as date.weekday() numbers them.
FIN_DE_SEMANA = frozenset({5, 6})
# A guard against an impossible calendar (say, every day declared non-working): this
# many calendar days in a row without a business day ends the search.
_MAX_DIAS_BUSQUEDA = 3660
# About a century of business days: no term is longer, and the walk is day by day.
_MAX_DIAS_HABILES = 26_000


@lru_cache(maxsize=64)
def inhabiles_oficiales(anio: int) -> dict[date, str]:
    """Statutory non-working days of ``anio``, with their Spanish name."""
    dias: dict[date, str] = dict(holidays.country_holidays("MX", years=anio, language="es").items())
    dias.setdefault(date(anio, 5, 5), "Aniversario de la Batalla de Puebla")
    return dias


def es_habil(dia: date, extras: Collection[date] = ()) -> bool:
    return (
        dia.weekday() not in FIN_DE_SEMANA
        and dia not in inhabiles_oficiales(dia.year)
        and dia not in extras
    )


def siguiente_habil(dia: date, extras: Collection[date] = ()) -> date:
    """``dia`` itself if it is a business day, else the next one."""
    actual = dia
    for _ in range(_MAX_DIAS_BUSQUEDA):
        if es_habil(actual, extras):
            return actual
        actual += timedelta(days=1)
    raise ValueError(f"No hay días hábiles en los diez años siguientes a {dia:%d/%m/%Y}.")


def sumar_habiles(dia: date, dias_habiles: int, extras: Collection[date] = ()) -> date:
    """The ``dias_habiles``-th business day after ``dia`` (``dia`` itself is not counted)."""
    if dias_habiles < 0:
        raise ValueError("El número de días hábiles no puede ser negativo.")
    if dias_habiles > _MAX_DIAS_HABILES:
        raise ValueError("El número de días hábiles es demasiado grande.")
    actual = dia
    restantes = dias_habiles
    # The guard counts days since the last business day, not days in all: a long term
    # is not an impossible calendar.
    sin_habil = 0
    while restantes > 0:
        if sin_habil >= _MAX_DIAS_BUSQUEDA:
            raise ValueError(f"No hay suficientes días hábiles después de {dia:%d/%m/%Y}.")
        actual += timedelta(days=1)
        if es_habil(actual, extras):
            restantes -= 1
            sin_habil = 0
        else:
            sin_habil += 1
    return actual


def habiles_entre(desde: date, hasta: date, extras: Collection[date] = ()) -> int:
    """How many business days fall in (desde, hasta]: the inverse of sumar_habiles."""
    cuenta = 0
    actual = desde
    while actual < hasta:
        actual += timedelta(days=1)
        if es_habil(actual, extras):
            cuenta += 1
    return cuenta
