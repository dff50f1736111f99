"""The one way a file reaches storage: under a fresh random name, whole or not at all.

Evidence, answer documents and acuse PDFs are all stored here. Each is written under a
name made of a prefix, the month and a random UUID (nothing about who sent it), and a
write that fails half-way (a full disk, a storage error) removes what it had written
before the error goes on: a partial file never stays under a name a row could point
to. A full disk is a 503 with its code, so the person is told to retry later and the
filing or answer that needed the file is not recorded.
"""

from __future__ import annotations

import errno
import logging
import uuid
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from buzon.errores import ErrorDominio

logger = logging.getLogger(__name__)

# No space left, or over a quota: the disk (or volume) is full, not the file at fault.
_LLENO = frozenset({errno.ENOSPC, errno.EDQUOT})


def nombre_nuevo(prefijo: str, extension: str) -> str:
    """``<prefijo>/<AAAA>/<MM>/<uuid>.<extension>``."""
    ahora = timezone.now()
    return f"{prefijo}/{ahora:%Y}/{ahora:%m}/{uuid.uuid4().hex}.{extension}"


def guardar(
    prefijo: str,
    extension: str,
    contenido: File[Any] | IO[bytes],
    *,
    almacen: Storage | None = None,
) -> str:
    """Stores ``contenido`` under a new name and returns it; on failure nothing stays.

    Raises ErrorDominio ``almacenamiento_lleno`` (503) when the storage is full; any
    other storage error goes on as it is, after the partial file is removed.
    """
    almacen = almacen or default_storage
    nombre = nombre_nuevo(prefijo, extension)
    try:
        return almacen.save(nombre, contenido)
    except OSError as exc:
        _quitar_parcial(almacen, nombre)
        if exc.errno in _LLENO:
            logger.error("Almacenamiento lleno al guardar %s: %s", nombre, exc)
            raise ErrorDominio("almacenamiento_lleno") from exc
        raise
    except BaseException:
        _quitar_parcial(almacen, nombre)
        raise


def borrar(nombre: str, *, almacen: Storage | None = None) -> None:
    (almacen or default_storage).delete(nombre)


def _quitar_parcial(almacen: Storage, nombre: str) -> None:
    # The name is new (a random UUID), so whatever is there is this write's own remains.
    try:
        almacen.delete(nombre)
    except OSError:
        logger.exception("No se pudo borrar el archivo parcial %s; lo quitará el barrido", nombre)
