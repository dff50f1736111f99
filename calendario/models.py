from django.db import models


class DiaInhabil(models.Model):
    """An extra non-working day (institutional agreement, contingency)."""

    fecha = models.DateField(unique=True)
    motivo = models.CharField(max_length=200)

    class Meta:
        verbose_name = "día inhábil"
        verbose_name_plural = "días inhábiles"
        ordering = ["fecha"]

    def __str__(self) -> str:
        return f"{self.fecha:%d/%m/%Y} — {self.motivo}"
