"""The institution: its areas and each staff member's role in them.

Requests point at their area (``promociones.Solicitud.area``); who may see and act on
them is decided here, from these rows (``atencion.acceso``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Area(models.Model):
    """An organisational area that owns asuntos and whose staff answer them."""

    clave = models.SlugField(max_length=60, unique=True)
    nombre = models.CharField(max_length=200)

    class Meta:
        verbose_name = "área"
        ordering = ["nombre"]
        db_table = "promociones_area"  # its name from before it moved here (decision 0013)

    def __str__(self) -> str:
        return self.nombre


class Adscripcion(models.Model):
    """A staff member's role in one area."""

    class Rol(models.TextChoices):
        ANALISTA = "analista", "Analista"
        SUPERVISOR = "supervisor", "Supervisor"

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adscripciones"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="adscripciones")
    rol = models.CharField(max_length=10, choices=Rol.choices)

    class Meta:
        verbose_name = "adscripción"
        verbose_name_plural = "adscripciones"
        db_table = "promociones_adscripcion"
        constraints = [
            models.UniqueConstraint(fields=["usuario", "area"], name="adscripcion_unica")
        ]


class CodigoRecuperacion(models.Model):
    """One of a staff member's single-use recovery codes, accepted instead of a TOTP code
    (atencion.segundo_factor). Only a salted SHA-256 of the code is kept: the code itself
    is shown once, when the set is made."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="codigos_recuperacion"
    )
    sal = models.CharField(max_length=32)
    huella = models.CharField(max_length=64)
    creado = models.DateTimeField()
    usado = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "código de recuperación"
        verbose_name_plural = "códigos de recuperación"
