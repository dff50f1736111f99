"""Medios de contacto: one cell phone and up to five e-mail addresses per RFC.

They hang from the Contribuyente, which is the RFC: a persona moral's means are the
company's, whichever of its representatives signed in. A means is usable for notices
once ``confirmado`` is set; until then it carries the hash of the 6-digit code sent to
it, when the code lapses, how many tries were spent and how many codes were sent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class MedioContacto(models.Model):
    class Tipo(models.TextChoices):
        TELEFONO = "telefono", "Celular"
        CORREO = "correo", "Correo electrónico"

    contribuyente = models.ForeignKey(
        "cuentas.Contribuyente", on_delete=models.CASCADE, related_name="medios_contacto"
    )
    tipo = models.CharField(max_length=8, choices=Tipo.choices)
    # 10 digits, or an address with its domain in lower case.
    valor = models.CharField(max_length=254)
    confirmado = models.DateTimeField(null=True, blank=True)
    # HMAC-SHA256 of the code (never the code): a leaked table does not confirm anything.
    codigo_hash = models.CharField(max_length=64, blank=True)
    codigo_vence = models.DateTimeField(null=True, blank=True)
    intentos = models.PositiveSmallIntegerField(default=0)
    # Codes sent since ``envios_desde``: resending is limited per day.
    envios = models.PositiveSmallIntegerField(default=0)
    envios_desde = models.DateTimeField(null=True, blank=True)
    ultimo_envio = models.DateTimeField(null=True, blank=True)
    creado = models.DateTimeField()

    class Meta:
        verbose_name = "medio de contacto"
        verbose_name_plural = "medios de contacto"
        ordering = ["tipo", "creado", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribuyente", "tipo", "valor"], name="medio_unico_por_rfc"
            ),
            # One confirmed phone, and at most one waiting for its code.
            models.UniqueConstraint(
                fields=["contribuyente"],
                condition=Q(tipo="telefono", confirmado__isnull=False),
                name="un_celular_confirmado",
            ),
            models.UniqueConstraint(
                fields=["contribuyente"],
                condition=Q(tipo="telefono", confirmado__isnull=True),
                name="un_celular_por_confirmar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} de {self.contribuyente_id}"


class CambioMedio(models.Model):
    """Audit: who changed which means of an RFC, and how (destinations masked)."""

    contribuyente = models.ForeignKey(
        "cuentas.Contribuyente", on_delete=models.CASCADE, related_name="cambios_de_medios"
    )
    # The representative who signed in (rfc_representante for a persona moral).
    actor = models.CharField(max_length=13, blank=True)
    evento = models.CharField(max_length=20)  # alta, confirmacion, baja, codigo_reenviado
    tipo = models.CharField(max_length=8, choices=MedioContacto.Tipo.choices)
    destino = models.CharField(max_length=254)  # masked
    creado = models.DateTimeField()

    class Meta:
        verbose_name = "cambio de medio de contacto"
        ordering = ["creado", "id"]
