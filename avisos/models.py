"""The outbox of notices (SMS, e-mail): rows written with the event that causes them."""

from __future__ import annotations

import uuid

from django.db import models


class Aviso(models.Model):
    """One notice to one recipient, delivered by a worker after its transaction commits.

    ``siguiente_intento`` is when the notice is due (first try or retry). A worker that
    takes a due row writes its claim token in ``reclamado_por`` and a deadline in
    ``reclamo_vence``; only that worker may send it until the deadline passes, and a
    worker that dies leaves it to be taken again afterwards (avisos/services.py tells
    the whole protocol). ``clave_idempotencia`` is fixed at creation and shown to the
    gateway on every attempt, so a repeated attempt is recognised there as the same SMS.
    """

    class Canal(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Correo electrónico"

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Pendiente"
        ENVIADO = "enviado", "Enviado"
        ENTREGADO = "entregado", "Entregado"
        FALLIDO = "fallido", "Fallido"

    # None for notices about the contact means themselves (codes, changes).
    solicitud = models.ForeignKey(
        "promociones.Solicitud",
        on_delete=models.PROTECT,
        related_name="avisos",
        null=True,
        blank=True,
    )
    # The event that caused it (prorroga, canalizacion, respuesta, codigo, cambio_medio):
    # names its template folder.
    evento = models.CharField(max_length=20)
    canal = models.CharField(max_length=5, choices=Canal.choices)
    destino = models.CharField(max_length=254)
    # The SMS text, or the e-mail's plain-text part.
    texto = models.TextField()
    # E-mail only: subject and HTML part.
    asunto = models.CharField(max_length=200, blank=True)
    html = models.TextField(blank=True)
    # SMS only: segments as the gateway bills them (avisos.sms).
    segmentos = models.PositiveSmallIntegerField(default=0)
    estado = models.CharField(max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    intentos = models.PositiveSmallIntegerField(default=0)
    siguiente_intento = models.DateTimeField()
    proveedor_id = models.CharField(max_length=100, blank=True)
    ultimo_error = models.CharField(max_length=500, blank=True)
    creado = models.DateTimeField()
    enviado = models.DateTimeField(null=True, blank=True)
    # When the gateway's delivery receipt said entregado or fallido.
    entregado = models.DateTimeField(null=True, blank=True)
    clave_idempotencia = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The claim: which worker's batch holds the row ("" when none) and until when.
    reclamado_por = models.CharField(max_length=32, blank=True, default="")
    reclamo_vence = models.DateTimeField(null=True, blank=True)
    # When the holder began the gateway call now in flight; set while an attempt's
    # outcome is unknown, so a row found with it after its claim lapsed tells of a worker
    # that died mid-send (the next attempt re-presents the same idempotency key).
    envio_iniciado = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "aviso"
        ordering = ["creado", "id"]
        indexes = [
            models.Index(fields=["estado", "siguiente_intento"], name="aviso_pendientes"),
            # Delivery receipts name the notice by the provider's id.
            models.Index(fields=["proveedor_id"], name="aviso_proveedor"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_canal_display()} a {enmascarar(self.destino)} ({self.get_estado_display()})"
        )


class CambioAviso(models.Model):
    """Audit of what people did to a notice (a staff retry): who, when, from what."""

    aviso = models.ForeignKey(Aviso, on_delete=models.CASCADE, related_name="cambios")
    actor = models.CharField(max_length=150)
    evento = models.CharField(max_length=20)  # reintento
    estado_anterior = models.CharField(max_length=10)
    detalle = models.CharField(max_length=500, blank=True)  # the gateway's last answer
    creado = models.DateTimeField()

    class Meta:
        verbose_name = "cambio de aviso"
        ordering = ["creado", "id"]


class AcuseEntrega(models.Model):
    """A delivery receipt already accepted: the same signed body twice is a replay."""

    firma = models.CharField(max_length=64, unique=True)
    recibido = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "acuse de entrega"


def enmascarar(destino: str) -> str:
    """A destination as people may see it: 55******78, m***@dominio.mx."""
    if "@" in destino:
        local, _, dominio = destino.rpartition("@")
        return f"{local[:1]}***@{dominio}"
    if len(destino) <= 4:
        return "*" * len(destino)
    return destino[:2] + "*" * (len(destino) - 4) + destino[-2:]
