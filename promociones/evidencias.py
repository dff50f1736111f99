"""Evidence files: the checks a .zip must pass and where it is kept.

The filing service calls :func:`validar_y_guardar_evidencia` before it writes any row
and :func:`borrar_evidencia` if the filing then fails, so that a failed filing leaves
no file behind. The file is stored as received, never extracted, under a random key
that says nothing about who sent it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile

from archivos import almacen as almacen_archivos
from buzon.errores import ErrorDominio
from buzon.lib.zips import ZipInvalido, ZipPeligroso, inspeccionar_zip
from promociones.antivirus import Antivirus, antivirus_configurado

__all__ = [
    "LIMITE_BYTES",
    "ArchivoExcedido",
    "EvidenciaGuardada",
    "borrar_evidencia",
    "error_muy_grande",
    "es_nombre_de_zip",
    "sanear_nombre",
    "sha256_de",
    "validar_y_guardar_evidencia",
]

# "Menor a 10 MB": 10,485,760 bytes is already too big.
LIMITE_BYTES = 10 * 1024 * 1024
BLOQUE = 64 * 1024
LARGO_NOMBRE = 255  # Evidencia.nombre_original


@dataclass(frozen=True)
class EvidenciaGuardada:
    nombre_original: str
    bytes: int
    sha256: str
    clave: str  # the storage name


@dataclass(frozen=True)
class ArchivoExcedido:
    """A file refused for its size, as the upload saw it: its name and how much it weighs."""

    nombre: str
    bytes: int

    def error(self) -> ErrorDominio:
        return error_muy_grande(self.nombre, self.bytes)


def validar_y_guardar_evidencia(
    archivo: UploadedFile,
    *,
    antivirus: Antivirus | None = None,
    almacen: Storage | None = None,
) -> EvidenciaGuardada:
    """Checks ``archivo`` and streams it to storage, or raises ``ErrorDominio``.

    The cheap checks come first (name, size), then the zip inspection, then the
    scanner, and only a file that passed them all is kept: a big upload the handler
    already sent to object storage (``promociones.subidas``) is deleted when refused.
    The client's content
    type is never consulted: only the bytes decide. Every refusal names the file (and,
    for what is inside the zip, the file inside it at fault).
    """
    nombre = sanear_nombre(archivo.name or "")
    if not es_nombre_de_zip(nombre):
        if not nombre:
            raise ErrorDominio("evidencia_no_zip")
        raise ErrorDominio("evidencia_no_zip.extension", nombre=nombre)
    tamano = _tamano(archivo)
    if tamano >= LIMITE_BYTES:
        raise error_muy_grande(nombre, tamano)
    if tamano == 0:
        raise ErrorDominio("evidencia_no_zip.vacio", nombre=nombre)
    # An UploadedFile proxies read/seek/tell to the binary file it wraps.
    binario = cast(BinaryIO, archivo)
    try:
        archivo.seek(0)
        resumen = inspeccionar_zip(binario, nombre=nombre)
    except ZipInvalido as exc:
        raise ErrorDominio("evidencia_no_zip", mensaje=exc.mensaje) from None
    except ZipPeligroso as exc:
        # The inspector's sentence says which file inside the zip and why, on its own.
        raise ErrorDominio("evidencia_peligrosa", mensaje=exc.mensaje) from None
    if resumen.entradas == 0:
        raise ErrorDominio("evidencia_no_zip.sin_entradas", nombre=nombre)
    if resumen.archivos == 0:
        # Only folders: the taxpayer zipped the folder structure but not the documents.
        raise ErrorDominio("evidencia_sin_archivos", nombre=nombre)
    archivo.seek(0)
    (antivirus or antivirus_configurado()).escanear(binario)
    # The upload handler hashed the bytes as they arrived; only files that came
    # another way are read once more here.
    sha256 = sha256_de(archivo)
    archivo.seek(0)
    # A temporary upload is moved into place, not copied; others are written in chunks.
    # Object storage checks the bytes it receives against the hash recorded here.
    clave = almacen_archivos.guardar("evidencias", "zip", archivo, sha256=sha256, almacen=almacen)
    return EvidenciaGuardada(nombre_original=nombre, bytes=tamano, sha256=sha256, clave=clave)


def borrar_evidencia(clave: str, *, almacen: Storage | None = None) -> None:
    """Removes a stored evidence file (a filing that failed after storing it)."""
    (almacen or default_storage).delete(clave)


def es_nombre_de_zip(nombre: str) -> bool:
    """Whether the client's file name (cleaned as :func:`sanear_nombre` does) is a .zip's:
    the first check evidence passes."""
    return sanear_nombre(nombre).lower().endswith(".zip")


def error_muy_grande(nombre: str | None = None, tamano: int | None = None) -> ErrorDominio:
    """413 ``evidencia_muy_grande``, naming the file and its size when they are known."""
    if not nombre or tamano is None:
        return ErrorDominio("evidencia_muy_grande")
    return ErrorDominio("evidencia_muy_grande.tamano", nombre=nombre, tamano=megabytes(tamano))


def megabytes(cantidad: int) -> str:
    """``11744051`` → ``11.2 MB`` (MB of 1,048,576 bytes, as the 10 MB limit counts them)."""
    return f"{cantidad / (1024 * 1024):,.1f} MB"


def sanear_nombre(nombre: str) -> str:
    """The client's file name, fit to show and store: no path, no invisible characters.

    Accents and ñ stay (normalised to NFC, since macOS sends decomposed letters);
    control and format characters go, including the right-to-left override used to
    disguise extensions («factura\\u202epiz.exe» reads as «factura exe.zip»).
    """
    nombre = unicodedata.normalize("NFC", nombre)
    nombre = nombre.replace("\\", "/").rsplit("/", 1)[-1]
    nombre = "".join(
        c for c in nombre if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")
    )
    nombre = " ".join(nombre.split())
    if len(nombre) > LARGO_NOMBRE:
        extension = PurePosixPath(nombre).suffix[:20]
        nombre = nombre[: LARGO_NOMBRE - len(extension)] + extension
    return nombre


def _tamano(archivo: UploadedFile) -> int:
    if archivo.size is not None:
        return archivo.size
    archivo.seek(0, 2)
    return archivo.tell()


def sha256_de(archivo: UploadedFile) -> str:
    """The file's SHA-256, from the upload handler when it hashed it on arrival."""
    return getattr(archivo, "sha256", None) or _sha256(archivo)


def _sha256(archivo: UploadedFile) -> str:
    resumen = hashlib.sha256()
    archivo.seek(0)
    while bloque := archivo.read(BLOQUE):
        resumen.update(bloque)
    return resumen.hexdigest()
