"""The *Medios de contacto* page: register, confirm, resend, remove; and the reminder."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from avisos.models import enmascarar
from buzon.errores import ErrorDominio
from contacto import services
from contacto.api import actor
from contacto.models import MedioContacto
from promociones.views import contribuyente_requerido

# The session flag of "remind me later": the reminder is not offered again in it.
POSPUESTO = "contacto_recordatorio_pospuesto"
RECORDATORIO = "contacto_recordatorio"  # see contacto.context_processors


def _pagina(request: HttpRequest, errores: dict[str, str] | None = None) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]
    medios = list(MedioContacto.objects.filter(contribuyente=c))
    telefonos = [m for m in medios if m.tipo == MedioContacto.Tipo.TELEFONO]
    contexto = {
        "telefono": next((m for m in telefonos if m.confirmado), None),
        "telefono_pendiente": next((m for m in telefonos if not m.confirmado), None),
        "correos": [m for m in medios if m.tipo == MedioContacto.Tipo.CORREO],
        "max_correos": services.MAX_CORREOS,
        "enmascarar": enmascarar,
        "errores": errores or {},
    }
    return render(request, "contacto/medios.html", contexto, status=400 if errores else 200)


@require_GET
@contribuyente_requerido
def medios(request: HttpRequest) -> HttpResponse:
    return _pagina(request)


def _accion(request: HttpRequest, hacer: Callable[[], str]) -> HttpResponse:
    """Runs a service call; success goes back to the page with a message (POST/redirect/
    GET), a broken rule shows the page with the message next to its field."""
    try:
        mensaje = hacer()
    except ErrorDominio as exc:
        return _pagina(request, {exc.campo or "formulario": exc.mensaje})
    # The means changed: the Tablero's reminder asks again (context_processors).
    request.session.pop(RECORDATORIO, None)
    messages.success(request, mensaje)
    return redirect("contacto:medios")


@require_POST
@contribuyente_requerido
def telefono(request: HttpRequest) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        m = services.registrar_telefono(
            contribuyente=c, actor=actor(c), numero=request.POST.get("numero", "")
        )
        return f"Te enviamos un código por SMS al {enmascarar(m.valor)}. Vence en 72 horas."

    return _accion(request, hacer)


@require_POST
@contribuyente_requerido
def confirmar_telefono(request: HttpRequest) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        services.confirmar_telefono(
            contribuyente=c, actor=actor(c), codigo=request.POST.get("codigo", "")
        )
        return "Tu celular quedó confirmado: ahí recibirás los avisos por SMS."

    return _accion(request, hacer)


@require_POST
@contribuyente_requerido
def correo(request: HttpRequest) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        m = services.registrar_correo(
            contribuyente=c, actor=actor(c), direccion=request.POST.get("direccion", "")
        )
        return f"Te enviamos un código a {enmascarar(m.valor)}. Vence en 72 horas."

    return _accion(request, hacer)


@require_POST
@contribuyente_requerido
def confirmar_correo(request: HttpRequest, medio_id: str) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        medio = services.medio_por_id(c, medio_id)
        services.confirmar_correo(
            contribuyente=c,
            actor=actor(c),
            direccion=medio.valor,
            codigo=request.POST.get("codigo", ""),
        )
        return f"El correo {enmascarar(medio.valor)} quedó confirmado."

    return _accion(request, hacer)


@require_POST
@contribuyente_requerido
def reenviar(request: HttpRequest, medio_id: str) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        m = services.reenviar_codigo(contribuyente=c, actor=actor(c), medio_id=medio_id)
        return f"Te enviamos un código nuevo a {enmascarar(m.valor)}."

    return _accion(request, hacer)


@require_POST
@contribuyente_requerido
def quitar(request: HttpRequest, medio_id: str) -> HttpResponse:
    c = request.user.contribuyente  # type: ignore[union-attr]

    def hacer() -> str:
        medio = services.medio_por_id(c, medio_id)
        services.quitar_medio(contribuyente=c, actor=actor(c), medio=medio)
        return f"Quitamos {enmascarar(medio.valor)} de tus medios de contacto."

    return _accion(request, hacer)


def _siguiente(request: HttpRequest) -> str:
    destino = request.GET.get("siguiente") or request.POST.get("siguiente") or ""
    if url_has_allowed_host_and_scheme(
        destino, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return destino
    return "/"


@require_GET
@contribuyente_requerido
def recordatorio(request: HttpRequest) -> HttpResponse:
    """Offered right after login while the RFC has no confirmed means (see README)."""
    c = request.user.contribuyente  # type: ignore[union-attr]
    if request.session.get(POSPUESTO) or services.tiene_confirmados(c):
        return redirect(_siguiente(request))
    return render(request, "contacto/recordatorio.html", {"siguiente": _siguiente(request)})


@require_POST
@contribuyente_requerido
def posponer(request: HttpRequest) -> HttpResponse:
    request.session[POSPUESTO] = True
    request.session[RECORDATORIO] = False
    return redirect(_siguiente(request))
