"""How long a browser session has left, renewing it on request, and why a person is
asked to log in again.

The page's warning (buzon/static/buzon/sesion.js) counts down from the seconds the
server says are left, never from the cookie (HttpOnly, and it ends with the browser,
not with the idle limit). ``cuentas.middleware.session_limits`` renews a session at most
once a minute; the server-side expiry is then ``SESSION_RENOVADA + idle limit``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from cuentas.middleware import INACTIVIDAD as INACTIVIDAD
from cuentas.middleware import MOTIVO_ACCESO as MOTIVO_ACCESO
from cuentas.middleware import SESSION_RENOVADA, limites

# Why the login page is shown (MOTIVO_ACCESO, which cuentas.middleware sets to
# INACTIVIDAD for an expired session), kept in the (anonymous) session so it survives
# the login itself (login() keeps an anonymous session's data when it rotates the key).
# The session ended while a request was being written, and what was written was kept.
INACTIVIDAD_CON_BORRADOR = "inactividad_borrador"
MENSAJES_DE_MOTIVO = {
    INACTIVIDAD: "Tu sesión terminó por inactividad. Ingresa de nuevo con tu e.firma "
    "para continuar.",
    INACTIVIDAD_CON_BORRADOR: "Tu sesión terminó por inactividad; guardamos lo que "
    "escribiste. Ingresa de nuevo con tu e.firma y lo encontrarás en el formulario.",
}
# After a logout, as a message (a cookie: no session row is made for it).
MENSAJE_SALIDA = "Cerraste tu sesión."
# Set by the login that followed an expired session: the path it went back to, so that
# page (the form) can say why the person had to log in.
REINGRESO = "cuentas_reingreso"


def segundos_restantes(sesion: SessionBase) -> int:
    """Seconds until ``sesion`` expires for lack of activity, as the server counts them.

    A session saved by something other than the renewal (a message, a flag) expires a
    little later than this says: the warning then comes early, never late.
    """
    inactividad = limites(sesion)[0]
    renovada = sesion.get(SESSION_RENOVADA)
    if not renovada:  # saved by the login itself, a moment ago
        return inactividad
    return max(0, round(renovada + inactividad - timezone.now().timestamp()))


def renovar(sesion: SessionBase) -> int:
    """Pushes the session's expiry to a whole idle limit from now, whatever the
    once-a-minute rule would do, and returns the seconds left."""
    sesion[SESSION_RENOVADA] = timezone.now().timestamp()  # modified: saved at the response
    return limites(sesion)[0]


def aviso_segundos() -> int:
    """How long before the expiry the page warns (two minutes)."""
    return int(settings.SESSION_WARNING_SECONDS)
