"""The staff queue: the requests of a staff member's areas, filtered, counted and paged.

One reader of filters for the page, the API and the CSV (``leer_filtros``); one
queryset (``solicitudes_de_personal``), soonest *Respuesta a partir del* first; and the
counts (``conteos_de_cola``): the total and, within the other filters, vencidas, por
vencer, sin asignar, mías and each option of each select.

The counts are exact and cheap at a million requests because the database keeps them
(``promociones.ConteoCola`` and ``ConteoVencimiento``, migration 0010's triggers): a
supervisor of every area sums a few hundred rows there instead of counting the requests.
Filters those tables do not carry (reception dates, a folio or RFC) count the requests
themselves, with the same grouping, so both ways give the same answer (decision 0016).
"""

from __future__ import annotations

import math
import re
import threading
import time as reloj
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet

from atencion import acceso
from buzon.errores import ErrorDominio
from buzon.lib.folio import interpretar
from buzon.lib.pagina import leer_pagina
from buzon.lib.texto import sin_controles
from calendario.services import ZONA_MEXICO, sumar_habiles
from efirma.errores import ErrorEfirma
from efirma.rfc import validar_rfc
from promociones.consultas import catalogo_asuntos
from promociones.models import (
    FECHA_PLEGADA,
    Asunto,
    ConteoCola,
    ConteoVencimiento,
    CorteVencimiento,
    Estatus,
    Servicio,
    Solicitud,
)

POR_PAGINA = 50
# "Vence pronto": due within this many business days from today, not yet overdue.
DIAS_POR_VENCER = 2
# vence_en beyond this is not a deadline anybody watches; it also bounds the date walk.
VENCE_EN_MAXIMO = 60
ABIERTAS = "abiertas"  # estatus: every one but atendido (the page's default)
ASIGNACIONES = ("mias", "sin_asignar")
PRIMER_ANIO, ULTIMO_ANIO = 2000, 2999
PARAMETROS = (
    "estatus", "servicio", "asunto", "area", "asignacion", "vencidas", "vence_en",
    "recibida_desde", "recibida_hasta", "q",
)  # fmt: skip
_FECHA_DMA = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


@dataclass(frozen=True)
class FiltrosPersonal:
    estatus: str = ""  # "", ABIERTAS or an Estatus value
    servicio: str = ""  # clave
    asunto: str = ""  # clave
    area: str = ""  # clave, one of the user's areas
    asignacion: str = ""  # "", "mias" or "sin_asignar"
    vencidas: bool = False
    vence_en: int | None = None
    desde: date | None = None
    hasta: date | None = None
    q: str = ""  # a folio or an RFC, normalised
    pagina: int = 1

    def como_parametros(self) -> dict[str, str]:
        """The filters as query-string values (without the page), for links."""
        valores = {
            "estatus": self.estatus,
            "servicio": self.servicio,
            "asunto": self.asunto,
            "area": self.area,
            "asignacion": self.asignacion,
            "vencidas": "true" if self.vencidas else "",
            "vence_en": "" if self.vence_en is None else str(self.vence_en),
            "recibida_desde": self.desde.isoformat() if self.desde else "",
            "recibida_hasta": self.hasta.isoformat() if self.hasta else "",
            "q": self.q,
        }
        return {k: v for k, v in valores.items() if v}


# -- the catalog, read once per catalog read of promociones (60 s, or a test's own) -------


@dataclass(frozen=True)
class Catalogo:
    servicios: dict[str, tuple[int, str]]  # clave -> (id, nombre)
    asuntos: dict[str, tuple[int, str, int]]  # clave -> (id, nombre, area_id)
    nombres_servicio: dict[int, str]
    nombres_asunto: dict[int, str]
    opciones_asunto: list[tuple[str, str, int]]  # (clave, nombre, area_id), catalog order


_catalogo_lock = threading.Lock()
_catalogo: tuple[object, Catalogo] | None = None


def catalogo() -> Catalogo:
    """Servicios and asuntos by clave and id. Renewed whenever promociones renews its
    asunto list (every 60 s, and in tests for each database), so ids never go stale."""
    global _catalogo
    llave = catalogo_asuntos()
    with _catalogo_lock:
        if _catalogo is not None and _catalogo[0] is llave:
            return _catalogo[1]
    servicios = list(Servicio.objects.order_by("clave").values_list("id", "clave", "nombre"))
    asuntos = list(
        Asunto.objects.order_by("orden", "nombre").values_list("id", "clave", "nombre", "area_id")
    )
    nuevo = Catalogo(
        servicios={c: (i, n) for i, c, n in servicios},
        asuntos={c: (i, n, a) for i, c, n, a in asuntos},
        nombres_servicio={i: n for i, _, n in servicios},
        nombres_asunto={i: n for i, _, n, _ in asuntos},
        opciones_asunto=[(c, n, a) for _, c, n, a in asuntos],
    )
    with _catalogo_lock:
        _catalogo = (llave, nuevo)
    return nuevo


# Read once per request, by atencion.acceso: the one module that reads memberships.
AreaDe = acceso.AreaDe
areas_con_rol = acceso.areas_con_rol


# -- reading the filters -------------------------------------------------------------------


def _texto(entrada: Mapping[str, Any], nombre: str, maximo: int) -> str:
    # As the taxpayer's filters: no control characters (PostgreSQL refuses NUL in a text
    # parameter) and nothing longer than any valid value.
    return sin_controles(str(entrada.get(nombre) or "")).strip()[:maximo]


def _fecha(valor: str, campo: str, *, dma: bool) -> date | None:
    if not valor:
        return None
    fecha: date | None = None
    try:
        if valor.isascii() and len(valor) == 10 and valor[4] == "-":
            fecha = date.fromisoformat(valor)
        elif dma and (partes := _FECHA_DMA.fullmatch(valor)):
            dia, mes, anio = (int(p) for p in partes.groups())
            fecha = date(anio, mes, dia)
    except ValueError:
        fecha = None
    if fecha is None or not PRIMER_ANIO <= fecha.year <= ULTIMO_ANIO:
        raise ErrorDominio(
            "fecha_invalida.pagina" if dma else "fecha_invalida",
            campo=campo,
            desde=PRIMER_ANIO,
            hasta=ULTIMO_ANIO,
        )
    return fecha


def _busqueda(valor: str) -> str:
    """A folio or an RFC, as stored; anything else is ``busqueda_invalida``."""
    if not valor:
        return ""
    texto = re.sub(r"[\s-]+", "-", valor.upper()).strip("-")
    if interpretar(texto) is not None:
        return texto
    compacto = re.sub(r"[\s-]+", "", valor)
    try:
        return validar_rfc(compacto).rfc
    except ErrorEfirma:
        raise ErrorDominio("busqueda_invalida") from None


def leer_filtros(
    entrada: Mapping[str, Any], areas: list[AreaDe], *, pagina_web: bool = False
) -> FiltrosPersonal:
    """The query string's filters, or ErrorDominio naming the first bad one.

    ``pagina_web``: the staff page also takes dates as dd/mm/aaaa, and shows the open
    requests when no estatus was asked for at all (an empty one means every estatus).
    """
    estatus = _texto(entrada, "estatus", 30)
    if pagina_web and "estatus" not in entrada:
        estatus = ABIERTAS
    if estatus and estatus != ABIERTAS and estatus not in Estatus.values:
        raise ErrorDominio("estatus_invalido")
    cat = catalogo()
    servicio = _texto(entrada, "servicio", 30)
    if servicio and servicio not in cat.servicios:
        raise ErrorDominio("servicio_invalido")
    asunto = _texto(entrada, "asunto", 100)
    if asunto and asunto not in cat.asuntos:
        raise ErrorDominio("asunto_invalido")
    area = _texto(entrada, "area", 100)
    # Only among her areas: another area's clave is refused exactly as an unknown one,
    # so the answer says nothing about which areas exist.
    if area and area not in {a.clave for a in areas}:
        raise ErrorDominio("area_invalida")
    asignacion = _texto(entrada, "asignacion", 30)
    if asignacion and asignacion not in ASIGNACIONES:
        raise ErrorDominio("asignacion_invalida")
    vencidas = _texto(entrada, "vencidas", 10).lower()
    if vencidas not in ("", "true", "false", "1", "0"):
        raise ErrorDominio("vencidas_invalido")
    texto_vence = _texto(entrada, "vence_en", 10)
    vence_en: int | None = None
    if texto_vence:
        if not (texto_vence.isascii() and texto_vence.isdigit()) or not (
            0 <= int(texto_vence) <= VENCE_EN_MAXIMO
        ):
            raise ErrorDominio("vence_en_invalido", maximo=VENCE_EN_MAXIMO)
        vence_en = int(texto_vence)
    if vence_en is not None and vencidas in ("true", "1"):
        raise ErrorDominio("vence_en_invalido.con_vencidas")
    desde = _fecha(_texto(entrada, "recibida_desde", 20), "recibida_desde", dma=pagina_web)
    hasta = _fecha(_texto(entrada, "recibida_hasta", 20), "recibida_hasta", dma=pagina_web)
    if desde and hasta and desde > hasta:
        raise ErrorDominio("rango_invalido")
    q = _busqueda(_texto(entrada, "q", 40))
    pagina = leer_pagina(entrada.get("pagina"))
    return FiltrosPersonal(
        estatus=estatus,
        servicio=servicio,
        asunto=asunto,
        area=area,
        asignacion=asignacion,
        vencidas=vencidas in ("true", "1"),
        vence_en=vence_en,
        desde=desde,
        hasta=hasta,
        q=q,
        pagina=pagina,
    )


# -- dates -----------------------------------------------------------------------------------

_plazos_lock = threading.Lock()
_plazos: dict[tuple[date, int], tuple[float, date]] = {}
_PLAZO_SEGUNDOS = 60.0


def fin_de_plazo(hoy: date, dias: int) -> date:
    """The last date due within ``dias`` business days from ``hoy`` (calendario's
    business days, with the institution's declared days), remembered for 60 s."""
    ahora = reloj.monotonic()
    with _plazos_lock:
        guardado = _plazos.get((hoy, dias))
    if guardado is not None and ahora - guardado[0] < _PLAZO_SEGUNDOS:
        return guardado[1]
    fin = sumar_habiles(hoy, dias)
    with _plazos_lock:
        if len(_plazos) > 256:
            _plazos.clear()
        _plazos[(hoy, dias)] = (ahora, fin)
    return fin


def olvidar_plazos() -> None:
    """Drops the remembered due dates (tests that declare a non-working day)."""
    with _plazos_lock:
        _plazos.clear()


def _inicio_del_dia(dia: date) -> datetime:
    return datetime.combine(dia, time.min, tzinfo=ZONA_MEXICO)


# -- the queryset ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contexto:
    """What a queue read needs besides the filters: who, her areas, and today."""

    user_id: int
    areas: list[AreaDe]
    hoy: date

    @property
    def area_ids(self) -> list[int]:
        return [a.id for a in self.areas]


def contexto(user: Any, hoy: date, areas: list[AreaDe] | None = None) -> Contexto:
    return Contexto(user.pk, areas if areas is not None else areas_con_rol(user), hoy)


def _ids(ctx: Contexto, filtros: FiltrosPersonal) -> list[int]:
    """The areas the query covers: hers, or the one asked for."""
    if filtros.area:
        return [a.id for a in ctx.areas if a.clave == filtros.area]
    return ctx.area_ids


def _sin_indice(campo: str) -> ExpressionWrapper:
    """``campo + 0``: the same values, but no index of ``campo`` can answer it.

    The queue must walk an index in its own order (*Respuesta a partir del*, id) and stop
    after a page. SQLite has no statistics unless someone runs ANALYZE, and then takes
    any equality on an indexed column for a handful of rows: with ``area_id IN (her
    areas)`` it read all of them by the area index and sorted them (78 ms at 20,000
    requests, seconds at a million, joins included). Written this way the only index
    left for these conditions is the one in the queue's order; PostgreSQL, which has
    statistics, gets the plain column: there ``+ 0`` hid the column's statistics too, and
    it sorted the vencidas + asunto page's 4,000 rows instead of walking (decision 0016).
    """
    if connection.vendor != "sqlite":
        return ExpressionWrapper(F(campo), output_field=IntegerField())
    return ExpressionWrapper(F(campo) + 0, output_field=IntegerField())


def _base(ctx: Contexto, filtros: FiltrosPersonal) -> QuerySet[Solicitud]:
    """Her areas plus the filters the count tables do not carry (dates, folio, RFC)."""
    consulta = Solicitud.objects.alias(area_sin_indice=_sin_indice("area_id")).filter(
        area_sin_indice__in=_ids(ctx, filtros)
    )
    if filtros.desde:
        consulta = consulta.filter(recibida__gte=_inicio_del_dia(filtros.desde))
    if filtros.hasta:
        consulta = consulta.filter(recibida__lt=_inicio_del_dia(filtros.hasta + timedelta(days=1)))
    if filtros.q:
        if interpretar(filtros.q) is not None:
            consulta = consulta.filter(folio=filtros.q)
        else:
            consulta = consulta.filter(contribuyente__rfc=filtros.q)
    return consulta


def solicitudes_de_personal(
    user: Any, filtros: FiltrosPersonal, *, hoy: date, ctx: Contexto | None = None
) -> QuerySet[Solicitud]:
    """The requests of ``user``'s areas that pass ``filtros``, the most urgent first.

    *Vencidas*: the response date is before ``hoy`` (Mexico City) and the request has
    not been answered. ``vence_en=N``: not answered, due from ``hoy`` to N business
    days later.
    """
    ctx = ctx or contexto(user, hoy)
    cat = catalogo()
    consulta = _base(ctx, filtros)
    # The open-requests conditions are written as the partial indexes' own condition
    # (NOT estatus = 'atendido'), so both engines can walk those indexes.
    abiertas = ~Q(estatus=Estatus.ATENDIDO)
    if filtros.estatus == ABIERTAS:
        consulta = consulta.filter(abiertas)
    elif filtros.estatus:
        consulta = consulta.filter(estatus=filtros.estatus)
    if filtros.servicio:
        consulta = consulta.alias(servicio_sin_indice=_sin_indice("servicio_id")).filter(
            servicio_sin_indice=cat.servicios[filtros.servicio][0]
        )
    solo_abiertas = filtros.estatus == ABIERTAS or filtros.vencidas or filtros.vence_en is not None
    if filtros.asunto and solo_abiertas:
        # The partial (asunto, respuesta, id) index of open requests answers it in order.
        consulta = consulta.filter(asunto_id=cat.asuntos[filtros.asunto][0])
    elif filtros.asunto:
        consulta = consulta.alias(asunto_sin_indice=_sin_indice("asunto_id")).filter(
            asunto_sin_indice=cat.asuntos[filtros.asunto][0]
        )
    if filtros.asignacion == "mias":
        # Her own requests are few: the (asignada_a, estatus, respuesta) index, then a sort.
        consulta = consulta.filter(asignada_a_id=ctx.user_id)
    elif filtros.asignacion == "sin_asignar":
        consulta = consulta.alias(asignada_sin_indice=_sin_indice("asignada_a_id")).filter(
            asignada_sin_indice__isnull=True
        )
    if filtros.vencidas:
        consulta = consulta.filter(abiertas, respuesta_a_partir_del__lt=ctx.hoy)
    elif filtros.vence_en is not None:
        consulta = consulta.filter(
            abiertas,
            respuesta_a_partir_del__gte=ctx.hoy,
            respuesta_a_partir_del__lte=fin_de_plazo(ctx.hoy, filtros.vence_en),
        )
    return consulta.order_by("respuesta_a_partir_del", "id")


# -- counts ------------------------------------------------------------------------------------

# Classes of a group's requests: by due date (every one, overdue, due soon, due within
# vence_en) and by assignee (every one, nobody's, mine).
FECHAS = ("todas", "vencidas", "por_vencer", "rango")
ASIGNADAS = ("todas", "sin", "mias")
Llave = tuple[int, int, int, str]  # area_id, asunto_id, servicio_id, estatus


@dataclass
class Conteos:
    total: int = 0
    vencidas: int = 0
    por_vencer: int = 0
    sin_asignar: int = 0
    mias: int = 0
    # Each select's options, within the other filters: clave (or estatus) -> count.
    por_estatus: dict[str, int] = field(default_factory=dict)
    por_servicio: dict[str, int] = field(default_factory=dict)
    por_asunto: dict[str, int] = field(default_factory=dict)
    por_area: dict[str, int] = field(default_factory=dict)

    def contrato(self) -> dict[str, int]:
        return {
            "vencidas": self.vencidas,
            "por_vencer": self.por_vencer,
            "sin_asignar": self.sin_asignar,
            "mias": self.mias,
        }


Grupos = dict[Llave, dict[tuple[str, str], int]]


def _vacio() -> dict[tuple[str, str], int]:
    return defaultdict(int)


def _por_tablas(ctx: Contexto, filtros: FiltrosPersonal, d2: date, dn: date | None) -> Grupos:
    """The groups from the count tables the triggers keep (no dates, folio or RFC).

    Few comparisons a row in the database: for the due dates, who the requests are
    assigned to is sorted out here over the grouped rows; a CASE per class and assignee
    for each row (nine) cost SQLite more than reading the rows.
    """
    ids = _ids(ctx, filtros)
    grupos: Grupos = defaultdict(_vacio)
    if not ids:
        return grupos
    marcas = ", ".join(["%s"] * len(ids))
    cola, venc = ConteoCola._meta.db_table, ConteoVencimiento._meta.db_table
    yo = ctx.user_id

    def repartir(llave: Llave, clase: str, asignada: int, n: int) -> None:
        g = grupos[llave]
        g[clase, "todas"] += n
        if asignada == 0:
            g[clase, "sin"] += n
        elif asignada == yo:
            g[clase, "mias"] += n

    with connection.cursor() as cursor:
        if not filtros.vencidas and filtros.vence_en is None:
            # Grouped here (about 80 groups for 8 areas), two comparisons a row: the
            # assignees of a supervisor's areas make this table hundreds of rows long.
            cursor.execute(
                "SELECT area_id, asunto_id, servicio_id, estatus, SUM(total), "  # noqa: S608
                "SUM(CASE WHEN asignada_id = 0 THEN total ELSE 0 END), "
                "SUM(CASE WHEN asignada_id = %s THEN total ELSE 0 END) "
                f"FROM {cola} WHERE area_id IN ({marcas}) "
                "GROUP BY area_id, asunto_id, servicio_id, estatus",
                [yo, *ids],
            )
            for area, asunto, servicio, estatus, n, sin, mias in cursor.fetchall():
                g = grupos[(area, asunto, servicio, estatus)]
                g["todas", "todas"], g["todas", "sin"], g["todas", "mias"] = n, sin, mias
        # The due dates up to the furthest asked for, by the date index (area + 0: see
        # _sin_indice); overdue ones are folded into FECHA_PLEGADA, one row per key.
        hasta = max(d2, dn) if dn else d2
        fecha = connection.ops.adapt_datefield_value
        hoy = fecha(ctx.hoy)
        columnas = [
            "SUM(CASE WHEN fecha < %s THEN total ELSE 0 END)",
            "SUM(CASE WHEN fecha >= %s AND fecha <= %s THEN total ELSE 0 END)",
        ]
        parametros: list[Any] = [hoy, hoy, fecha(d2)]
        if dn is not None:
            columnas.append("SUM(CASE WHEN fecha >= %s AND fecha <= %s THEN total ELSE 0 END)")
            parametros += [hoy, fecha(dn)]
        cursor.execute(
            f"SELECT area_id, asunto_id, servicio_id, estatus, asignada_id, {', '.join(columnas)} "  # noqa: S608
            f"FROM {venc} WHERE area_id + 0 IN ({marcas}) AND fecha <= %s "
            "GROUP BY area_id, asunto_id, servicio_id, estatus, asignada_id",
            [*parametros, *ids, fecha(hasta)],
        )
        clases = ("vencidas", "por_vencer", "rango")
        for area, asunto, servicio, estatus, asignada, *sumas in cursor.fetchall():
            llave = (area, asunto, servicio, estatus)
            for clase, n in zip(clases, sumas, strict=False):
                if n:
                    repartir(llave, clase, asignada, n)
    return grupos


def _por_solicitudes(ctx: Contexto, filtros: FiltrosPersonal, d2: date, dn: date | None) -> Grupos:
    """The same groups counted from the requests themselves (dates, folio or RFC)."""
    abiertas = ~Q(estatus=Estatus.ATENDIDO)
    fechas = {
        "todas": Q(),
        "vencidas": abiertas & Q(respuesta_a_partir_del__lt=ctx.hoy),
        "por_vencer": abiertas
        & Q(respuesta_a_partir_del__gte=ctx.hoy, respuesta_a_partir_del__lte=d2),
    }
    if dn is not None:
        fechas["rango"] = abiertas & Q(
            respuesta_a_partir_del__gte=ctx.hoy, respuesta_a_partir_del__lte=dn
        )
    asignadas = {
        "todas": Q(),
        "sin": Q(asignada_a__isnull=True),
        "mias": Q(asignada_a_id=ctx.user_id),
    }
    sumas = {
        f"c_{f}_{a}": Count("id", filter=qf & qa)
        for f, qf in fechas.items()
        for a, qa in asignadas.items()
    }
    grupos: Grupos = defaultdict(_vacio)
    filas = (
        _base(ctx, filtros)
        .order_by()
        .values("area_id", "asunto_id", "servicio_id", "estatus")
        .annotate(**sumas)
    )
    for fila in filas:
        g = grupos[(fila["area_id"], fila["asunto_id"], fila["servicio_id"], fila["estatus"])]
        for f in fechas:
            for a in asignadas:
                g[f, a] = fila[f"c_{f}_{a}"]
    return grupos


def conteos_de_cola(ctx: Contexto, filtros: FiltrosPersonal) -> Conteos:
    """The total and the counts of ``filtros`` (each count within the other filters).

    From the count tables when the filters are theirs (decision 0016), otherwise from
    the requests; ``atencion/tests/test_consultas.py`` compares both with naive counts.
    """
    d2 = fin_de_plazo(ctx.hoy, DIAS_POR_VENCER)
    dn = fin_de_plazo(ctx.hoy, filtros.vence_en) if filtros.vence_en is not None else None
    if filtros.desde or filtros.hasta or filtros.q:
        grupos = _por_solicitudes(ctx, filtros, d2, dn)
    else:
        plegar_vencidas(ctx.hoy)
        grupos = _por_tablas(ctx, filtros, d2, dn)
    return combinar(grupos, filtros, catalogo(), ctx)


def _sumar(conteo: dict[str, int], clave: str, n: int) -> None:
    if n:  # an option with nothing is absent, whichever way it was counted
        conteo[clave] = conteo.get(clave, 0) + n


def combinar(grupos: Grupos, filtros: FiltrosPersonal, cat: Catalogo, ctx: Contexto) -> Conteos:
    """The counts from the groups: each filter of a select is applied to every count
    but its own options', as each toggle count ignores its own toggle."""
    fecha = "vencidas" if filtros.vencidas else "rango" if filtros.vence_en is not None else "todas"
    asignada = {"": "todas", "mias": "mias", "sin_asignar": "sin"}[filtros.asignacion]
    servicio_id = cat.servicios[filtros.servicio][0] if filtros.servicio else None
    asunto_id = cat.asuntos[filtros.asunto][0] if filtros.asunto else None
    claves_area = {a.id: a.clave for a in ctx.areas}
    claves_servicio = {i: c for c, (i, _) in cat.servicios.items()}
    claves_asunto = {v[0]: c for c, v in cat.asuntos.items()}

    def pasa_estatus(estatus: str) -> bool:
        if filtros.estatus == ABIERTAS:
            return estatus != Estatus.ATENDIDO
        return not filtros.estatus or estatus == filtros.estatus

    c = Conteos()
    for (area, asunto, servicio, estatus), g in grupos.items():
        area_ok = not filtros.area or claves_area.get(area) == filtros.area
        servicio_ok = servicio_id is None or servicio == servicio_id
        asunto_ok = asunto_id is None or asunto == asunto_id
        estatus_ok = pasa_estatus(estatus)
        n = g[fecha, asignada]
        if area_ok and servicio_ok and asunto_ok:
            if estatus_ok:
                c.total += n
                c.vencidas += g["vencidas", asignada]
                c.por_vencer += g["por_vencer", asignada]
                c.sin_asignar += g[fecha, "sin"]
                c.mias += g[fecha, "mias"]
            _sumar(c.por_estatus, estatus, n)
        if estatus_ok and area_ok and asunto_ok:
            _sumar(c.por_servicio, claves_servicio.get(servicio, ""), n)
        if estatus_ok and area_ok and servicio_ok:
            _sumar(c.por_asunto, claves_asunto.get(asunto, ""), n)
        if estatus_ok and servicio_ok and asunto_ok:
            _sumar(c.por_area, claves_area.get(area, ""), n)
    c.por_estatus[ABIERTAS] = sum(
        n for e, n in c.por_estatus.items() if e != Estatus.ATENDIDO and e != ABIERTAS
    )
    c.por_estatus[""] = sum(n for e, n in c.por_estatus.items() if e != ABIERTAS)
    return c


# -- folding overdue dates -----------------------------------------------------------------

_plegado_lock = threading.Lock()
_plegado_hasta: date | None = None


def plegar_vencidas(hoy: date) -> None:
    """Folds ConteoVencimiento's rows due before yesterday into FECHA_PLEGADA, once a
    day per process; the counts are the same before and after (decision 0016).

    Overdue requests would otherwise keep one row per past due date and combination,
    thousands of them, which the overdue count would have to add up on every page. A
    day of margin: a process whose today is yesterday still counts every folded row
    as overdue. Failing to fold (a busy database) only leaves the sums slower.
    """
    global _plegado_hasta
    corte = hoy - timedelta(days=1)
    with _plegado_lock:
        if _plegado_hasta is not None and _plegado_hasta >= corte:
            return
        _plegado_hasta = corte
    try:
        with transaction.atomic():
            _plegar(corte)
    except DatabaseError:
        with _plegado_lock:
            _plegado_hasta = None


def _plegar(corte: date) -> None:
    tabla = ConteoVencimiento._meta.db_table
    clave = "area_id, asunto_id, servicio_id, estatus, asignada_id"
    # Moved forward only: the triggers read it to store folded dates directly.
    actual = CorteVencimiento.objects.select_for_update().filter(pk=1).first()
    if actual is not None and actual.fecha >= corte:
        return
    if actual is None:
        CorteVencimiento.objects.create(pk=1, fecha=corte)
    else:
        CorteVencimiento.objects.filter(pk=1).update(fecha=corte)
    plegada = connection.ops.adapt_datefield_value(FECHA_PLEGADA)
    limite = connection.ops.adapt_datefield_value(corte)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: what is deleted is exactly what is added, even while a
            # trigger of another transaction changes one of these rows.
            cursor.execute(
                f"WITH movidas AS (DELETE FROM {tabla} WHERE fecha > %s AND fecha < %s "  # noqa: S608
                f"RETURNING {clave}, total) INSERT INTO {tabla} ({clave}, fecha, total) "
                f"SELECT {clave}, %s, SUM(total) FROM movidas GROUP BY {clave} "
                f"ON CONFLICT ({clave}, fecha) "
                f"DO UPDATE SET total = {tabla}.total + EXCLUDED.total",
                [plegada, limite, plegada],
            )
        else:
            # SQLite has one writer at a time: nothing changes between the two.
            cursor.execute(
                f"INSERT INTO {tabla} ({clave}, fecha, total) "  # noqa: S608
                f"SELECT {clave}, %s, SUM(total) FROM {tabla} WHERE fecha > %s AND fecha < %s "
                f"GROUP BY {clave} ON CONFLICT ({clave}, fecha) "
                f"DO UPDATE SET total = {tabla}.total + excluded.total",
                [plegada, plegada, limite],
            )
            cursor.execute(
                f"DELETE FROM {tabla} WHERE fecha > %s AND fecha < %s",  # noqa: S608
                [plegada, limite],
            )
        cursor.execute(f"DELETE FROM {tabla} WHERE total = 0")  # noqa: S608
        cursor.execute(f"DELETE FROM {ConteoCola._meta.db_table} WHERE total = 0")  # noqa: S608


def olvidar_plegado() -> None:
    """Forgets that this process folded today (tests with their own database)."""
    global _plegado_hasta
    with _plegado_lock:
        _plegado_hasta = None


# -- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pagina:
    total: int
    pagina: int
    paginas: int
    desde: int

    @property
    def anterior(self) -> int | None:
        return self.pagina - 1 if self.pagina > 1 else None

    @property
    def siguiente(self) -> int | None:
        return self.pagina + 1 if self.pagina < self.paginas else None


def paginar(total: int, pagina: int, *, ajustar: bool = False) -> Pagina:
    """Which slice to read, from a total already counted. ``ajustar`` moves a page past
    the end to the last one (the page); the API answers an empty page instead."""
    paginas = max(1, math.ceil(total / POR_PAGINA))
    if ajustar:
        pagina = min(pagina, paginas)
    return Pagina(total=total, pagina=pagina, paginas=paginas, desde=(pagina - 1) * POR_PAGINA)
