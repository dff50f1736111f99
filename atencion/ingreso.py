"""Staff sign-in: the sign-in page and the guard every staff page stands behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from atencion import acceso, intentos
from cuentas.middleware import SESSION_INICIO

Vista = TypeVar("Vista", bound=Callable[..., HttpResponseBase])


def personal_requerido(vista: Vista) -> Vista:
    """Logged in with a staff account (one with a role in at least one area)."""

    @login_required(login_url="atencion:acceso")
    @wraps(vista)
    def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not acceso.es_personal(request.user):
            raise PermissionDenied("Esta sección es solo para el personal del IMSS.")
        return vista(request, *args, **kwargs)

    return cast(Vista, envoltura)


class Acceso(auth_views.LoginView):
    """Username and password; the session then follows the taxpayers' rules.

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
            self.reserva = intentos.reservar(
                usuario=usuario, direccion=request.META.get("REMOTE_ADDR")
            )
        except intentos.LimiteExcedido:
            intentos.registrar(usuario, request.META.get("REMOTE_ADDR"), "demasiados_intentos")
            return render(
                request,
                self.template_name,
                {"bloqueado": True, "form": self.get_form_class()(request)},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        intentos.registrar(
            self._usuario(), self.request.META.get("REMOTE_ADDR"), "credenciales_invalidas"
        )
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        intentos.liberar(self.reserva)
        intentos.registrar(
            form.get_user().get_username()[:20], self.request.META.get("REMOTE_ADDR"), "ok"
        )
        respuesta = super().form_valid(form)
        # cuentas.middleware ends every session 8 hours after this moment.
        self.request.session[SESSION_INICIO] = time.time()
        return respuesta
