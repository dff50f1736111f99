import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_INICIO = "cuentas_inicio"


def absolute_session_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Ends a browser session 8 hours after login however active it is.

    The idle limit is the cookie age renewed on every request; this is the other
    bound, so a stolen cookie cannot be kept alive forever.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            inicio = request.session.get(SESSION_INICIO)
            if inicio is None or time.time() - inicio > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return get_response(request)

    return middleware
