"""Bearer tokens of the JSON API: issue, resolve, revoke, and a decorator for views.

Only the SHA-256 of a token is stored. Session tokens (from ``POST /api/v1/sesion``)
follow the page's limits: 15 minutes idle (SESSION_COOKIE_AGE) and 8 hours absolute
(SESSION_ABSOLUTE_SECONDS). Personal tokens (staff, ``manage.py token_personal``) have
only their absolute expiry.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.http import HttpRequest, HttpResponse

from buzon.api import error_json
from buzon.errores import ErrorDominio
from cuentas import services
from cuentas.models import TokenApi
from cuentas.sesiones import token_con_usuario

VIGENCIA_TOKEN_PERSONAL = timedelta(days=90)
# ultimo_uso is rewritten at most this often: one write per request would make every
# API read a write, and a minute is nothing against a 15-minute idle limit.
_RESOLUCION_ULTIMO_USO = timedelta(seconds=60)


def _crear(usuario: User, tipo: str, vigencia: timedelta) -> str:
    clave = secrets.token_urlsafe(32)
    momento = services.ahora()
    TokenApi.objects.create(
        usuario=usuario,
        clave_sha256=TokenApi.hash_de(clave),
        tipo=tipo,
        creado=momento,
        ultimo_uso=momento,
        expira=momento + vigencia,
    )
    return clave


def crear_token_sesion(usuario: User) -> str:
    """A new session token (the clear value, shown once)."""
    return _crear(
        usuario, TokenApi.Tipo.SESION, timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    )


def crear_token_personal(usuario: User) -> str:
    """A new personal token for a staff account (the clear value, shown once)."""
    return _crear(usuario, TokenApi.Tipo.PERSONAL, VIGENCIA_TOKEN_PERSONAL)


def _clave_de(request: HttpRequest) -> str | None:
    cabecera = request.headers.get("Authorization", "")
    esquema, _, clave = cabecera.partition(" ")
    if esquema.lower() != "bearer" or not clave.strip():
        return None
    return clave.strip()


def token_del_request(request: HttpRequest) -> TokenApi | None:
    """The live token the request carries, or None (unknown, revoked, expired, idle)."""
    clave = _clave_de(request)
    if clave is None:
        return None
    # With its user and the user's taxpayer (a staff member's cached as None), in one
    # query written once (cuentas.sesiones): the views read them next.
    token = token_con_usuario(TokenApi.hash_de(clave))
    if token is None or not token.usuario.is_active:
        return None
    momento = services.ahora()
    if token.expira is not None and token.expira <= momento:
        return None
    if token.tipo == TokenApi.Tipo.SESION and momento - token.ultimo_uso > timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    ):
        return None
    if momento - token.ultimo_uso >= _RESOLUCION_ULTIMO_USO:
        TokenApi.objects.filter(pk=token.pk).update(ultimo_uso=momento)
        token.ultimo_uso = momento
    return token


def usuario_del_token(request: HttpRequest) -> AbstractBaseUser | None:
    """The user of the request's bearer token, or None."""
    token = token_del_request(request)
    return token.usuario if token is not None else None


def revocar_token(token: TokenApi) -> None:
    TokenApi.objects.filter(pk=token.pk, revocado__isnull=True).update(revocado=services.ahora())


def token_requerido(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """API views behind a bearer token: sets request.user (and request.token_api), or
    answers 401 ``no_autenticado``. Browser sessions do not count: the API is bearer only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = token_del_request(request)
        if token is None:
            respuesta = error_json(ErrorDominio("no_autenticado"))
            respuesta["WWW-Authenticate"] = "Bearer"
            return respuesta
        request.user = token.usuario
        request.token_api = token  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
