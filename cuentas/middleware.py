import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cuentas.sesiones import sesion_en_curso

SESSION_INICIO = "cuentas_inicio"
SESSION_RENOVADA = "cuentas_renovada"
# The session's kind, set by the login that made it: staff sessions hold CLASE_PERSONAL,
# a taxpayer's none. cuentas never needs to know who staff are, only which limits apply.
SESSION_CLASE = "cuentas_clase"
CLASE_PERSONAL = "personal"
# A session is saved (its expiry pushed to now + SESSION_COOKIE_AGE) at most this often.
# Saving on every request made each page view a write transaction (on SQLite a
# BEGIN IMMEDIATE that serialises all workers); renewing once a minute keeps the idle
# limit between 14 and 15 minutes and costs one write per active user per minute.
RENOVAR_CADA_SEGUNDOS = 60
# Why the login page is shown (cuentas.vigencia has the words), kept in the session so it
# survives the login itself: set here when a browser comes back with the cookie of a
# session that expired (the cookie outlives it; the first page it reaches would
# otherwise delete it, and the login page could not tell).
MOTIVO_ACCESO = "cuentas_motivo_acceso"
INACTIVIDAD = "inactividad"


def limites(sesion: SessionBase) -> tuple[int, int]:
    """(idle seconds, absolute seconds) of a session, by its kind: a taxpayer's 15 minutes
    and 8 hours (SESSION_COOKIE_AGE, SESSION_ABSOLUTE_SECONDS); a staff member's 30
    minutes and 10 hours (STAFF_SESSION_IDLE_SECONDS, STAFF_SESSION_ABSOLUTE_SECONDS)."""
    if sesion.get(SESSION_CLASE) == CLASE_PERSONAL:
        return settings.STAFF_SESSION_IDLE_SECONDS, settings.STAFF_SESSION_ABSOLUTE_SECONDS
    return settings.SESSION_COOKIE_AGE, settings.SESSION_ABSOLUTE_SECONDS


def iniciar(sesion: SessionBase, clase: str | None = None) -> None:
    """Marks a session just signed in: its absolute limit counts from now, and its kind
    (``CLASE_PERSONAL`` for staff) chooses both limits. Called right after auth.login."""
    sesion[SESSION_INICIO] = time.time()
    if clase is None:
        sesion.pop(SESSION_CLASE, None)
    else:
        sesion[SESSION_CLASE] = clase


def session_limits(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Both bounds of a browser session, idle and absolute, by its kind (:func:`limites`).

    Idle: the session's server-side expiry is the idle limit after its last save (the
    engine, cuentas.sesiones, asks :func:`limites`); activity renews it, at most once a
    minute. Absolute: counted from login however active the session is, so a stolen
    cookie cannot be kept alive forever.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            sesion = request.session
            inicio = sesion.get(SESSION_INICIO)
            if inicio is None or time.time() - inicio > limites(sesion)[1]:
                logout(request)
            else:
                ahora = timezone.now().timestamp()
                if ahora - sesion.get(SESSION_RENOVADA, 0) >= RENOVAR_CADA_SEGUNDOS:
                    sesion[SESSION_RENOVADA] = ahora  # modified: saved with a new expiry
        elif (
            request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            and request.session.session_key is None  # loaded above, and not found
        ):
            request.session.setdefault(MOTIVO_ACCESO, INACTIVIDAD)
        return get_response(request)

    return middleware


class Autenticacion(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with ``auth.get_user`` run while the request's
    session is the one in course, so the backend can take the user the session's read
    already brought (cuentas.sesiones). Every check of Django's (backend path, session
    hash) still runs."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _usuario(request))  # type: ignore[assignment]


def _usuario(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        marca = sesion_en_curso.set(request.session)  # type: ignore[arg-type]
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            sesion_en_curso.reset(marca)
    return request._cached_user  # type: ignore[attr-defined]
