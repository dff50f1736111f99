"""The business-day calendar with the institution's extra non-working days from the database."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from buzon.lib import dias_habiles
from calendario.models import DiaInhabil

ZONA_MEXICO = ZoneInfo("America/Mexico_City")


class Plazo(NamedTuple):
    computo_desde: date
    respuesta_a_partir_del: date


def fecha_en_mexico(momento: datetime) -> date:
    """The calendar date in Mexico City of an aware moment (a filing at 23:30 there is
    already the next day in UTC)."""
    if momento.tzinfo is None:
        raise ValueError("Se requiere una fecha y hora con zona horaria.")
    return momento.astimezone(ZONA_MEXICO).date()


def dias_inhabiles_extra(desde: date, hasta: date) -> set[date]:
    return set(
        DiaInhabil.objects.filter(fecha__gte=desde, fecha__lte=hasta).values_list(
            "fecha", flat=True
        )
    )


def sumar_habiles(dia: date, dias: int) -> date:
    """``dia`` plus ``dias`` business days, counting the extra non-working days.

    Only the DiaInhabil rows of the window the answer can fall in are read; the window
    grows when declared days push the answer past it.
    """
    ventana = timedelta(days=dias * 2 + 31)
    while True:
        hasta = dia + ventana
        extras = dias_inhabiles_extra(dia, hasta)
        resultado = dias_habiles.sumar_habiles(dia, dias, extras)
        if resultado <= hasta:
            return resultado
        ventana *= 2


def siguiente_habil(dia: date) -> date:
    ventana = timedelta(days=31)
    while True:
        hasta = dia + ventana
        resultado = dias_habiles.siguiente_habil(dia, dias_inhabiles_extra(dia, hasta))
        if resultado <= hasta:
            return resultado
        ventana *= 2


def plazo_de_respuesta(
    recibida: datetime, dias: int, declarados: Collection[date] | None = None
) -> Plazo:
    """From when the term counts and the date an answer is due, for a request received
    at ``recibida``: filed on a non-business day it counts from the next business day.

    ``declarados``: every extra non-working day declared, when the caller already holds
    them (promociones.catalogo keeps them with the catalog's version); without it, the
    days of the window the answer can fall in are read."""
    dia = fecha_en_mexico(recibida)
    if declarados is not None:
        desde = dias_habiles.siguiente_habil(dia, declarados)
        return Plazo(desde, dias_habiles.sumar_habiles(desde, dias, declarados))
    desde = siguiente_habil(dia)
    return Plazo(desde, sumar_habiles(desde, dias))
