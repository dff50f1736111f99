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

    solicitud = models.ForeignKey(
        "promociones.Solicitud", on_delete=models.PROTECT, related_name="avisos"
    )
    # The event that caused it (prorroga, canalizacion, respuesta): names its template.
    evento = models.CharField(max_length=20)
    canal = models.CharField(max_length=5, choices=Canal.choices)
    destino = models.CharField(max_length=254)
    texto = models.TextField()
    estado = models.CharField(max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    intentos = models.PositiveSmallIntegerField(default=0)
    siguiente_intento = models.DateTimeField()
    proveedor_id = models.CharField(max_length=100, blank=True)
    ultimo_error = models.CharField(max_length=500, blank=True)
    creado = models.DateTimeField()
    enviado = models.DateTimeField(null=True, blank=True)
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
        indexes = [models.Index(fields=["estado", "siguiente_intento"], name="aviso_pendientes")]

    def __str__(self) -> str:
        return f"{self.get_canal_display()} a {self.destino} ({self.get_estado_display()})"
