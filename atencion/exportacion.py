"""The staff queue as CSV: every request of the filtered queue, streamed.

UTF-8 with a byte-order mark, so Excel shows accents and eñes; read in slices of
``LOTE`` rows after the last one sent (keyset: *Respuesta a partir del*, id), so a
million rows never sit in the worker's memory and no slice costs more than the first
(an OFFSET would read every earlier row again). A cell that starts with = + - @ (or a
tab or carriage return) gets a leading apostrophe: a spreadsheet would otherwise run it
as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.http import StreamingHttpResponse

from atencion import consultas
from calendario.services import ZONA_MEXICO
from promociones.models import Estatus, Solicitud

LOTE = 2000
COLUMNAS = [
    "Folio",
    "Servicio",
    "Asunto",
    "Área",
    "RFC",
    "Nombre",
    "Estatus",
    "Recibida (hora de la Ciudad de México)",
    "Respuesta a partir del",
    "Asignada a",
    "Vencida",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralizar(valor: str) -> str:
    """A cell a spreadsheet shows as text, never runs."""
    return "'" + valor if valor.startswith(_FORMULA) else valor


def _lotes(consulta: Any) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``consulta`` (ordered by respuesta_a_partir_del, id), LOTE at a time.

    The ORM writes the SQL once per download (twice: the first slice and the next ones);
    each slice then runs it with the last row's key as parameters and reads the raw
    values: at a million rows the ORM's per-row conversions were most of the time.
    """
    tabla = Solicitud._meta.db_table
    columnas = (
        "folio",
        "servicio_id",
        "asunto_id",
        "area_id",
        "contribuyente__rfc",
        "contribuyente__nombre",
        "estatus",
        "recibida",
        "asignada_a__username",
        "respuesta_a_partir_del",
        "id",
    )
    primera, parametros = consulta.values_list(*columnas)[:LOTE].query.sql_with_params()
    # A row-value comparison both engines walk in the (respuesta, id) indexes; the key's
    # two values are the last two parameters.
    siguientes, parametros_siguientes = (
        consulta.extra(  # noqa: S610 — names from the model, values as parameters
            where=[f'("{tabla}"."respuesta_a_partir_del", "{tabla}"."id") > (%s, %s)'],
            params=[None, None],
        )
        .values_list(*columnas)[:LOTE]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(primera, parametros)
        filas = cursor.fetchall()
        while filas:
            yield filas
            if len(filas) < LOTE:
                return
            ultimo = filas[-1]
            cursor.execute(siguientes, [*parametros_siguientes[:-2], ultimo[-2], ultimo[-1]])
            filas = cursor.fetchall()


def _dia(valor: date | str) -> str:
    """dd/mm/aaaa of a date, or of the ISO text SQLite returns for one."""
    if isinstance(valor, str):
        return f"{valor[8:10]}/{valor[5:7]}/{valor[0:4]}"
    return f"{valor.day:02d}/{valor.month:02d}/{valor.year}"


def _momento(valor: datetime | str) -> str:
    """dd/mm/aaaa hh:mm in Mexico City of a stored moment: UTC, which SQLite's raw
    cursor gives naive (or as text)."""
    if isinstance(valor, str):
        valor = datetime.fromisoformat(valor)
    if valor.tzinfo is None:
        valor = valor.replace(tzinfo=UTC)
    m = valor.astimezone(ZONA_MEXICO)
    return f"{m.day:02d}/{m.month:02d}/{m.year} {m.hour:02d}:{m.minute:02d}"


def filas_csv(
    user: Any, filtros: consultas.FiltrosPersonal, ctx: consultas.Contexto
) -> Iterator[str]:
    """The CSV text, header first, one chunk per slice of rows."""
    cat = consultas.catalogo()
    servicios = {i: neutralizar(n) for i, n in cat.nombres_servicio.items()}
    asuntos = {i: neutralizar(n) for i, n in cat.nombres_asunto.items()}
    areas = {a.id: neutralizar(a.nombre) for a in ctx.areas}
    estatus_texto = dict(Estatus.choices)
    hoy, hoy_texto = ctx.hoy, ctx.hoy.isoformat()
    consulta = consultas.solicitudes_de_personal(user, filtros, hoy=ctx.hoy, ctx=ctx)
    buffer = io.StringIO()
    escritor = csv.writer(buffer, lineterminator="\r\n")
    escritor.writerow(COLUMNAS)
    yield "\ufeff" + buffer.getvalue()
    for filas in _lotes(consulta):
        buffer.seek(0)
        buffer.truncate()
        for folio, serv, asu, area, rfc, nombre, estatus, recibida, asignada, respuesta, _ in filas:
            limite = hoy_texto if isinstance(respuesta, str) else hoy
            vencida = estatus != Estatus.ATENDIDO and respuesta < limite
            escritor.writerow(
                (
                    neutralizar(folio),
                    servicios.get(serv, ""),
                    asuntos.get(asu, ""),
                    areas.get(area, ""),
                    neutralizar(rfc),
                    neutralizar(nombre),
                    estatus_texto.get(estatus, estatus),
                    _momento(recibida),
                    _dia(respuesta),
                    neutralizar(asignada) if asignada else "",
                    "Sí" if vencida else "No",
                )
            )
        yield buffer.getvalue()


def respuesta_csv(
    user: Any, filtros: consultas.FiltrosPersonal, ctx: consultas.Contexto
) -> StreamingHttpResponse:
    respuesta = StreamingHttpResponse(
        filas_csv(user, filtros, ctx), content_type="text/csv; charset=utf-8"
    )
    respuesta["Content-Disposition"] = (
        f'attachment; filename="solicitudes-{ctx.hoy.isoformat()}.csv"'
    )
    respuesta["Cache-Control"] = "no-store"
    return respuesta
