"""Staff sign-in in two steps, and the guard every staff page stands behind.

First the username and password (``Acceso``); then a code (``codigo``): the TOTP of the
account's authenticator app, or one of its recovery codes. An account without a
confirmed device enrols one instead (``alta``): the QR code and secret of a new device,
confirmed with its first code, and then its ten recovery codes, shown once.

A right password signs no one in: the session only remembers, for five minutes, whose
password was right (``PENDIENTE``). ``auth.login`` runs when the code is right, so
nothing that asks only whether someone is signed in (the admin, a taxpayer page) ever
answers to a password alone. The session is then a staff session (cuentas.middleware:
30 minutes idle, 10 hours in all) that names the device that verified it.

Every attempt of both steps is audited and limited as one (atencion.intentos).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from atencion import acceso, intentos, segundo_factor
from atencion.segundo_factor import Resultado

Vista = TypeVar("Vista", bound=Callable[..., HttpResponseBase])

# The session key of a sign-in whose password was right and whose code is still to come.
PENDIENTE = "atencion_ingreso"
PENDIENTE_SEGUNDOS = 5 * 60


def personal_requerido(vista: Vista) -> Vista:
    """Signed in through the staff sign-in, both steps, with a staff account (one with a
    role in at least one area).

    A taxpayer's session gets 403. A session signed in some other way, or whose device
    was since removed, is sent to sign in again: the password and then the code."""

    @login_required(login_url="atencion:acceso")
    @wraps(vista)
    def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not acceso.es_personal(request.user):
            raise PermissionDenied("Esta sección es solo para el personal del IMSS.")
        if not segundo_factor.sesion_verificada(request):
            return redirect_to_login(request.get_full_path(), "atencion:acceso")
        return vista(request, *args, **kwargs)

    return cast(Vista, envoltura)


def _direccion(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _pendiente(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    """The account whose password this session gave, and what the sign-in keeps; None
    (and forgotten) once five minutes passed, or the account was deactivated or its
    password changed since."""
    datos = request.session.get(PENDIENTE)
    if not isinstance(datos, dict):
        return None
    usuario = None
    pk = datos.get("usuario")
    if isinstance(pk, int) and time.time() - datos.get("desde", 0) <= PENDIENTE_SEGUNDOS:
        usuario = auth.get_user_model().objects.filter(pk=pk, is_active=True).first()
    if usuario is None or usuario.get_session_auth_hash() != datos.get("hash"):
        del request.session[PENDIENTE]
        return None
    return usuario, datos


def _entrar(request: HttpRequest, usuario: Any, datos: dict[str, Any], dispositivo: Any) -> None:
    auth.login(request, usuario, backend=datos["backend"])
    segundo_factor.abrir_sesion(request.session, dispositivo)
    request.session.pop(PENDIENTE, None)


def _reservar(request: HttpRequest, usuario: Any) -> list[int] | None:
    """The attempt counted against the sign-in limit; None, audited, when it is full."""
    nombre = usuario.get_username()[:20]
    try:
        return intentos.reservar(usuario=nombre, direccion=_direccion(request))
    except intentos.LimiteExcedido:
        intentos.registrar(nombre, _direccion(request), "demasiados_intentos")
        return None


class Acceso(auth_views.LoginView):
    """The first step: username and password.

    Every attempt is audited as an IntentoAcceso (canal "pers"), and the same limiter as
    the e.firma login applies (atencion.intentos): too many failures from an address,
    or from an address for one username, within the window lock further attempts from
    there until it passes; a username alone is never locked.
    """

    # Set by post() before the form is checked; form_valid() takes it back.
    reserva: list[int]

    template_name = "atencion/acceso.html"
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return "/atencion/"

    def _usuario(self) -> str:
        """The username as the form authenticates it (stripped, NFKC-normalized): counted
        raw, «supervisor » or a full-width «ｓupervisor» would each get a fresh allowance
        of failures against the same account."""
        campo = self.get_form_class()().fields["username"]
        return str(campo.to_python(self.request.POST.get("username", "")))[:20]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        usuario = self._usuario()
        try:
            self.reserva = intentos.reservar(usuario=usuario, direccion=_direccion(request))
        except intentos.LimiteExcedido:
            intentos.registrar(usuario, _direccion(request), "demasiados_intentos")
            return render(
                request,
                self.template_name,
                {"bloqueado": True, "form": self.get_form_class()(request)},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        intentos.registrar(self._usuario(), _direccion(self.request), "credenciales_invalidas")
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        intentos.liberar(self.reserva)
        usuario = form.get_user()
        intentos.registrar(
            usuario.get_username()[:20], _direccion(self.request), "contrasena_correcta"
        )
        sesion = self.request.session
        # A step up: a new session key and CSRF token, as auth.login gives at the end.
        sesion.cycle_key()
        rotate_token(self.request)
        sesion[PENDIENTE] = {
            "usuario": usuario.pk,
            "hash": usuario.get_session_auth_hash(),
            "backend": usuario.backend,
            "desde": time.time(),
            "siguiente": self.get_success_url(),  # next, when it is this site's
            "alta": None,
        }
        if segundo_factor.dispositivo_confirmado(usuario) is None:
            return redirect("atencion:acceso_alta")
        return redirect("atencion:acceso_codigo")


@never_cache
@require_http_methods(["GET", "POST"])
def codigo(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator's code, or a recovery code."""
    pendiente = _pendiente(request)
    if pendiente is None:
        return redirect("atencion:acceso")
    usuario, datos = pendiente
    if segundo_factor.dispositivo_confirmado(usuario) is None:
        return redirect("atencion:acceso_alta")
    plantilla = "atencion/acceso_codigo.html"
    if request.method == "GET":
        return render(request, plantilla, {})
    reserva = _reservar(request, usuario)
    if reserva is None:
        return render(request, plantilla, {"bloqueado": True}, status=429)
    verificacion = segundo_factor.verificar(usuario, request.POST.get("codigo", "")[:100])
    intentos.registrar(
        usuario.get_username()[:20], _direccion(request), verificacion.resultado.value
    )
    if verificacion.aceptado:
        intentos.liberar(reserva)
        siguiente = datos["siguiente"]
        _entrar(request, usuario, datos, verificacion.dispositivo)
        return redirect(siguiente)
    if verificacion.resultado is Resultado.SIN_DISPOSITIVO:
        return redirect("atencion:acceso_alta")
    return render(request, plantilla, {"resultado": verificacion.resultado.value})


def _pagina_alta(
    request: HttpRequest, dispositivo: Any, *, resultado: str | None = None, status: int = 200
) -> HttpResponse:
    uri = segundo_factor.uri(dispositivo)
    contexto = {
        "qr": segundo_factor.qr_svg(uri),
        "uri": uri,
        "secreto": segundo_factor.secreto(dispositivo),
        "usuario": dispositivo.user.get_username(),
        "resultado": resultado,
        "bloqueado": status == 429,
    }
    return render(request, "atencion/acceso_alta.html", contexto, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def alta(request: HttpRequest) -> HttpResponse:
    """Enrolment, for an account without a confirmed device: a new device's QR code and
    secret, confirmed with its first code; then the recovery codes, shown once."""
    pendiente = _pendiente(request)
    if pendiente is None:
        return redirect("atencion:acceso")
    usuario, datos = pendiente
    if segundo_factor.dispositivo_confirmado(usuario) is not None:
        return redirect("atencion:acceso_codigo")
    dispositivo = segundo_factor.dispositivo_en_alta(usuario, datos.get("alta"))
    if dispositivo is None:
        # This sign-in's first visit, or its device was replaced by another sign-in's.
        dispositivo = segundo_factor.nuevo_dispositivo(usuario)
        request.session[PENDIENTE] = {**datos, "alta": dispositivo.pk}
        caducado = "alta_reemplazada" if request.method == "POST" else None
        return _pagina_alta(request, dispositivo, resultado=caducado)
    if request.method == "GET":
        return _pagina_alta(request, dispositivo)
    reserva = _reservar(request, usuario)
    if reserva is None:
        return _pagina_alta(request, dispositivo, status=429)
    nombre = usuario.get_username()[:20]
    verificacion = segundo_factor.confirmar_alta(
        usuario, dispositivo.pk, request.POST.get("codigo", "")[:100]
    )
    if verificacion.resultado is Resultado.SIN_DISPOSITIVO:
        intentos.registrar(nombre, _direccion(request), verificacion.resultado.value)
        return redirect("atencion:acceso_codigo")
    if not verificacion.aceptado:
        intentos.registrar(nombre, _direccion(request), verificacion.resultado.value)
        return _pagina_alta(request, dispositivo, resultado=verificacion.resultado.value)
    intentos.liberar(reserva)
    intentos.registrar(nombre, _direccion(request), "alta_confirmada")
    codigos = segundo_factor.nuevos_codigos_recuperacion(usuario)
    siguiente = datos["siguiente"]
    _entrar(request, usuario, datos, dispositivo)
    return render(
        request,
        "atencion/codigos_recuperacion.html",
        {"codigos": codigos, "siguiente": siguiente, "alta": True},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@personal_requerido
def codigos_recuperacion(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; POST, with a fresh code of her authenticator (or
    one of her recovery codes, spent by it), makes ten new ones (the old stop working)
    and shows them, once. A session left open on a shared computer is not enough to
    replace someone's way back in: the code proves the phone is at hand now, and goes
    through the sign-in's limiter and audit like any other code."""
    contexto: dict[str, Any] = {"siguiente": "/atencion/"}
    usuario = request.user
    if request.method == "POST":
        reserva = _reservar(request, usuario)
        if reserva is None:
            contexto.update(bloqueado=True, disponibles=segundo_factor.codigos_disponibles(usuario))
            return render(request, "atencion/codigos_recuperacion.html", contexto, status=429)
        verificacion = segundo_factor.verificar(usuario, request.POST.get("codigo", "")[:100])
        nombre = usuario.get_username()[:20]
        if verificacion.aceptado:
            intentos.liberar(reserva)
            intentos.registrar(nombre, _direccion(request), "codigos_renovados")
            contexto["codigos"] = segundo_factor.nuevos_codigos_recuperacion(usuario)
            return render(request, "atencion/codigos_recuperacion.html", contexto)
        intentos.registrar(nombre, _direccion(request), verificacion.resultado.value)
        contexto["resultado"] = verificacion.resultado.value
    contexto["disponibles"] = segundo_factor.codigos_disponibles(usuario)
    return render(request, "atencion/codigos_recuperacion.html", contexto)
