"""The answer's PDF: the checks it must pass and where it is kept (like evidence)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from buzon.errores import ErrorDominio
from promociones.evidencias import sanear_nombre

# The same bound as evidence: "menor a 10 MB".
LIMITE_BYTES = 10 * 1024 * 1024
BLOQUE = 64 * 1024
FIRMA_PDF = b"%PDF-"
MENSAJE_REGLA = "Adjunta el documento de respuesta en PDF, de menos de 10 MB."


@dataclass(frozen=True)
class DocumentoGuardado:
    nombre_original: str
    bytes: int
    sha256: str
    clave: str


def _error(codigo: str, mensaje: str, status: int = 400) -> ErrorDominio:
    return ErrorDominio(codigo, mensaje, campo="documento", status=status)


def validar_y_guardar_documento(
    archivo: UploadedFile | None, *, almacen: Storage | None = None
) -> DocumentoGuardado:
    """Checks that ``archivo`` is a PDF under the limit and streams it to storage.

    Only the bytes decide (the %PDF- header), never the name or the client's type.
    """
    if archivo is None:
        raise _error("documento_requerido", MENSAJE_REGLA)
    tamano = archivo.size if archivo.size is not None else 0
    if tamano == 0:
        raise _error("documento_requerido", "El documento está vacío. " + MENSAJE_REGLA)
    if tamano >= LIMITE_BYTES:
        raise _error("documento_muy_grande", MENSAJE_REGLA, status=413)
    archivo.seek(0)
    if archivo.read(len(FIRMA_PDF)) != FIRMA_PDF:
        raise _error("documento_no_pdf", "El documento no es un PDF. " + MENSAJE_REGLA)
    resumen = hashlib.sha256()
    archivo.seek(0)
    while bloque := archivo.read(BLOQUE):
        resumen.update(bloque)
    nombre = sanear_nombre(archivo.name or "") or "respuesta.pdf"
    ahora = timezone.now()
    archivo.seek(0)
    clave = (almacen or default_storage).save(
        f"respuestas/{ahora:%Y}/{ahora:%m}/{uuid.uuid4().hex}.pdf", archivo
    )
    return DocumentoGuardado(nombre, tamano, resumen.hexdigest(), clave)


def borrar_documento(clave: str, *, almacen: Storage | None = None) -> None:
    (almacen or default_storage).delete(clave)
