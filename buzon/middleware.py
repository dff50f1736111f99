import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from buzon.api import error_json
from buzon.errores import ErrorDominio
from buzon.lib.red import direccion_del_cliente

logger = logging.getLogger(__name__)

KB = 1024
MB = 1024 * KB
# The text fields and the multipart framing around a file: a 4,000-character
# description is at most 16 KB of UTF-8.
HOLGURA = 64 * KB


@dataclass(frozen=True)
class LimiteCuerpo:
    bytes: int  # the whole body, as Content-Length announces it
    archivos: int = 0  # file parts accepted
    # Above the general limit only for a signed-in person (pages) or a bearer token
    # (API; the view checks the token before it reads the body).
    requiere_sesion: bool = True


LIMITE_GENERAL = LimiteCuerpo(64 * KB, archivos=0, requiere_sesion=False)


@cache
def limites_por_ruta() -> dict[str, LimiteCuerpo]:
    """THE table of request-body limits, by URL name; every other route gets
    :data:`LIMITE_GENERAL`. Built on first use: it reads each app's own figure."""
    from acuses.views import MAX_BYTES_ACUSE
    from atencion.documentos import LIMITE_BYTES as LIMITE_DOCUMENTO
    from promociones.evidencias import LIMITE_BYTES as LIMITE_EVIDENCIA

    evidencia = LimiteCuerpo(LIMITE_EVIDENCIA + HOLGURA, archivos=1)
    documento = LimiteCuerpo(LIMITE_DOCUMENTO + HOLGURA, archivos=1)
    # Anyone may verify an acuse: no session needed, but 5 MB is all it takes.
    acuse = LimiteCuerpo(MAX_BYTES_ACUSE + HOLGURA, archivos=1, requiere_sesion=False)
    return {
        "promociones:nueva": evidencia,
        "promociones:api_solicitudes": evidencia,
        "atencion:respuesta": documento,
        "atencion:api_respuesta": documento,
        "acuses:verificar_archivo": acuse,
        "acuses:verificar": acuse,
        "acuses:api_verificar": acuse,
    }


def limite_de(request: HttpRequest) -> LimiteCuerpo:
    try:
        nombre = resolve(request.path_info).view_name
    except Resolver404:
        return LIMITE_GENERAL
    limite = limites_por_ruta().get(nombre, LIMITE_GENERAL)
    if limite.requiere_sesion and not _con_credencial(request):
        return LIMITE_GENERAL
    return limite


def _con_credencial(request: HttpRequest) -> bool:
    if request.path_info.startswith("/api/"):
        return request.headers.get("Authorization", "").lower().startswith("bearer ")
    usuario = getattr(request, "user", None)
    return usuario is not None and usuario.is_authenticated


def _tamano(n: int) -> str:
    return f"{n // MB} MB" if n >= MB else f"{n // KB} KB"


def limite_de_cuerpo(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuses a body bigger than its route takes, from ``Content-Length``, before
    anything reads it (413 ``cuerpo_muy_grande``); and puts a file counter first in the
    upload handlers, so no more file parts than the route takes are spooled
    (400 ``demasiados_archivos``).

    Must sit after the session and authentication middleware (to know who is signed
    in; neither reads the body) and before anything that reads it: the CSRF check reads
    ``request.POST`` in its ``process_view``, which runs after every ``__call__``.
    Django never reads past ``Content-Length`` (``LimitedStream``) and reads a body
    without one as empty, so a chunked body spools nothing either.
    """
    from promociones.subidas import MARCA_ARCHIVOS, ContadorDeArchivos

    def middleware(request: HttpRequest) -> HttpResponse:
        limite = LIMITE_GENERAL
        try:
            largo = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            largo = 0  # Django reads a body with a malformed length as empty
        if largo > LIMITE_GENERAL.bytes:
            limite = limite_de(request)
            if largo > limite.bytes:
                return _muy_grande(request, limite)
        elif request.method in ("POST", "PUT", "PATCH"):
            limite = limite_de(request)
        contador = ContadorDeArchivos(request, archivos=limite.archivos, bytes_maximos=limite.bytes)
        request.upload_handlers = [contador, *request.upload_handlers]
        respuesta = get_response(request)
        if getattr(request, MARCA_ARCHIVOS, False):
            return _demasiados_archivos(request, limite)
        return respuesta

    return middleware


def _muy_grande(request: HttpRequest, limite: LimiteCuerpo) -> HttpResponse:
    return _error(request, ErrorDominio("cuerpo_muy_grande", maximo=_tamano(limite.bytes)))


def _demasiados_archivos(request: HttpRequest, limite: LimiteCuerpo) -> HttpResponse:
    if limite.archivos == 0:
        return _error(request, ErrorDominio("demasiados_archivos.ninguno"))
    return _error(request, ErrorDominio("demasiados_archivos", maximo=limite.archivos))


def _error(request: HttpRequest, error: ErrorDominio) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return error_json(error)
    pagina = (
        '<!doctype html><html lang="es"><meta charset="utf-8">'
        "<title>Buzón IMSS</title>"
        f"<h1>No se pudo recibir el envío</h1><p>{escape(error.mensaje)}</p>"
        '<p><a href="/">Ir al inicio</a></p></html>'
    )
    return HttpResponse(pagina, status=error.status, content_type="text/html; charset=utf-8")


def limpieza_periodica(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Runs the crash sweep (promociones.limpieza) in a background thread on the
    process's first request and every ``LIMPIEZA_HUERFANOS_CADA`` seconds after.

    On a request, not at start-up: with gunicorn's preloaded app the start-up code runs
    in the master, whose threads and connections do not survive the fork. Several
    workers sweeping at once is harmless (deleting a deleted file is a no-op).
    """
    cada = settings.LIMPIEZA_HUERFANOS_CADA
    candado = threading.Lock()
    proxima = [0.0]

    def barrer() -> None:
        from promociones.limpieza import MESES_RECIENTES, limpiar_huerfanos

        try:
            limpiar_huerfanos(meses=MESES_RECIENTES)
        except Exception:
            logger.exception("La limpieza de archivos huérfanos falló")
        finally:
            connections.close_all()  # this thread's own connections
            candado.release()

    def middleware(request: HttpRequest) -> HttpResponse:
        if cada > 0 and time.monotonic() >= proxima[0] and candado.acquire(blocking=False):
            proxima[0] = time.monotonic() + cada
            threading.Thread(target=barrer, name="limpieza", daemon=True).start()
        return get_response(request)

    return middleware


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """One static policy for every response: no inline script or style anywhere."""
    policy = settings.CONTENT_SECURITY_POLICY

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware


def sin_cache_de_datos_personales(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """``Cache-Control: private, no-store`` on every response to a signed-in person or to a
    bearer token, unless the view chose its own: a taxpayer's requests must not stay in a
    shared cache, nor in the browser's cache for the next person at a shared computer."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" in response.headers:
            return response
        usuario = getattr(request, "user", None)
        if "Authorization" in request.headers or (usuario is not None and usuario.is_authenticated):
            response.headers["Cache-Control"] = "private, no-store"
        return response

    return middleware


def direccion_real(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """REMOTE_ADDR becomes the client's address behind settings.PROXIES_CONFIABLES proxies.

    Behind a load balancer every request has the balancer's address: the per-address
    login limit would then be one limit for everybody (ten failures by anyone would lock
    every login) and the audit rows would all name the balancer.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        proxies = settings.PROXIES_CONFIABLES
        if proxies:
            request.META["REMOTE_ADDR"] = direccion_del_cliente(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                proxies,
            )
        return get_response(request)

    return middleware
