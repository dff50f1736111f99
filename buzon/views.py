"""The start page, the support page and the error pages (HTML for people, JSON for the API).

Django's own error pages are English and, for the API, HTML; these answer in Spanish
and, under ``/api/``, with the contract's ``{"codigo", "mensaje"}`` body. None of them
shows the path, the exception or anything else from the request.
"""

import errno
import sys
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse

from buzon.api import REINTENTAR_TRAS_SEGUNDOS, error_json
from buzon.context_processors import rutas
from buzon.errores import ErrorDominio

PREFIJO_API = "/api/"


def inicio(request: HttpRequest) -> HttpResponse:
    """A signed-in taxpayer goes on to the Tablero; anyone else sees what the service is,
    what to have at hand to sign in (the e.firma's three parts), the way in, the
    verification of acuses and the support channel."""
    if request.user.is_authenticated and hasattr(request.user, "contribuyente"):
        return redirect("promociones:tablero")
    return render(request, "buzon/inicio.html")


def soporte(request: HttpRequest) -> HttpResponse:
    return render(request, "buzon/soporte.html")


def acceso_admin(request: HttpRequest) -> HttpResponse:
    """``/admin/login/``: the staff sign-in page instead of the admin's own form, which has
    neither the attempt limit nor the audit row. Nothing posted here is authenticated."""
    destino = reverse("atencion:acceso")
    siguiente = request.GET.get("next")
    if siguiente:
        destino += "?" + urlencode({"next": siguiente})
    return HttpResponseRedirect(destino)


def es_api(request: HttpRequest) -> bool:
    return request.path.startswith(PREFIJO_API)


def solicitud_incorrecta(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # The body fit its route (buzon.middleware.limite_de_cuerpo) but its text fields
        # together exceed what the server keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE):
        # a description of megabytes is the usual case. Say so, with a code.
        return _error_dominio(
            request,
            ErrorDominio("cuerpo_muy_grande.campos_de_texto"),
        )
    if es_api(request):
        return error_json(ErrorDominio("solicitud_incorrecta"))
    return render(request, "400.html", status=400)


def acceso_denegado(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if es_api(request):
        return error_json(ErrorDominio("acceso_denegado"))
    return render(request, "403.html", status=403)


def no_encontrada(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if es_api(request):
        return error_json(ErrorDominio("no_encontrado"))
    return render(request, "404.html", status=404)


def error_servidor(request: HttpRequest) -> HttpResponse:
    """HANDLER500. Django calls it while handling the exception, from a view or a
    middleware alike, so the exception is still at hand: a database that is locked or
    unreachable is a 503 with ``Retry-After`` (the client did nothing wrong and may
    retry; the transaction was rolled back), and a domain error that escaped its view
    keeps its own code and status."""
    exc = sys.exc_info()[1]
    if isinstance(exc, ErrorDominio):
        return _error_dominio(request, exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        # A full disk while receiving an upload (its temporary file) or storing one.
        return _error_dominio(
            request,
            ErrorDominio("almacenamiento_lleno"),
        )
    if isinstance(exc, OperationalError | InterfaceError):
        return _error_dominio(request, ErrorDominio("servicio_ocupado"))
    if es_api(request):
        return error_json(ErrorDominio("error_interno"))
    # No RequestContext: its processors query the database, which may be what failed.
    contenido = loader.get_template("500.html").render(rutas(request))
    return HttpResponse(contenido, status=500)


def fallo_csrf(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Spanish, and without Django's English explanation of ``reason``."""
    if es_api(request):
        return error_json(ErrorDominio("csrf_invalido"))
    return render(request, "403_csrf.html", status=403)


def _error_dominio(request: HttpRequest, exc: ErrorDominio) -> HttpResponse:
    respuesta: HttpResponse
    if es_api(request):
        respuesta = error_json(exc)
    else:
        contenido = loader.get_template("error.html").render(
            {**rutas(request), "mensaje": exc.mensaje, "status": exc.status}
        )
        respuesta = HttpResponse(contenido, status=exc.status)
    if exc.status == 503:
        respuesta["Retry-After"] = str(REINTENTAR_TRAS_SEGUNDOS)
    return respuesta
