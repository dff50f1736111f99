from django.db import models


class IncidenteArchivo(models.Model):
    """A stored file that failed its check when it was read back: its bytes no longer
    match the size and SHA-256 recorded when it was received, or it is gone.

    The file is never served while it fails (``archivos.almacen.abrir_verificado``);
    this row is what staff see on the request's detail page, so the failure is not only
    a log line. A later read that passes the check (the file restored from a backup)
    removes the row.
    """

    class Tipo(models.TextChoices):
        ALTERADO = "alterado", "No coincide con su huella SHA-256"
        FALTANTE = "faltante", "No está en el almacenamiento"

    nombre = models.CharField(max_length=200, unique=True)  # the storage name
    tipo = models.CharField(max_length=10, choices=Tipo.choices)
    sha256_esperado = models.CharField(max_length=64)
    sha256_encontrado = models.CharField(max_length=64, blank=True)
    bytes_esperados = models.PositiveBigIntegerField()
    bytes_encontrados = models.PositiveBigIntegerField(null=True, blank=True)
    detectado = models.DateTimeField()  # the first failed read
    ultima_vez = models.DateTimeField()  # the latest one

    class Meta:
        verbose_name = "incidente de archivo"
        verbose_name_plural = "incidentes de archivos"
