import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_INICIO = "cuentas_inicio"
SESSION_RENOVADA = "cuentas_renovada"
# A session is saved (its expiry pushed to now + SESSION_COOKIE_AGE) at most this often.
# Saving on every request made each page view a write transaction (on SQLite a
# BEGIN IMMEDIATE that serialises all workers); renewing once a minute keeps the idle
# limit between 14 and 15 minutes and costs one write per active user per minute.
RENOVAR_CADA_SEGUNDOS = 60


def session_limits(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Both bounds of a browser session: idle and absolute.

    Idle: the session's server-side expiry is SESSION_COOKIE_AGE after its last save;
    activity renews it, at most once a minute. Absolute: 8 hours after login however
    active it is, so a stolen cookie cannot be kept alive forever.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            sesion = request.session
            inicio = sesion.get(SESSION_INICIO)
            if inicio is None or time.time() - inicio > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            else:
                ahora = timezone.now().timestamp()
                if ahora - sesion.get(SESSION_RENOVADA, 0) >= RENOVAR_CADA_SEGUNDOS:
                    sesion[SESSION_RENOVADA] = ahora  # modified: saved with a new expiry
        return get_response(request)

    return middleware
