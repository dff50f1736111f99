from __future__ import annotations

from django.db import models


class Marca(models.Model):
    """One attempt counted against a limit's key (limites.services). The key is a hash:
    the table never holds an RFC, a username or an address in the clear, and keys of any
    length fit. Rows past ``expira`` no longer count and are deleted as new ones arrive."""

    clave = models.CharField(max_length=64)
    creado = models.DateTimeField()
    expira = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "marca de límite"
        verbose_name_plural = "marcas de límite"
        indexes = [models.Index(fields=["clave", "creado"], name="marca_clave_creado")]
