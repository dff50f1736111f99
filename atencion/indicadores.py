"""The supervisor's figures for one or several areas: open requests by asunto and status,
overdue ones, the share answered on time and the median business days to answer (last
30 and 90 days), and filings and answers per ISO week (12 weeks).

The arithmetic is pure (``semanas``, ``mediana``, ``ventana``, ``por_semana``) and is
tested without a database; :func:`calcular` asks the database only for counts, grouped
so that no query returns more than a few thousand rows whatever the number of requests:

- open and overdue requests: the counts the database keeps for the queue (ConteoCola
  and ConteoVencimiento, kept by triggers; decision 0016), a few hundred rows;
- answered requests of the last 90 days: one GROUP BY (area, answer date,
  computo_desde), with the on-time ones counted in the same pass; the business days
  of each group are a subtraction on one walk of the calendar and weigh by its count,
  so a median over 100,000 answers reads a few thousand rows, not 100,000;
- filings per week: one statement with a range count per week, the week boundaries
  being Monday 00:00 in Mexico City as UTC instants, so the database compares stored
  moments and converts no time zone per row.

Definitions (the same as the queue's, atencion.consultas): *open* is any status but
Atendido; *overdue* is open with *Respuesta a partir del* before today in Mexico City.
A request is *answered* when its status is Atendido; its answer date is
``fecha_respuesta_o_canalizacion`` (the Mexico City day ``atencion.services.responder``
wrote; before the answer, a canalización keeps the new response date there). It
was answered *on time* when that date is on or before its *Respuesta a partir del*. Its
business days to answer are those in (computo_desde, answer date] with the institution's
calendar (as ``buzon.lib.dias_habiles.habiles_entre``, with calendario's extra days): 0 when
answered on the day the term started. "The last N days" are the N calendar days ending
today, today included.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Field, Sum

from atencion import consultas
from atencion.consultas import AreaDe
from buzon.lib.dias_habiles import es_habil
from calendario.services import ZONA_MEXICO, dias_inhabiles_extra
from promociones.models import ConteoCola, ConteoVencimiento, Estatus, Solicitud

SEMANAS = 12
VENTANAS = (30, 90)
ABIERTAS: tuple[str, ...] = (
    Estatus.RECIBIDO.value,
    Estatus.EN_PRORROGA.value,
    Estatus.CANALIZADO.value,
)


# ---------------------------------------------------------------- pure arithmetic


def etiqueta_iso(dia: date) -> str:
    """The ISO week ``dia`` falls in, as ``YYYY-Www`` (the ISO year: 2026-12-31 is
    2026-W53, 2027-01-01 too)."""
    iso = dia.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def semanas(hoy: date, cuantas: int = SEMANAS) -> list[date]:
    """The Mondays of the ``cuantas`` ISO weeks ending with the one of ``hoy``, oldest first."""
    lunes = hoy - timedelta(days=hoy.weekday())
    return [lunes - timedelta(weeks=cuantas - 1 - i) for i in range(cuantas)]


def inicio_del_dia(dia: date) -> datetime:
    """00:00 of ``dia`` in Mexico City, as a UTC moment (how ``recibida`` is stored)."""
    return datetime.combine(dia, time.min, tzinfo=ZONA_MEXICO).astimezone(UTC)


def mediana(valores: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times); None for none.

    With an even count it is the mean of the two middle values (so it may end in .5).
    """
    pares = sorted((v, n) for v, n in valores if n > 0)
    total = sum(n for _, n in pares)
    if total == 0:
        return None
    # 0-based positions of the middle value(s) in the expanded, sorted list.
    medios = (total - 1) // 2, total // 2
    encontrados: list[int] = []
    vistos = 0
    for valor, n in pares:
        while len(encontrados) < 2 and medios[len(encontrados)] < vistos + n:
            encontrados.append(valor)
        vistos += n
        if len(encontrados) == 2:
            break
    a, b = encontrados
    return a if a == b else (a + b) / 2


@dataclass(frozen=True)
class Respondidas:
    """Answered requests that share the day their term started and their answer date."""

    computo_desde: date
    fecha: date  # fecha_respuesta_o_canalizacion
    total: int
    a_tiempo: int


@dataclass(frozen=True)
class Ventana:
    """What was answered in the last ``dias`` days."""

    dias: int
    atendidas: int
    a_tiempo: int
    mediana_dias_habiles: float | None

    @property
    def proporcion_a_tiempo(self) -> float | None:
        """0–1; None when nothing was answered (no share of nothing)."""
        return self.a_tiempo / self.atendidas if self.atendidas else None


def contador_habiles(
    desde: date, hasta: date, extras: Iterable[date] = ()
) -> Callable[[date, date], int]:
    """``habiles_entre`` for days within [desde, hasta], each answer a subtraction.

    One walk of the calendar instead of one per group: thousands of groups of answers
    whose terms overlap would walk the same weeks again and again.
    """
    inhabiles = frozenset(extras)
    acumulado: dict[date, int] = {}
    cuenta = 0
    dia = desde
    while dia <= hasta:
        cuenta += es_habil(dia, inhabiles)
        acumulado[dia] = cuenta  # business days in [desde, dia]
        dia += timedelta(days=1)

    def entre(a: date, b: date) -> int:
        # Those in (a, b]; none when b is not after a, as habiles_entre.
        return acumulado[b] - acumulado[a] if b > a else 0

    return entre


def ventana(
    grupos: Iterable[Respondidas], *, hoy: date, dias: int, extras: Iterable[date] = ()
) -> Ventana:
    """The answers dated within the ``dias`` calendar days ending ``hoy``."""
    desde = hoy - timedelta(days=dias - 1)
    dentro = [g for g in grupos if desde <= g.fecha <= hoy]
    habiles = contador_habiles(min([g.computo_desde for g in dentro], default=hoy), hoy, extras)
    return Ventana(
        dias=dias,
        atendidas=sum(g.total for g in dentro),
        a_tiempo=sum(g.a_tiempo for g in dentro),
        mediana_dias_habiles=mediana((habiles(g.computo_desde, g.fecha), g.total) for g in dentro),
    )


@dataclass(frozen=True)
class Semana:
    lunes: date
    recibidas: int
    atendidas: int

    @property
    def etiqueta(self) -> str:
        return etiqueta_iso(self.lunes)

    @property
    def domingo(self) -> date:
        return self.lunes + timedelta(days=6)


def por_semana(
    lunes: Sequence[date], recibidas: Sequence[int], grupos: Iterable[Respondidas]
) -> list[Semana]:
    """Each week with its filings (counted by the caller, one per Monday) and its answers
    (from the answered groups, by the ISO week of their answer date)."""
    atendidas = dict.fromkeys(lunes, 0)
    for g in grupos:
        semana = g.fecha - timedelta(days=g.fecha.weekday())
        if semana in atendidas:
            atendidas[semana] += g.total
    return [Semana(d, r, atendidas[d]) for d, r in zip(lunes, recibidas, strict=True)]


# ---------------------------------------------------------------- from the database


@dataclass(frozen=True)
class FilaAsunto:
    """Open requests of one asunto in one area, by status."""

    area: AreaDe
    asunto: str  # clave
    nombre: str
    orden: int  # the catalogue's order of asuntos
    por_estatus: dict[str, int]
    vencidas: int

    @property
    def abiertas(self) -> int:
        return sum(self.por_estatus.values())


@dataclass(frozen=True)
class Indicadores:
    hoy: date
    areas: list[AreaDe]
    por_asunto: list[FilaAsunto]
    ventanas: dict[int, Ventana]
    semanas: list[Semana]
    por_estatus: dict[str, int] = field(default_factory=dict)

    @property
    def abiertas(self) -> int:
        return sum(self.por_estatus.values())

    @property
    def vencidas(self) -> int:
        return sum(f.vencidas for f in self.por_asunto)


def _abiertas(ids: list[int], hoy: date) -> list[tuple[int, int, str, int, int]]:
    """(area, asunto, estatus, open, overdue) from the counts the database keeps
    (``promociones.ConteoCola`` and ``ConteoVencimiento``, the queue's, decision 0016):
    a few hundred rows instead of every open request."""
    consultas.plegar_vencidas(hoy)  # once a day per process: keeps the second one small
    abiertas = (
        ConteoCola.objects.filter(area_id__in=ids, estatus__in=ABIERTAS)
        .order_by()
        .values_list("area_id", "asunto_id", "estatus")
        .annotate(n=Sum("total"))
    )
    vencidas = (
        ConteoVencimiento.objects.filter(area_id__in=ids, estatus__in=ABIERTAS, fecha__lt=hoy)
        .order_by()
        .values_list("area_id", "asunto_id", "estatus")
        .annotate(n=Sum("total"))
    )
    por_grupo = {(a, s, e): [n, 0] for a, s, e, n in abiertas}
    for a, s, e, n in vencidas:
        por_grupo.setdefault((a, s, e), [0, 0])[1] = n
    return [(a, s, e, n, v) for (a, s, e), (n, v) in por_grupo.items() if n or v]


def _columna(nombre: str) -> str:
    campo = Solicitud._meta.get_field(nombre)
    assert isinstance(campo, Field)
    return connection.ops.quote_name(campo.column)


def _respondidas(ids: list[int], desde: date, hasta: date) -> list[Respondidas]:
    """The requests of the areas answered from ``desde`` to ``hasta``, grouped by the day
    their term started and the answer date, with how many of each were on time.

    Grouped by area first, the order of an index on (area, estatus, answer date,
    computo_desde, …), so the database aggregates as it walks it instead of sorting
    some 100,000 entries of the 90 days; the areas' groups are added up here. Read with
    a plain cursor: the ORM would convert the same few hundred dates thousands of times.
    """
    if not ids:
        return []
    tabla = connection.ops.quote_name(Solicitud._meta.db_table)
    area, estatus, fecha, computo, plazo = (
        _columna(c)
        for c in (
            "area",
            "estatus",
            "fecha_respuesta_o_canalizacion",
            "computo_desde",
            "respuesta_a_partir_del",
        )
    )
    marcas = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {area}, {fecha}, {computo}, COUNT(*), "  # noqa: S608
        f"SUM(CASE WHEN {fecha} <= {plazo} THEN 1 ELSE 0 END) "
        f"FROM {tabla} WHERE {area} IN ({marcas}) AND {estatus} = %s "
        f"AND {fecha} >= %s AND {fecha} <= %s GROUP BY {area}, {fecha}, {computo}"
    )
    adaptar = connection.ops.adapt_datefield_value
    fechas: dict[Any, date] = {}

    def como_fecha(valor: Any) -> date:
        # SQLite answers text, PostgreSQL dates; a few hundred distinct days in all.
        if valor not in fechas:
            fechas[valor] = valor if isinstance(valor, date) else date.fromisoformat(valor)
        return fechas[valor]

    grupos: dict[tuple[date, date], list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, Estatus.ATENDIDO.value, adaptar(desde), adaptar(hasta)])
        for _, dia, inicio, total, a_tiempo in cursor.fetchall():
            suma = grupos.setdefault((como_fecha(inicio), como_fecha(dia)), [0, 0])
            suma[0] += total
            suma[1] += a_tiempo or 0
    return [Respondidas(c, f, t, a) for (c, f), (t, a) in grupos.items()]


def _recibidas_por_semana(ids: list[int], lunes: list[datetime]) -> list[int]:
    """Requests of the areas received in each week starting at ``lunes`` (UTC moments of
    Monday 00:00 in Mexico City): one statement of one range count per week.

    Each count walks the week's range of an index led by ``recibida`` (sol_recibida, or
    one that also carries the area and so answers without reading rows), rather than
    one pass testing every row of the 12 weeks against 12 conditions, which cost most of
    the page at a million requests. ``area + 0`` on SQLite: keeping no statistics, it
    would otherwise walk every row of the areas through the area's index once per week.
    The table and columns are the model's; the values go as parameters.
    """
    if not ids:
        return [0] * len(lunes)
    tabla = connection.ops.quote_name(Solicitud._meta.db_table)
    area, recibida = _columna("area"), _columna("recibida")
    marcas = ", ".join(["%s"] * len(ids))
    # SQLite only (as the queue's _sin_indice): PostgreSQL has statistics to choose with.
    sin_indice = " + 0" if connection.vendor == "sqlite" else ""
    una = (
        f"(SELECT COUNT(*) FROM {tabla} WHERE {recibida} >= %s AND {recibida} < %s "  # noqa: S608
        f"AND {area}{sin_indice} IN ({marcas}))"
    )
    limites = [*lunes, lunes[-1] + timedelta(weeks=1)]
    adaptar = connection.ops.adapt_datetimefield_value
    parametros: list[Any] = []
    for desde, hasta in itertools.pairwise(limites):
        parametros += [adaptar(desde), adaptar(hasta), *ids]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([una] * len(lunes)), parametros)
        fila = cursor.fetchone()
    return [int(n) for n in fila]


def calcular(areas: Sequence[AreaDe], *, hoy: date) -> Indicadores:
    """The figures of ``areas`` (already checked: the caller supervises each) as of
    ``hoy`` (a Mexico City date). Five queries whatever the number of requests (and,
    once a day per process, the queue's fold of overdue counts)."""
    ids = [a.id for a in areas]
    grupos_abiertos = _abiertas(ids, hoy)

    respondidas = _respondidas(ids, hoy - timedelta(days=max(VENTANAS) - 1), hoy)
    # Read even when nothing was answered: the same queries for every dataset.
    extras = dias_inhabiles_extra(min([g.computo_desde for g in respondidas], default=hoy), hoy)

    lunes = semanas(hoy)
    recibidas = _recibidas_por_semana(ids, [inicio_del_dia(d) for d in lunes])

    cat = consultas.catalogo()  # asunto names, cached by the queue
    orden = {id_: (i, clave) for i, (clave, (id_, _, _)) in enumerate(cat.asuntos.items())}
    por_area = {a.id: a for a in areas}
    filas: dict[tuple[int, int], dict[str, int]] = {}
    vencidas: dict[tuple[int, int], int] = {}
    por_estatus = dict.fromkeys(ABIERTAS, 0)
    for area_id, asunto_id, estatus, total, n_vencidas in grupos_abiertos:
        clave = (area_id, asunto_id)
        filas.setdefault(clave, dict.fromkeys(ABIERTAS, 0))[estatus] = total
        vencidas[clave] = vencidas.get(clave, 0) + n_vencidas
        por_estatus[estatus] += total
    por_asunto = sorted(
        (
            FilaAsunto(
                area=por_area[area_id],
                asunto=orden[asunto_id][1],
                nombre=cat.nombres_asunto[asunto_id],
                orden=orden[asunto_id][0],
                por_estatus=conteo,
                vencidas=vencidas[(area_id, asunto_id)],
            )
            for (area_id, asunto_id), conteo in filas.items()
        ),
        key=lambda f: (f.area.nombre, f.orden),
    )
    return Indicadores(
        hoy=hoy,
        areas=list(areas),
        por_asunto=por_asunto,
        ventanas={d: ventana(respondidas, hoy=hoy, dias=d, extras=extras) for d in VENTANAS},
        semanas=por_semana(lunes, recibidas, respondidas),
        por_estatus=por_estatus,
    )
