"""Sweeping what a crash leaves behind: stored files no row names, and the temporary
files of uploads whose process died.

Why "file first, row after, sweep later":

- Evidence (and answer documents, and acuse PDFs) are stored under a fresh random name
  *before* the transaction that writes the row naming them. The row can only commit
  once its file is in place, so a row never names a missing file. If the transaction
  fails, the service deletes the file itself; only a process killed between the two
  steps (SIGKILL, out of memory, power cut) leaves a file that no row names.
- The opposite order (a "pending" row, then the file, then "complete") would put a
  status on every row and a filter on every query, and a crash would leave a row the
  taxpayer sees without its evidence. Orphan files harm nobody until swept; a
  half-made request would.
- A file is an orphan when no row names it *and* it is older than an hour. The hour is
  the grace for a filing whose transaction is still open: a filing takes seconds and
  gunicorn kills a request after 30 s, so an hour-old unnamed file can have no live
  writer.
- Only the storage API is used for stored files (``listdir``, ``get_modified_time``,
  ``delete``), never local paths, so the sweep works the same on a bucket (the storage
  suite runs it on S3). Only the prefixes listed in :data:`DUENOS` are swept, each
  against the table that names its files; a prefix whose table cannot be found is left
  alone, never emptied.
- The table is asked first and the file's age only for names no row has: on object
  storage each age is a request, and orphans are rare, so a sweep costs a listing and a
  query per 500 names rather than a request per stored file.
- Names carry their month (``<prefijo>/AAAA/MM/…``, archivos.almacen), and a crash
  leaves its orphan in the month it was writing: the hourly sweep inside the servers
  looks at this month and the last (:data:`MESES_RECIENTES`), so its cost follows a
  month's uploads, not the years kept; ``manage.py limpiar_huerfanos`` sweeps them all.
- Temporary uploads live in ``FILE_UPLOAD_TEMP_DIR``, a local directory by nature (the
  worker writes the request body there). A live upload writes a chunk every few
  seconds; one untouched for an hour belongs to a dead process. Only Django's own
  temporary names (``tmp….upload…``) are touched.

It runs from ``manage.py limpiar_huerfanos`` (a timer, or before starting the server)
and inside each server process on its first request and hourly after that
(``buzon.middleware.limpieza_periodica``).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

__all__ = ["ANTIGUEDAD", "DUENOS", "MESES_RECIENTES", "Barrido", "limpiar_huerfanos"]

logger = logging.getLogger(__name__)

ANTIGUEDAD = timedelta(hours=1)
# Months the in-process sweep looks at: this one and the last (a file written just
# before midnight on the last day is still seen the next month).
MESES_RECIENTES = 2
# (storage prefix, model that names its files, field holding the storage name).
DUENOS: tuple[tuple[str, str, str], ...] = (
    ("evidencias/", "promociones.Evidencia", "archivo"),
    ("respuestas/", "promociones.Respuesta", "documento"),
    ("acuses/", "acuses.PdfAcuse", "archivo"),
)
LOTE = 500  # names checked against the table per query


@dataclass
class Barrido:
    archivos: list[str] = field(default_factory=list)  # storage names deleted
    temporales: list[str] = field(default_factory=list)  # temporary files deleted


def limpiar_huerfanos(
    *,
    antiguedad: timedelta = ANTIGUEDAD,
    almacen: Storage | None = None,
    ahora: datetime | None = None,
    directorio_temporal: Path | None = None,
    meses: int | None = None,
) -> Barrido:
    """Deletes stored files no row names and dead uploads' temporary files, both older
    than ``antiguedad``; returns what it deleted. ``meses``: only the folders of the
    last that many months (``None``: every stored file)."""
    almacen = almacen or default_storage
    ahora = ahora or timezone.now()
    limite = ahora - antiguedad
    barrido = Barrido()
    for prefijo, modelo, campo in DUENOS:
        try:
            tabla = apps.get_model(modelo)
            tabla._meta.get_field(campo)
        except LookupError:
            logger.warning("Sin tabla %s.%s: no se barre %s", modelo, campo, prefijo)
            continue
        lote: list[str] = []
        for carpeta in _carpetas(prefijo.rstrip("/"), ahora, meses):
            for nombre in _archivos(almacen, carpeta):
                lote.append(nombre)
                if len(lote) >= LOTE:
                    barrido.archivos += _borrar_sin_fila(almacen, lote, tabla, campo, limite)
                    lote = []
        barrido.archivos += _borrar_sin_fila(almacen, lote, tabla, campo, limite)
    barrido.temporales = _limpiar_temporales(
        directorio_temporal or _directorio_temporal(), antiguedad
    )
    if barrido.archivos or barrido.temporales:
        logger.warning(
            "Limpieza: %d archivos sin fila y %d temporales de subidas interrumpidas borrados",
            len(barrido.archivos),
            len(barrido.temporales),
        )
    return barrido


def _carpetas(prefijo: str, ahora: datetime, meses: int | None) -> list[str]:
    if meses is None:
        return [prefijo]
    # Names are dated in UTC (archivos.almacen.nombre_nuevo: timezone.now()).
    utc = ahora.astimezone(UTC) if timezone.is_aware(ahora) else ahora
    anio, mes = utc.year, utc.month
    carpetas = []
    for _ in range(meses):
        carpetas.append(f"{prefijo}/{anio:04d}/{mes:02d}")
        anio, mes = (anio, mes - 1) if mes > 1 else (anio - 1, 12)
    return carpetas


def _archivos(almacen: Storage, carpeta: str) -> Iterator[str]:
    try:
        carpetas, archivos = almacen.listdir(carpeta)
    except FileNotFoundError:
        return
    for nombre in archivos:
        yield f"{carpeta}/{nombre}"
    for sub in carpetas:
        yield from _archivos(almacen, f"{carpeta}/{sub}")


def _modificado(almacen: Storage, nombre: str) -> datetime:
    try:
        momento = almacen.get_modified_time(nombre)
    except FileNotFoundError:  # deleted meanwhile: nothing to do, never "old"
        return timezone.now()
    return momento if timezone.is_aware(momento) else timezone.make_aware(momento)


def _borrar_sin_fila(
    almacen: Storage, nombres: list[str], tabla: type, campo: str, limite: datetime
) -> list[str]:
    if not nombres:
        return []
    nombrados = set(
        tabla._default_manager.filter(**{f"{campo}__in": nombres}).values_list(  # type: ignore[attr-defined]
            campo, flat=True
        )
    )
    borrados = []
    for nombre in nombres:
        if nombre not in nombrados and _modificado(almacen, nombre) < limite:
            almacen.delete(nombre)
            borrados.append(nombre)
    return borrados


def _directorio_temporal() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())


def _limpiar_temporales(directorio: Path, antiguedad: timedelta) -> list[str]:
    limite = time.time() - antiguedad.total_seconds()
    borrados = []
    try:
        entradas = list(os.scandir(directorio))
    except FileNotFoundError:
        return []
    for entrada in entradas:
        # Django's TemporaryUploadedFile: NamedTemporaryFile(suffix=".upload" + ext).
        if not (entrada.name.startswith("tmp") and ".upload" in entrada.name):
            continue
        try:
            if entrada.is_file(follow_symlinks=False) and entrada.stat().st_mtime < limite:
                os.unlink(entrada.path)
                borrados.append(entrada.name)
        except FileNotFoundError:
            continue
    return borrados
