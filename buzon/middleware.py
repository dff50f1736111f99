from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from buzon.lib.red import direccion_del_cliente


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
