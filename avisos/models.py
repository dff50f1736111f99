"""The outbox of notices (SMS, e-mail): rows written with the event that causes them."""

from __future__ import annotations

from django.db import models


class Aviso(models.Model):
    """One notice to one recipient, delivered by a worker after its transaction commits.

    ``siguiente_intento`` is both the retry time and the claim: a worker that takes a row
    pushes it into the future, so no other worker takes it meanwhile, and a worker that
    dies leaves it to be retried when that time passes.
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

    class Meta:
        verbose_name = "aviso"
        ordering = ["creado", "id"]
        indexes = [models.Index(fields=["estado", "siguiente_intento"], name="aviso_pendientes")]

    def __str__(self) -> str:
        return f"{self.get_canal_display()} a {self.destino} ({self.get_estado_display()})"
