"""The staff queue's pages remembered while nothing they show has changed (decision 0016).

A page of the queue is the rows and counts of a person's areas: it changes only when a
request of one of those areas is filed, changed or deleted (the database raises the
area's version in the same transaction: migration 0014 of promociones), when the day
changes (overdue and near-due marks and counts), or when the catalog is read again (its
names; the people a supervisor can assign, read with it; every 60 s at most). The key
holds all of these, the person (her own counts: «Asignadas a mí») and her areas with her
role in each, so an entry answers only while every one of them is what it was. A
version is never reused, so a stale entry is never found again; it ages out.

What is remembered is the page's main part as HTML, without anything of the request
(the CSRF token and messages are drawn around it on every view), and the API's answer.
Per process, least recently used first out, at most settings.BUZON_COLA_PAGINAS (0 turns
it off).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

from buzon.lib.memoria import Memoria
from promociones.consultas import catalogo_asuntos

TABLA_VERSIONES = "promociones_versionarea"

# The page's main part (SafeString) and the API's answer (a dict), under keys of their own.
_paginas: Memoria[Any] = Memoria(lambda: settings.BUZON_COLA_PAGINAS)
T = TypeVar("T")


def olvidar() -> None:
    _paginas.olvidar()


def version_de_areas(area_ids: Sequence[int]) -> tuple[int, int]:
    """(rows, sum of versions) of the areas: each version only grows, and an area's row
    appears with its first request, so the pair changes with any change in any of them."""
    if not area_ids:
        return (0, 0)
    marcas = ", ".join(["%s"] * len(area_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(version), 0) FROM {TABLA_VERSIONES}"  # noqa: S608
            f" WHERE area_id IN ({marcas})",
            list(area_ids),
        )
        filas, suma = cursor.fetchone()
    return (int(filas), int(suma))


def pagina_de_cola(
    clave: tuple[Hashable, ...], area_ids: Sequence[int], generar: Callable[[], T]
) -> T:
    """The page part ``generar`` makes for ``clave`` (the person, her areas and roles,
    the filters, the day), from memory while her areas' versions and the catalog read are
    the ones it was made at.

    The version is read before generating: a change between that read and the page's
    queries is in the page but not in its key, so the next view misses and reads again;
    an entry is never older than its key says."""
    if settings.BUZON_COLA_PAGINAS <= 0:
        return generar()
    completa = (*clave, version_de_areas(area_ids), catalogo_asuntos().leido)
    return _paginas.recordar(completa, generar)  # type: ignore[no-any-return]
