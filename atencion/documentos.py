"""The answer's PDF: the checks it must pass and where it is kept (like evidence).

The file is stored before the transaction that records the answer and deleted if that
transaction fails; a crash in between leaves a file no row names, which
``promociones.limpieza`` sweeps after an hour (its docstring tells why that order).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader

from archivos import almacen as almacen_archivos
from buzon.errores import ErrorDominio
from promociones.evidencias import sanear_nombre

# The same bound as evidence: "menor a 10 MB".
LIMITE_BYTES = 10 * 1024 * 1024
BLOQUE = 64 * 1024
FIRMA_PDF = b"%PDF-"
# An answer is a letter, not a book; a page tree claiming more is damaged or hostile.
MAX_PAGINAS = 2000


@dataclass(frozen=True)
class DocumentoGuardado:
    nombre_original: str
    bytes: int
    sha256: str
    clave: str


def validar_y_guardar_documento(
    archivo: UploadedFile | None, *, almacen: Storage | None = None
) -> DocumentoGuardado:
    """Checks that ``archivo`` is a PDF under the limit and streams it to storage.

    Only the bytes decide (the %PDF- header, then a PDF reader must open it), never
    the name or the client's type.
    """
    if archivo is None:
        raise ErrorDominio("documento_requerido")
    tamano = archivo.size if archivo.size is not None else 0
    if tamano == 0:
        raise ErrorDominio("documento_requerido.vacio")
    if tamano >= LIMITE_BYTES:
        raise ErrorDominio("documento_muy_grande")
    archivo.seek(0)
    if archivo.read(len(FIRMA_PDF)) != FIRMA_PDF:
        raise ErrorDominio("documento_no_pdf")
    if not _se_puede_abrir(archivo):
        raise ErrorDominio("documento_ilegible")
    resumen = hashlib.sha256()
    archivo.seek(0)
    while bloque := archivo.read(BLOQUE):
        resumen.update(bloque)
    nombre = sanear_nombre(archivo.name or "") or "respuesta.pdf"
    archivo.seek(0)
    sha256 = resumen.hexdigest()
    clave = almacen_archivos.guardar("respuestas", "pdf", archivo, sha256=sha256, almacen=almacen)
    return DocumentoGuardado(nombre, tamano, sha256, clave)


def _se_puede_abrir(archivo: UploadedFile) -> bool:
    """Whether a PDF reader opens it: cross-reference table, catalog, page tree, page 1.

    The reader is lazy, so the work is bounded by what is touched here (the xref and
    four objects), never by the file's pages or streams.
    """
    archivo.seek(0)
    try:
        lector = PdfFileReader(archivo, strict=False)  # type: ignore[arg-type]
        if lector.encrypted:
            return False
        paginas = lector.root["/Pages"]
        cuenta = int(paginas["/Count"])
        if not 0 < cuenta <= MAX_PAGINAS:
            return False
        primera = paginas["/Kids"][0]
        return primera["/Type"] in ("/Page", "/Pages")
    # A damaged file makes a parser fail in any of a dozen ways (its own errors,
    # KeyError, IndexError, ValueError, RecursionError on cyclic references): every
    # one of them means the same thing here.
    except Exception:
        return False
    finally:
        archivo.seek(0)


def borrar_documento(clave: str, *, almacen: Storage | None = None) -> None:
    (almacen or default_storage).delete(clave)
