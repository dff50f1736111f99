"""Reading a taxpayer's requests: filters, ordering and pages, shared by the Tablero and the API.

The ordering (-recibida, -id) and the filters match the composite indexes on Solicitud
(contribuyente first), so a page costs one COUNT and one indexed range scan whatever the
number of requests.
"""

from __future__ import annotations

import math
import re
import threading
import time as reloj
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from buzon.errores import ErrorDominio
from buzon.lib.folio import interpretar
from buzon.lib.memoria import Memoria
from buzon.lib.pagina import leer_pagina
from buzon.lib.texto import sin_controles
from calendario.services import ZONA_MEXICO
from cuentas.models import Contribuyente
from promociones import catalogo
from promociones.models import (
    Asunto,
    ConteoSolicitudes,
    Estatus,
    Evento,
    Respuesta,
    Servicio,
    Solicitud,
)

T = TypeVar("T")

POR_PAGINA = 20
PARAMETROS = ("asunto", "estatus", "recibida_desde", "recibida_hasta", "folio", "pagina")

# The asunto list changes only when an administrator edits the catalog: each worker
# keeps the list it read with the catalog's version, and asks the version again at most
# once every catalogo.revisar_cada() (one primary-key read, 1 s), so an edit shows on
# every worker of every server within about a second.
_cache_lock = threading.Lock()
_cache: tuple[float, CatalogoAsuntos] | None = None  # (last check, the list)
# Read again after a minute even when unchanged: others key what they remember on this
# read (atencion.cola._asignables: a person given a role shows within a minute).
_RELEER_SEGUNDOS = 60.0


@dataclass(frozen=True)
class CatalogoAsuntos:
    opciones: list[tuple[str, str]]  # (clave, nombre) in catalog order
    ids: dict[str, int]
    leido: float = 0.0  # monotonic moment of the read: tells one read from the next
    version: int = 0  # the catalog's version it was read at


def catalogo_asuntos() -> CatalogoAsuntos:
    global _cache
    ahora = reloj.monotonic()
    with _cache_lock:
        if _cache is not None and ahora - _cache[0] < catalogo.revisar_cada():
            return _cache[1]
    # The version before the rows: an edit committed in between makes the next check
    # read again, never keeps an old list under a new version.
    version = catalogo.version_del_catalogo()
    with _cache_lock:
        if (
            _cache is not None
            and _cache[1].version == version
            and ahora - _cache[1].leido < _RELEER_SEGUNDOS
        ):
            _cache = (ahora, _cache[1])
            return _cache[1]
    filas = list(Asunto.objects.order_by("orden", "nombre").values_list("id", "clave", "nombre"))
    leido = CatalogoAsuntos(
        opciones=[(clave, nombre) for _, clave, nombre in filas],
        ids={clave: pk for pk, clave, _ in filas},
        leido=ahora,
        version=version,
    )
    with _cache_lock:
        _cache = (ahora, leido)
    return leido


def olvidar_asuntos() -> None:
    """Drops the cached asunto list and the catalog the lookups remember (tests: each
    test database starts its own catalog)."""
    global _cache
    with _cache_lock:
        _cache = None
    catalogo.olvidar()


@dataclass(frozen=True)
class Filtros:
    asunto: str = ""
    estatus: str = ""
    desde: date | None = None
    hasta: date | None = None
    folio: str = ""
    pagina: int = 1

    def como_parametros(self) -> dict[str, str]:
        """The filters as query-string values (without the page), for page links."""
        valores = {
            "asunto": self.asunto,
            "estatus": self.estatus,
            "recibida_desde": self.desde.isoformat() if self.desde else "",
            "recibida_hasta": self.hasta.isoformat() if self.hasta else "",
            "folio": self.folio,
        }
        return {k: v for k, v in valores.items() if v}


# The service began in 2020 (Buzón IMSS); a search beyond these years can find nothing,
# and 9999-12-31 plus one day would overflow the date arithmetic of the filter.
PRIMER_ANIO, ULTIMO_ANIO = 2000, 2999


_FECHA_DMA = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _fecha(valor: str, campo: str, *, dma: bool = False) -> date | None:
    if not valor:
        return None
    fecha: date | None = None
    try:
        if dma and (partes := _FECHA_DMA.fullmatch(valor)):
            dia, mes, anio = (int(p) for p in partes.groups())
            fecha = date(anio, mes, dia)
        else:
            fecha = date.fromisoformat(valor)
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


def leer_filtros(entrada: Mapping[str, Any], *, pagina_web: bool = False) -> Filtros:
    """Filters from a query string; ErrorDominio for values that cannot be understood.

    ``pagina_web``: the Tablero also takes dates as dd/mm/aaaa, as it shows them (the
    API keeps AAAA-MM-DD), like the staff queue (atencion.consultas.leer_filtros).
    """
    parametros = {k: sin_controles(str(entrada.get(k) or "")) for k in PARAMETROS}
    estatus = str(parametros.get("estatus", "") or "").strip()
    if estatus and estatus not in Estatus.values:
        raise ErrorDominio("estatus_invalido")
    desde = _fecha(
        str(parametros.get("recibida_desde", "") or "").strip(), "recibida_desde", dma=pagina_web
    )
    hasta = _fecha(
        str(parametros.get("recibida_hasta", "") or "").strip(), "recibida_hasta", dma=pagina_web
    )
    if desde and hasta and desde > hasta:
        raise ErrorDominio("rango_invalido")
    pagina = leer_pagina(parametros.get("pagina"))
    return Filtros(
        asunto=str(parametros.get("asunto", "") or "").strip(),
        estatus=estatus,
        desde=desde,
        hasta=hasta,
        folio=str(parametros.get("folio", "") or "").strip()[:30],
        pagina=pagina,
    )


def _inicio_del_dia(dia: date) -> datetime:
    """Midnight of a Mexico City date, as an aware datetime (stored and compared in UTC)."""
    return datetime.combine(dia, time.min, tzinfo=ZONA_MEXICO)


def solicitudes_de(contribuyente: Contribuyente, filtros: Filtros) -> QuerySet[Solicitud]:
    consulta = Solicitud.objects.filter(contribuyente=contribuyente)
    if filtros.asunto:
        # By id, so the (contribuyente, asunto, -recibida, -id) index applies without a join.
        asunto_id = catalogo_asuntos().ids.get(filtros.asunto)
        if asunto_id is not None:
            consulta = consulta.filter(asunto_id=asunto_id)
        else:  # created after the cache was filled, or unknown
            consulta = consulta.filter(asunto__clave=filtros.asunto)
    if filtros.estatus:
        consulta = consulta.filter(estatus=filtros.estatus)
    if filtros.desde:
        consulta = consulta.filter(recibida__gte=_inicio_del_dia(filtros.desde))
    if filtros.hasta:
        consulta = consulta.filter(recibida__lt=_inicio_del_dia(filtros.hasta + timedelta(days=1)))
    if filtros.folio:
        partes = interpretar(filtros.folio)
        if partes is not None:
            consulta = consulta.filter(folio=filtros.folio.strip().upper())
        else:
            consulta = consulta.filter(folio__icontains=filtros.folio)
    return consulta.order_by("-recibida", "-id")


@dataclass(frozen=True)
class Pagina:
    total: int
    pagina: int
    paginas: int
    desde: int  # offset of the first row

    @property
    def anterior(self) -> int | None:
        return self.pagina - 1 if self.pagina > 1 else None

    @property
    def siguiente(self) -> int | None:
        return self.pagina + 1 if self.pagina < self.paginas else None


def filas_de_pagina(consulta: QuerySet[Solicitud], pagina: Pagina) -> QuerySet[Solicitud]:
    """The page's rows. The OFFSET runs in a subquery over ids only, which the composite
    indexes answer without touching the table, so page 400 costs about what page 1 does;
    the outer query then reads just those rows."""
    ids = consulta.values("pk")[pagina.desde : pagina.desde + POR_PAGINA]
    return Solicitud.objects.filter(pk__in=ids).order_by("-recibida", "-id")


def paginar(consulta: QuerySet[Any], pagina: int, *, ajustar: bool = False) -> Pagina:
    """Counts once and says which slice to read. ``ajustar`` moves a page past the end to
    the last one (the HTML page); the API answers an empty page instead."""
    total = consulta.count()
    paginas = max(1, math.ceil(total / POR_PAGINA))
    if ajustar:
        pagina = min(pagina, paginas)
    return Pagina(total=total, pagina=pagina, paginas=paginas, desde=(pagina - 1) * POR_PAGINA)


# -- The Tablero's page in SQL written once -------------------------------------------
#
# Compiling the two ORM querysets of a page (COUNT and rows) costs about 0.8 ms of
# Python per request, ten times what the database spends answering them; the dashboard
# must serve at a third of a bare view's rate, so its page is read with the same
# conditions written as SQL. tests/test_tablero_sql.py checks, on SQLite and PostgreSQL,
# that both give the same rows in the same order for every filter.

FilaTablero = tuple[str, str, str, datetime, date | None, str, date | None]


class FilasTablero(list[FilaTablero]):
    """A page's rows. ``contenido`` keeps the page's main part once the view has made
    it, so a page remembered by version (pagina_del_tablero) is not formatted again."""

    contenido: str | None = None


def _condiciones_sql(contribuyente_id: int, filtros: Filtros) -> tuple[str, list[Any]]:
    """The WHERE of a taxpayer's page (alias ``s``), with its parameters adapted to the
    database the way the ORM adapts them (datetimes to UTC text on SQLite)."""
    ops = connection.ops
    partes: list[str] = ["s.contribuyente_id = %s"]
    parametros: list[Any] = [contribuyente_id]
    if filtros.asunto:
        asunto_id = catalogo_asuntos().ids.get(filtros.asunto)
        if asunto_id is not None:
            partes.append("s.asunto_id = %s")
            parametros.append(asunto_id)
        else:  # created after the cache was filled, or unknown
            asuntos = Asunto._meta.db_table
            partes.append(f"s.asunto_id IN (SELECT id FROM {asuntos} WHERE clave = %s)")  # noqa: S608
            parametros.append(filtros.asunto)
    if filtros.estatus:
        partes.append("s.estatus = %s")
        parametros.append(filtros.estatus)
    if filtros.desde:
        partes.append("s.recibida >= %s")
        parametros.append(ops.adapt_datetimefield_value(_inicio_del_dia(filtros.desde)))
    if filtros.hasta:
        partes.append("s.recibida < %s")
        siguiente = _inicio_del_dia(filtros.hasta + timedelta(days=1))
        parametros.append(ops.adapt_datetimefield_value(siguiente))
    if filtros.folio:
        if interpretar(filtros.folio) is not None:
            partes.append("s.folio = %s")
            parametros.append(filtros.folio.strip().upper())
        else:
            # Folios are ASCII: UPPER on both sides is a case-insensitive match on both
            # engines; the typed text is escaped so % and _ match themselves.
            partes.append("UPPER(s.folio) LIKE UPPER(%s) ESCAPE '\\'")
            parametros.append(f"%{ops.prep_for_like_query(filtros.folio)}%")
    return " AND ".join(partes), parametros


def _momento_bd(valor: Any) -> datetime:
    # SQLite gives the stored UTC as naive (Django's converter) or text; PostgreSQL an
    # aware datetime.
    momento = datetime.fromisoformat(valor) if isinstance(valor, str) else valor
    return momento if momento.tzinfo else momento.replace(tzinfo=UTC)  # type: ignore[no-any-return]


def _fecha_bd(valor: Any) -> date | None:
    return date.fromisoformat(valor) if isinstance(valor, str) else valor


# Pages already read, by taxpayer, version of their requests (ConteoSolicitudes.version,
# which the database raises with every insert, change or delete of one of them, and of
# their history, evidence and audit rows: migrations 0005 and 0015), catalog read and
# filters. A version is never reused, so an entry is right for as long as its version is
# current: a page seen again costs one indexed read of the version instead of the page's
# query. Per process, at most settings.BUZON_TABLERO_PAGINAS (0 turns it off). Decision
# 0012 has the measured gain.
_paginas: Memoria[tuple[Pagina, FilasTablero]] = Memoria(lambda: settings.BUZON_TABLERO_PAGINAS)
# Detalle, page and API alike (promociones.views, promociones.api), by taxpayer, folio,
# the same version and catalog read: settings.BUZON_DETALLE_PAGINAS. Decision 0017.
_detalles: Memoria[Any] = Memoria(lambda: settings.BUZON_DETALLE_PAGINAS)


def olvidar_paginas() -> None:
    _paginas.olvidar()
    _detalles.olvidar()


# The version as the session's read brought it (cuentas.sesiones.Adjunta, registered in
# promociones.apps): a page behind a session then reads no version of its own, one round
# trip less on PostgreSQL (decision 0023). Missing when the taxpayer came by API token.
VERSION_TRAIDA = "version_de_solicitudes_traida"


class _Leer:
    """No version brought: read it now."""


LEER = _Leer()


def version_traida(contribuyente: Any) -> int | _Leer | None:
    """The version the session's read left on ``contribuyente`` (None: no requests yet),
    or LEER when it brought none."""
    valor = getattr(contribuyente, VERSION_TRAIDA, LEER)
    return valor if isinstance(valor, _Leer) or valor is None else int(valor)


def _version(contribuyente_id: int, traida: int | _Leer | None = LEER) -> int | None:
    """The current version of the taxpayer's requests; None before their first one."""
    if not isinstance(traida, _Leer):
        return traida
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version FROM {ConteoSolicitudes._meta.db_table}"  # noqa: S608
            " WHERE contribuyente_id = %s",
            [contribuyente_id],
        )
        fila = cursor.fetchone()
    return None if fila is None else int(fila[0])


def pagina_del_tablero(
    contribuyente_id: int,
    filtros: Filtros,
    *,
    ajustar: bool = True,
    version: int | _Leer | None = LEER,
) -> tuple[Pagina, FilasTablero]:
    """The page the Tablero shows: its Pagina and rows of (folio, servicio, asunto,
    recibida, respuesta_a_partir_del, estatus, fecha_respuesta_o_canalizacion), newest
    first. Same semantics as paginar() + filas_de_pagina() over solicitudes_de().

    The page may come from memory while the taxpayer's version is the one it was read
    at (see _paginas) and the catalog has not changed since it was read (the key holds
    the catalog's read, which a new version of the catalog replaces within a second).
    ``version``: the one this request's session read brought (version_traida), if any."""
    if settings.BUZON_TABLERO_PAGINAS <= 0:
        return _leer_pagina(contribuyente_id, filtros, ajustar=ajustar)
    version = _version(contribuyente_id, version)
    if version is None:  # no requests yet: nothing worth remembering
        return _leer_pagina(contribuyente_id, filtros, ajustar=ajustar)
    return _paginas.recordar(
        (contribuyente_id, version, catalogo_asuntos().leido, filtros, ajustar),
        lambda: _leer_pagina(contribuyente_id, filtros, ajustar=ajustar),
    )


def detalle_recordado(
    contribuyente_id: int,
    folio: str,
    formato: str,
    hacer: Callable[[], T],
    *,
    version: int | _Leer | None = LEER,
) -> T:
    """``hacer()``: one of the taxpayer's requests as Detalle shows it in ``formato``
    ("html": the page's main part; "api": the contract's JSON), remembered while the
    taxpayer's version and the catalog read are the ones it was made at.

    ``hacer`` must check that ``folio`` is the taxpayer's (and raise otherwise): only
    what it made is remembered, under this taxpayer's id, and a request never changes
    owner, so an entry found is one this taxpayer was already allowed to see. The
    version is read before ``hacer`` runs: a change in between is in the entry but not
    in its key, and the next view makes it again."""
    if settings.BUZON_DETALLE_PAGINAS <= 0:
        return hacer()
    version = _version(contribuyente_id, version)
    if version is None:  # not one request yet: no folio of hers to show
        return hacer()
    return _detalles.recordar(
        (contribuyente_id, folio, formato, version, catalogo_asuntos().leido), hacer
    )


def _leer_pagina(
    contribuyente_id: int, filtros: Filtros, *, ajustar: bool
) -> tuple[Pagina, FilasTablero]:
    donde, parametros = _condiciones_sql(contribuyente_id, filtros)
    solicitudes = Solicitud._meta.db_table
    if len(parametros) == 1:  # no filter: the total the database keeps (ConteoSolicitudes)
        conteo = (
            f"SELECT COALESCE((SELECT total FROM {ConteoSolicitudes._meta.db_table}"  # noqa: S608
            " WHERE contribuyente_id = %s), 0)"
        )
    else:
        conteo = f"SELECT COUNT(*) FROM {solicitudes} s WHERE {donde}"  # noqa: S608
    # One round trip: the page's rows carry the total as an uncorrelated scalar subquery
    # (evaluated once by both engines). The OFFSET runs over ids in the index (see
    # filas_de_pagina); the outer query reads only the page's rows and their two names.
    # Only model table names and the fixed fragments of _condiciones_sql are formatted
    # into the SQL; every value the person typed travels as a parameter.
    sql_pagina = (
        f"SELECT ({conteo}),"  # noqa: S608
        f" s.folio, sv.nombre, a.nombre, s.recibida, s.respuesta_a_partir_del,"
        f" s.estatus, s.fecha_respuesta_o_canalizacion"
        f" FROM {solicitudes} s"
        f" JOIN {Servicio._meta.db_table} sv ON sv.id = s.servicio_id"
        f" JOIN {Asunto._meta.db_table} a ON a.id = s.asunto_id"
        f" WHERE s.id IN (SELECT s.id FROM {solicitudes} s WHERE {donde}"
        f" ORDER BY s.recibida DESC, s.id DESC LIMIT %s OFFSET %s)"
        f" ORDER BY s.recibida DESC, s.id DESC"
    )
    numero = filtros.pagina
    with connection.cursor() as cursor:
        cursor.execute(
            sql_pagina, [*parametros, *parametros, POR_PAGINA, (numero - 1) * POR_PAGINA]
        )
        crudas = cursor.fetchall()
        if crudas:
            total = crudas[0][0]
        else:  # nothing matches, or the page is past the end: count on its own
            cursor.execute(conteo, parametros)
            (total,) = cursor.fetchone()
        paginas = max(1, math.ceil(total / POR_PAGINA))
        if ajustar and numero > paginas:
            numero = paginas  # past the end: the HTML page shows the last one instead
            if total:
                desde = (numero - 1) * POR_PAGINA
                cursor.execute(sql_pagina, [*parametros, *parametros, POR_PAGINA, desde])
                crudas = cursor.fetchall()
    pagina = Pagina(total=total, pagina=numero, paginas=paginas, desde=(numero - 1) * POR_PAGINA)
    filas = FilasTablero(
        (
            folio,
            servicio,
            asunto,
            _momento_bd(recibida),
            _fecha_bd(respuesta),
            estatus,
            _fecha_bd(fecha),
        )
        for _, folio, servicio, asunto, recibida, respuesta, estatus, fecha in crudas
    )
    return pagina, filas


def respuesta_de(solicitud: Solicitud) -> Respuesta | None:
    """The institution's answer to ``solicitud``, once it has one."""

    return Respuesta.objects.filter(solicitud=solicitud).first()


def eventos_publicos(solicitud: Solicitud) -> list[Evento]:
    """The history a taxpayer sees: internal notes and staff views never appear."""
    return list(solicitud.eventos.filter(tipo__in=Evento.PUBLICOS).order_by("creado", "id"))
