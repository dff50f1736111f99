"""Each acuse's signed PDF, rendered once and stored; a download reads the file.

Issuing an acuse queues its PDF (a ``PdfPendiente`` row in the step's own transaction:
a rolled-back step queues nothing and leaves no file); the ``generar_acuses`` worker
renders and stores the queue oldest first (:func:`generar_pendientes`), outside any
request. A download that comes before the worker, or of an acuse whose PDF is missing,
renders and stores it on the spot. The file is written before its row, under a random
name; a crash between the two leaves a file that no row names, which the orphan sweep
removes. Storing the PdfAcuse row and removing the queue row are one transaction.

Several workers may run at once. Each claims a batch of queue rows with a random token
and a deadline (on PostgreSQL skipping rows another worker has locked; on SQLite the
conditional UPDATE alone decides, one writer at a time), so two workers do not render
the same acuse while both live; a worker that dies loses its claim at the deadline.
Should two renders of one acuse ever meet (a worker past its deadline, a download), the
PdfAcuse's uniqueness lets one store and the other removes its own file.

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
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from acuses import pdf
from acuses.models import Acuse, PdfAcuse, PdfPendiente
from archivos import almacen as almacen_archivos
from archivos.almacen import AlmacenNoDisponible
from buzon.errores import ErrorDominio

logger = logging.getLogger(__name__)

PREFIJO = "acuses/"
# Queue rows one worker claims at a time: a small batch keeps a claim's deadline short.
LOTE = 10


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
    sha256 = hashlib.sha256(datos).hexdigest()
    try:
        nombre = almacen_archivos.guardar(
            PREFIJO.rstrip("/"), "pdf", ContentFile(datos), sha256=sha256, almacen=almacen
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
        "sha256": sha256,
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
                PdfPendiente.objects.filter(acuse=acuse).delete()
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


@dataclass(frozen=True)
class Lote:
    """The queue rows one worker claimed together, under one token."""

    reclamo: str
    acuse_ids: list[int]


def reserva(limite: int = LOTE) -> timedelta:
    """How long a claim hides its rows from other workers: long enough for every render
    of the batch to use its whole budget and still be stored."""
    return timedelta(seconds=60 + limite * (pdf.presupuesto_segundos() + 20))


def _libre(ahora: datetime) -> Q:
    return Q(reclamo_vence__isnull=True) | Q(reclamo_vence__lte=ahora)


def reclamar(*, ahora: datetime, limite: int = LOTE) -> Lote:
    """Takes up to ``limite`` of the oldest unclaimed queue rows for a new token."""
    reclamo = secrets.token_hex(16)
    with transaction.atomic():
        candidatos = PdfPendiente.objects.filter(_libre(ahora)).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            candidatos = candidatos.select_for_update(skip_locked=True)
        ids = list(candidatos.values_list("pk", flat=True)[:limite])
        if not ids:
            return Lote(reclamo, [])
        # The same condition again: on SQLite nothing locked the rows since the read.
        PdfPendiente.objects.filter(_libre(ahora), pk__in=ids).update(
            reclamado_por=reclamo,
            reclamo_vence=ahora + reserva(limite),
            intentos=F("intentos") + 1,
        )
        tomados = PdfPendiente.objects.filter(pk__in=ids, reclamado_por=reclamo)
        acuse_ids = list(tomados.order_by("id").values_list("acuse_id", flat=True))
    return Lote(reclamo, acuse_ids)


def generar(acuse_id: int, *, almacen: Storage | None = None) -> bool:
    """Renders and stores the PDF of a claimed acuse; whether it is stored now.

    An acuse whose PDF is already stored (a download got there first) only leaves the
    queue. One whose PDF could not be stored (storage unreachable) stays claimed, and so
    is tried again once the claim's deadline passes, like one whose render failed.
    """
    if PdfAcuse.objects.filter(acuse_id=acuse_id).exists():
        PdfPendiente.objects.filter(acuse_id=acuse_id).delete()
        return False
    guardar_pdf(Acuse.objects.get(pk=acuse_id), almacen=almacen)
    return not PdfPendiente.objects.filter(acuse_id=acuse_id).exists()


def generar_pendientes(*, limite: int = LOTE, almacen: Storage | None = None) -> int:
    """Claims and renders the queue, batch after batch, until it finds no full batch;
    returns how many PDFs it stored. A render that fails is logged and its row retried
    after the claim's deadline; the others go on."""
    total = 0
    while True:
        lote = reclamar(ahora=timezone.now(), limite=limite)
        for acuse_id in lote.acuse_ids:
            try:
                total += generar(acuse_id, almacen=almacen)
            except Exception:
                logger.exception("No se pudo generar el PDF del acuse %s; se reintentará", acuse_id)
        if len(lote.acuse_ids) < limite:
            return total


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
