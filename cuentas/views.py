"""The e.firma login page, its challenge and login calls (JSON, same origin), and logout.

The page's script does the key work in the browser; these views only see the RFC, the
certificate and the signature.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from buzon.api import leer_json, respuesta_json
from buzon.errores import ErrorDominio
from cuentas import services, vigencia
from cuentas.api import datos_de_acceso, direccion_de, reto_como_dict
from cuentas.context_processors import REPRESENTANTE_SESION
from cuentas.middleware import SESSION_INICIO

BACKEND = "cuentas.backends.UsuarioConContribuyente"


def _destino(request: HttpRequest, siguiente: str | None) -> str:
    """Where to go after login: a same-site ``next`` or the Tablero principal."""
    if siguiente and url_has_allowed_host_and_scheme(
        siguiente, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return siguiente
    return reverse(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def acceso(request: HttpRequest) -> HttpResponse:
    """``/acceso/``: GET shows the form; POST (from the page's script, JSON) logs in."""
    if request.method == "POST":
        return _iniciar(request)
    if request.user.is_authenticated and hasattr(request.user, "contribuyente"):
        return redirect(_destino(request, request.GET.get("next")))
    # Set by the form (promociones) or cuentas.middleware (an expired session); kept
    # through the login, so the page it leads back to can say it too.
    motivo = request.session.get(vigencia.MOTIVO_ACCESO)
    contexto = {
        "siguiente": request.GET.get("next", ""),
        "motivo": vigencia.MENSAJES_DE_MOTIVO.get(motivo or "", ""),
    }
    return render(request, "cuentas/acceso.html", contexto)


def _iniciar(request: HttpRequest) -> HttpResponse:
    # A browser session that never asked for a challenge gets a binding no challenge has,
    # so its attempt still meets the attempt limit and leaves its audit row (as
    # reto_invalido) instead of being turned away unrecorded.
    vinculo = request.session.get(services.VINCULO_SESION) or secrets.token_urlsafe(32)
    try:
        datos = leer_json(request)
        campos = datos_de_acceso(datos)
        contribuyente = services.iniciar_sesion_efirma(
            **campos,
            direccion=direccion_de(request),
            canal=services.CANAL_WEB,
            sesion_key=vinculo,
        )
    except ErrorDominio as exc:
        # The page puts the message next to ``campo`` (None: above the form).
        return respuesta_json(
            {"codigo": exc.codigo, "mensaje": exc.mensaje, "campo": exc.campo}, status=exc.status
        )
    siguiente = datos.get("siguiente") if isinstance(datos.get("siguiente"), str) else None
    # login() rotates the session key; the 8-hour limit counts from here.
    login(request, contribuyente.usuario, backend=BACKEND)
    request.session[SESSION_INICIO] = time.time()
    request.session.pop(services.VINCULO_SESION, None)
    if contribuyente.tipo == "moral":
        request.session[REPRESENTANTE_SESION] = contribuyente.rfc_representante
    destino = _destino(request, siguiente)
    # login() kept the anonymous session's data: why the person had to log in again.
    # The page this leads back to (the form) says it too.
    if request.session.pop(vigencia.MOTIVO_ACCESO, None) in (
        vigencia.INACTIVIDAD,
        vigencia.INACTIVIDAD_CON_BORRADOR,
    ):
        request.session[vigencia.REINGRESO] = destino
    return respuesta_json({"redirigir": destino})


@require_POST
def reto(request: HttpRequest) -> HttpResponse:
    """``POST /acceso/reto`` (CSRF-protected): a challenge bound to this browser session."""
    vinculo = request.session.get(services.VINCULO_SESION)
    if not vinculo:
        vinculo = secrets.token_urlsafe(32)
        request.session[services.VINCULO_SESION] = vinculo
    try:
        reto = services.crear_reto(sesion_key=vinculo, direccion=direccion_de(request))
    except ErrorDominio as exc:
        return respuesta_json(
            {"codigo": exc.codigo, "mensaje": exc.mensaje, "campo": exc.campo}, status=exc.status
        )
    return respuesta_json(reto_como_dict(reto), status=201)


@require_POST
def salir(request: HttpRequest) -> HttpResponse:
    """``POST /salir/``: ends the session and goes back to the login page, which says so."""
    logout(request)
    messages.info(request, vigencia.MENSAJE_SALIDA)
    return redirect("cuentas:login")


@require_POST
def renovar_sesion(request: HttpRequest) -> HttpResponse:
    """``POST /sesion/renovar`` (the page's «Seguir conectado», CSRF): the session's
    expiry is pushed a whole idle limit from now, whatever the once-a-minute rule in
    cuentas.middleware would do. Answers the seconds left."""
    if not request.user.is_authenticated:
        if "application/json" in request.headers.get("Accept", ""):
            error = ErrorDominio("sesion_terminada")
            return respuesta_json(
                {"codigo": error.codigo, "mensaje": error.mensaje}, status=error.status
            )
        return redirect_to_login(request.get_full_path())
    if getattr(request.user, "contribuyente", None) is None:
        raise PermissionDenied("Esta sección es solo para contribuyentes.")
    return respuesta_json({"segundos_restantes": vigencia.renovar(request.session)})
