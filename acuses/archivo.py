"""Each acuse's signed PDF, rendered once and stored; a download reads the file.

The PDF is made right after the transaction that issued the acuse commits (never
before: a rolled-back step must leave no file), and, for an acuse whose PDF is missing
(issued before this module, or a crash between commit and render), on its first
download. The file is written before its row, under a random name; a crash between the
two leaves a file that no row names, which the orphan sweep removes.

A stored PDF whose bytes no longer match the recorded SHA-256 is never served: it is
logged as an integrity error and rendered again from the sealed facts, which remain the
source of truth. So is one that is missing, or that the storage cannot give back right
now (object storage unreachable): the acuse is the facts, the file only saves the
rendering, so a download never fails for want of it. Only the storage API is used
(``open``, ``save`` through ``archivos.almacen``, ``delete``), never a local path.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from acuses import pdf
from acuses.models import Acuse, PdfAcuse
from archivos import almacen as almacen_archivos
from archivos.almacen import AlmacenNoDisponible
from buzon.errores import ErrorDominio

logger = logging.getLogger(__name__)

PREFIJO = "acuses/"


def pdf_para_descargar(acuse: Acuse, *, almacen: Storage | None = None) -> bytes:
    """The stored PDF of ``acuse``, made and stored first when there is none yet."""
    almacen = almacen or default_storage
    guardado = PdfAcuse.objects.filter(acuse=acuse).first()
    if guardado is not None:
        datos = _leer(guardado, almacen)
        if datos is not None:
            return datos
    return guardar_pdf(acuse, almacen=almacen, reemplazar=guardado)


def guardar_pdf(
    acuse: Acuse, *, almacen: Storage | None = None, reemplazar: PdfAcuse | None = None
) -> bytes:
    """Renders, signs and stores the PDF of ``acuse``; returns its bytes.

    Two first downloads racing both render; the row's uniqueness lets one store, and the
    other removes its own file and serves what it rendered (equally valid).
    """
    almacen = almacen or default_storage
    try:
        datos = pdf.pdf_de(acuse)
    except pdf.RenderExcedido:
        logger.error("El PDF del acuse %s excedió su tiempo de generación", acuse.pk)
        raise ErrorDominio("acuse_no_disponible") from None
    ahora = timezone.now()
    try:
        nombre = almacen_archivos.guardar(
            PREFIJO.rstrip("/"), "pdf", ContentFile(datos), almacen=almacen
        )
    except ErrorDominio as exc:  # storage full or not answering: serve it unstored
        logger.error(
            "No se pudo guardar el PDF del acuse %s (%s); se entrega sin guardar",
            acuse.pk,
            exc.codigo,
        )
        return datos
    valores = {
        "archivo": nombre,
        "bytes": len(datos),
        "sha256": hashlib.sha256(datos).hexdigest(),
        "creado": ahora,
    }
    sobrante = None
    try:
        with transaction.atomic():
            if reemplazar is not None:
                PdfAcuse.objects.filter(pk=reemplazar.pk).update(**valores)
                sobrante = reemplazar.archivo
            else:
                PdfAcuse.objects.create(acuse=acuse, **valores)
    except IntegrityError:
        sobrante = nombre
    if sobrante is not None:
        _borrar(almacen, sobrante)
    return datos


def _borrar(almacen: Storage, nombre: str) -> None:
    # A file no row names any more; if it cannot be removed now, the sweep will.
    try:
        almacen.delete(nombre)
    except OSError:
        logger.exception("No se pudo borrar %s; lo quitará el barrido", nombre)


def guardar_tras_emitir(acuse_id: int) -> None:
    """The on-commit step of issuing: store the PDF now, so downloads only read it.

    A failure here loses nothing: the first download renders it instead.
    """
    try:
        acuse = Acuse.objects.get(pk=acuse_id)
        if not PdfAcuse.objects.filter(acuse=acuse).exists():
            guardar_pdf(acuse)
    except Exception:
        logger.exception(
            "No se pudo guardar el PDF del acuse %s; se generará al descargarlo", acuse_id
        )


def _leer(guardado: PdfAcuse, almacen: Storage) -> bytes | None:
    try:
        with almacen.open(guardado.archivo, "rb") as archivo:
            datos = archivo.read(guardado.bytes + 1)
    except FileNotFoundError:
        logger.error("Falta el PDF del acuse %s (%s)", guardado.acuse_id, guardado.archivo)
        return None
    except AlmacenNoDisponible as exc:
        logger.error(
            "El almacenamiento no dio el PDF del acuse %s (%s); se genera de nuevo",
            guardado.acuse_id,
            exc,
        )
        return None
    if len(datos) != guardado.bytes or hashlib.sha256(datos).hexdigest() != guardado.sha256:
        logger.error(
            "El PDF guardado del acuse %s no coincide con su SHA-256; se genera de nuevo",
            guardado.acuse_id,
        )
        return None
    return datos
