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
    """The rows of ``consulta`` (ordered by respuesta_a_partir_del, id), LOTE at a time."""
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
    ultimo: tuple[Any, int] | None = None
    while True:
        parte = consulta
        if ultimo is not None:
            # A row-value comparison both engines walk in the (respuesta, id) indexes.
            parte = parte.extra(  # noqa: S610 — names from the model, values as parameters
                where=[f'("{tabla}"."respuesta_a_partir_del", "{tabla}"."id") > (%s, %s)'],
                params=[connection.ops.adapt_datefield_value(ultimo[0]), ultimo[1]],
            )
        filas = list(parte.values_list(*columnas)[:LOTE])
        if not filas:
            return
        yield filas
        if len(filas) < LOTE:
            return
        ultimo = (filas[-1][-2], filas[-1][-1])


def filas_csv(
    user: Any, filtros: consultas.FiltrosPersonal, ctx: consultas.Contexto
) -> Iterator[str]:
    """The CSV text, header first, one chunk per slice of rows."""
    cat = consultas.catalogo()
    areas = {a.id: a.nombre for a in ctx.areas}
    estatus_texto = dict(Estatus.choices)
    consulta = consultas.solicitudes_de_personal(user, filtros, hoy=ctx.hoy, ctx=ctx)
    buffer = io.StringIO()
    escritor = csv.writer(buffer, lineterminator="\r\n")
    escritor.writerow(COLUMNAS)
    yield "\ufeff" + buffer.getvalue()
    for filas in _lotes(consulta):
        buffer.seek(0)
        buffer.truncate()
        for folio, serv, asu, area, rfc, nombre, estatus, recibida, asignada, respuesta, _ in filas:
            vencida = estatus != Estatus.ATENDIDO and respuesta < ctx.hoy
            escritor.writerow(
                [
                    neutralizar(folio),
                    neutralizar(cat.nombres_servicio.get(serv, "")),
                    neutralizar(cat.nombres_asunto.get(asu, "")),
                    neutralizar(areas.get(area, "")),
                    neutralizar(rfc),
                    neutralizar(nombre),
                    estatus_texto.get(estatus, estatus),
                    recibida.astimezone(ZONA_MEXICO).strftime("%d/%m/%Y %H:%M"),
                    respuesta.strftime("%d/%m/%Y"),
                    neutralizar(asignada or ""),
                    "Sí" if vencida else "No",
                ]
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
