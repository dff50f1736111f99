"""What the staff side adds to a solicitud: the answer and its document."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Respuesta(models.Model):
    """The institution's answer: its text and the PDF attached to it.

    The PDF is stored like evidence, under a random key, and never served by URL;
    ``sha256`` is what the acuse de respuesta attests.
    """

    solicitud = models.OneToOneField(
        "promociones.Solicitud", on_delete=models.PROTECT, related_name="respuesta"
    )
    texto = models.TextField()
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creada = models.DateTimeField()
    documento_nombre = models.CharField(max_length=255)
    documento_bytes = models.PositiveIntegerField()
    documento_sha256 = models.CharField(max_length=64)
    documento = models.FileField(max_length=200)

    class Meta:
        verbose_name = "respuesta"
