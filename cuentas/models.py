from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class TipoPersona(models.TextChoices):
    FISICA = "fisica", "Persona física"
    MORAL = "moral", "Persona moral"


class Contribuyente(models.Model):
    """A taxpayer as its last valid e.firma described it."""

    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contribuyente"
    )
    rfc = models.CharField("RFC", max_length=13, unique=True)
    nombre = models.CharField("nombre, denominación o razón social", max_length=300)
    tipo = models.CharField(max_length=6, choices=TipoPersona.choices)
    curp = models.CharField("CURP", max_length=18, blank=True)
    rfc_representante = models.CharField("RFC del representante", max_length=13, blank=True)
    curp_representante = models.CharField("CURP del representante", max_length=18, blank=True)
    numero_certificado = models.CharField("último certificado usado", max_length=40, blank=True)
    creado = models.DateTimeField(auto_now_add=True)
    actualizado = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contribuyente"

    def __str__(self) -> str:
        return f"{self.rfc} — {self.nombre}"


class Reto(models.Model):
    """A one-time challenge the browser or a program signs with the e.firma key."""

    reto_id = models.CharField(max_length=64, unique=True)
    texto = models.CharField(max_length=200)
    # Page challenges are bound to the browser session that asked for them; API
    # challenges have no binding and are identified by reto_id alone.
    sesion_hash = models.CharField(max_length=64, blank=True)
    creado = models.DateTimeField()
    expira = models.DateTimeField()
    usado = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expira"])]


class TokenApi(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    class Tipo(models.TextChoices):
        SESION = "sesion", "Sesión e.firma"
        PERSONAL = "personal", "Token personal de personal"

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens_api"
    )
    clave_sha256 = models.CharField(max_length=64, unique=True)
    tipo = models.CharField(max_length=8, choices=Tipo.choices)
    creado = models.DateTimeField()
    ultimo_uso = models.DateTimeField()
    expira = models.DateTimeField(null=True, blank=True)
    revocado = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_de(clave: str) -> str:
        return hashlib.sha256(clave.encode("utf-8")).hexdigest()


class IntentoAcceso(models.Model):
    """Audit row for every login attempt, good or bad."""

    creado = models.DateTimeField(db_index=True)
    rfc = models.CharField(max_length=20, blank=True, db_index=True)
    direccion = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    numero_certificado = models.CharField(max_length=40, blank=True)
    canal = models.CharField(max_length=4)  # "web" or "api"
    resultado = models.CharField(max_length=40)  # "ok" or the error code
    exitoso = models.BooleanField()

    class Meta:
        verbose_name = "intento de acceso"
        verbose_name_plural = "intentos de acceso"
        indexes = [
            models.Index(fields=["rfc", "creado"]),
            models.Index(fields=["direccion", "creado"]),
        ]


class Sesion(AbstractBaseSession):
    """A browser session. Django keeps the user's id only inside the signed data; it is
    also a column here so that the session, its user and the taxpayer arrive in one query
    (cuentas.sesiones) and so that a person's sessions can be found and closed."""

    # A hint, not the authority: the signed data names the user, and cuentas.sesiones
    # takes the user joined through this column only when both agree. Without a database
    # constraint, so that saving a session can never fail because of it (Django's
    # session create() retries every IntegrityError as a key collision, forever); Django
    # still deletes a user's sessions with the user.
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="sesiones",
    )

    class Meta:
        verbose_name = "sesión"
        verbose_name_plural = "sesiones"

    def __str__(self) -> str:
        # Never the key: whoever reads it (e.g. on the admin's confirmation page when a
        # user is deleted) could take the session over.
        quien = f"del usuario {self.usuario_id}" if self.usuario_id else "anónima"
        return f"Sesión {quien} hasta {self.expire_date:%Y-%m-%d %H:%M} UTC"

    @classmethod
    def get_session_store_class(cls) -> type:
        # The configured engine's store, looked up as SessionMiddleware does, so this
        # module does not import the engine that imports it.
        return import_module(settings.SESSION_ENGINE).SessionStore  # type: ignore[no-any-return]
