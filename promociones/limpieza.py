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
  ``delete``), never local paths, so the sweep keeps working when storage moves to S3.
  Only the prefixes listed in :data:`DUENOS` are swept, each against the table that
  names its files; a prefix whose table cannot be found is left alone, never emptied.
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
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

__all__ = ["ANTIGUEDAD", "DUENOS", "Barrido", "limpiar_huerfanos"]

logger = logging.getLogger(__name__)

ANTIGUEDAD = timedelta(hours=1)
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
) -> Barrido:
    """Deletes stored files no row names and dead uploads' temporary files, both older
    than ``antiguedad``; returns what it deleted."""
    almacen = almacen or default_storage
    limite = (ahora or timezone.now()) - antiguedad
    barrido = Barrido()
    for prefijo, modelo, campo in DUENOS:
        try:
            tabla = apps.get_model(modelo)
            tabla._meta.get_field(campo)
        except LookupError:
            logger.warning("Sin tabla %s.%s: no se barre %s", modelo, campo, prefijo)
            continue
        candidatos: list[str] = []
        for nombre in _archivos(almacen, prefijo.rstrip("/")):
            if _modificado(almacen, nombre) < limite:
                candidatos.append(nombre)
            if len(candidatos) >= LOTE:
                barrido.archivos += _borrar_sin_fila(almacen, candidatos, tabla, campo)
                candidatos = []
        barrido.archivos += _borrar_sin_fila(almacen, candidatos, tabla, campo)
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


def _borrar_sin_fila(almacen: Storage, nombres: list[str], tabla: type, campo: str) -> list[str]:
    if not nombres:
        return []
    nombrados = set(
        tabla._default_manager.filter(**{f"{campo}__in": nombres}).values_list(  # type: ignore[attr-defined]
            campo, flat=True
        )
    )
    borrados = []
    for nombre in nombres:
        if nombre not in nombrados:
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
