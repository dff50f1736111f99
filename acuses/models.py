"""The acuse: the sealed, never-changing record of one step of a solicitud."""

from __future__ import annotations

import secrets
from typing import Any, NoReturn

from django.db import models


def nuevo_codigo_verificacion() -> str:
    """192 random bits, URL-safe, with no relation to the folio or anything else."""
    return secrets.token_urlsafe(24)


# Every code is that long: 24 bytes are 32 base64url characters.
LARGO_CODIGO = 32


class AcuseInmutable(Exception):
    """Raised by any attempt to change or delete an issued acuse: it is legal proof."""


class AcuseQuerySet(models.QuerySet["Acuse"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AcuseInmutable("Un acuse emitido no se modifica.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AcuseInmutable("Un acuse emitido no se elimina.")


class Acuse(models.Model):
    """What the institution attested, when, with its seal, and how anyone can check it.

    ``hechos`` holds the facts exactly as sealed; ``cadena_original`` is their canonical
    text (``buzon.lib.cadena.construir``) and ``sello`` the base64 RSA-SHA256 signature of
    its UTF-8 bytes by the certificate numbered ``numero_certificado_sello``. The PDF is
    rendered from these fields on request.
    """

    class Tipo(models.TextChoices):
        RECEPCION = "recepcion", "Acuse de recepción"
        PRORROGA = "prorroga", "Acuse de prórroga"
        CANALIZACION = "canalizacion", "Acuse de canalización"
        RESPUESTA = "respuesta", "Acuse de respuesta"

    solicitud = models.ForeignKey(
        "promociones.Solicitud", on_delete=models.PROTECT, related_name="acuses"
    )
    tipo = models.CharField(max_length=12, choices=Tipo.choices)
    emitido = models.DateTimeField()
    codigo_verificacion = models.CharField(
        max_length=64, unique=True, default=nuevo_codigo_verificacion, editable=False
    )
    hechos = models.JSONField()
    cadena_original = models.TextField()
    sello = models.TextField()
    numero_certificado_sello = models.CharField(max_length=40)

    objects = AcuseQuerySet.as_manager()

    class Meta:
        verbose_name = "acuse"
        ordering = ["emitido", "id"]
        constraints = [
            # A solicitud is received, extended and answered once; it may be re-routed
            # more than once, so canalización is left out.
            models.UniqueConstraint(
                fields=["solicitud", "tipo"],
                condition=models.Q(tipo__in=["recepcion", "prorroga", "respuesta"]),
                name="acuse_unico_por_tipo",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.hechos.get('folio', '')}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AcuseInmutable("Un acuse emitido no se modifica.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AcuseInmutable("Un acuse emitido no se elimina.")

    @property
    def titulo(self) -> str:
        return self.get_tipo_display()


class VerificacionArchivo(models.Model):
    """One uploaded PDF the public verification service was asked to check, by network
    address. Validating a PAdES signature is the costliest thing an anonymous person can
    ask of the service, so each address gets a bounded number per window
    (acuses.limites); rows older than the window are deleted as new ones arrive."""

    direccion = models.GenericIPAddressField(null=True, blank=True)
    creada = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "verificación de archivo"
        verbose_name_plural = "verificaciones de archivos"
        indexes = [models.Index(fields=["direccion", "creada"], name="verif_direccion_creada")]


class PdfAcuse(models.Model):
    """The signed PDF of an acuse, rendered once and kept in storage.

    Rendering and signing cost tens of milliseconds of CPU; a download of a stored PDF
    costs a file read. The PDF is derived from the acuse's sealed facts, so this row,
    unlike the acuse, may be replaced: when the stored bytes no longer match ``sha256``
    they are rendered again from the facts (``acuses.archivo``).
    """

    acuse = models.OneToOneField(Acuse, on_delete=models.PROTECT, related_name="pdf_guardado")
    archivo = models.CharField(max_length=200)  # the storage name
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    creado = models.DateTimeField()

    class Meta:
        verbose_name = "PDF de acuse"
        verbose_name_plural = "PDF de acuses"


class PdfPendiente(models.Model):
    """An issued acuse whose PDF has not been stored yet: the worker's queue.

    Issuing writes this row in the transaction that seals the acuse, so rendering (tens
    of milliseconds of CPU) leaves the request; ``manage.py generar_acuses`` renders and
    stores the oldest ones and the row goes in the same transaction that records the
    PdfAcuse (``acuses.archivo.guardar_pdf``, also on a first download that got there
    before the worker). A worker claims a batch by writing a random token in
    ``reclamado_por`` and a deadline in ``reclamo_vence``; other workers skip claimed
    rows until the deadline passes (a worker that died), and the PdfAcuse's uniqueness
    keeps a late second render from storing a second file. The rows left are what the
    ``buzon_acuses_sin_pdf`` gauge counts.
    """

    acuse = models.OneToOneField(Acuse, on_delete=models.PROTECT, related_name="pdf_pendiente")
    creado = models.DateTimeField()
    reclamado_por = models.CharField(max_length=32, blank=True, default="")
    reclamo_vence = models.DateTimeField(null=True, blank=True)
    intentos = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "PDF de acuse pendiente"
        verbose_name_plural = "PDF de acuses pendientes"
