"""The staff pages: sign-in, the list of the areas' requests and a request's detail."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from acuses.models import Acuse
from atencion import acceso, consultas, intentos, services
from atencion.models import Adscripcion
from avisos import services as avisos_services
from avisos.models import Aviso, enmascarar
from buzon.errores import ErrorDominio
from calendario.services import fecha_en_mexico
from cuentas.middleware import SESSION_INICIO
from promociones import pipeline
from promociones.consultas import POR_PAGINA, paginar
from promociones.descargas import documento_de_respuesta, respuesta_evidencia
from promociones.models import Asunto, Estatus, Evidencia, Respuesta, Servicio, Solicitud

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


@require_GET
@personal_requerido
def lista(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        filtros = consultas.leer_filtros(request.GET)
    except ErrorDominio as exc:
        error, filtros = exc.mensaje, consultas.FiltrosPersonal()
    consulta = consultas.solicitudes_de_personal(
        request.user, filtros, hoy=fecha_en_mexico(timezone.now())
    )
    pagina = paginar(consulta, filtros.pagina, ajustar=True)
    filas = consulta.select_related("servicio", "asunto", "area", "contribuyente")[
        pagina.desde : pagina.desde + POR_PAGINA
    ]
    contexto = {
        "filas": filas,
        "pagina": pagina,
        "filtros": filtros,
        "error": error,
        "estatus": Estatus.choices,
        "asuntos": Asunto.objects.filter(area__in=acceso.areas_de(request.user))
        .order_by("orden", "nombre")
        .values_list("clave", "nombre"),
        "hoy": fecha_en_mexico(timezone.now()),
    }
    return render(request, "atencion/lista.html", contexto)


def _detalle(
    request: HttpRequest,
    solicitud: Solicitud,
    *,
    error: ErrorDominio | None = None,
    accion: str = "",
    status: int = 200,
) -> HttpResponse:
    rol = acceso.rol_en(request.user, solicitud.area_id)
    permitidas = set(pipeline.permitidas(solicitud.estatus, rol))
    contexto = {
        "solicitud": solicitud,
        "rol": rol,
        "rol_texto": Adscripcion.Rol(rol).label if rol else "",
        "permitidas": permitidas,
        "eventos": solicitud.eventos.select_related("actor").order_by("creado", "id"),
        "acuses": Acuse.objects.filter(solicitud=solicitud).order_by("emitido", "id"),
        "avisos": Aviso.objects.filter(solicitud=solicitud).order_by("creado", "id"),
        "enmascarar": enmascarar,
        "evidencia": Evidencia.objects.filter(solicitud=solicitud).first(),
        "respuesta": Respuesta.objects.filter(solicitud=solicitud).first(),
        "servicios": Servicio.objects.order_by("clave"),
        "personal_del_area": Adscripcion.objects.filter(area_id=solicitud.area_id)
        .select_related("usuario")
        .order_by("usuario__username"),
        "asuntos": Asunto.objects.filter(activo=True).order_by("orden", "nombre"),
        "error": error,
        "accion": accion,
        "valores": request.POST if error else {},
    }
    return render(request, "atencion/detalle.html", contexto, status=status)


@require_GET
@personal_requerido
def detalle(request: HttpRequest, folio: str) -> HttpResponse:
    return _detalle(request, acceso.solicitud_de_personal(request.user, folio))


def _ejecutar(
    request: HttpRequest, folio: str, accion: str, hecho: str, paso: Callable[[Solicitud], Any]
) -> HttpResponse:
    """Runs one staff step from its form: success → back to the detail with a message;
    a broken rule → the detail again with the message and what was typed."""
    solicitud = acceso.solicitud_de_personal(request.user, folio)
    try:
        paso(solicitud)
    except ErrorDominio as exc:
        solicitud = acceso.solicitud_de_personal(request.user, folio)
        return _detalle(request, solicitud, error=exc, accion=accion, status=exc.status)
    messages.success(request, hecho)
    if not acceso.solicitudes_visibles(request.user).filter(folio=folio).exists():
        # Re-routed to an area this person does not belong to.
        return redirect("atencion:lista")
    return redirect("atencion:detalle", folio=folio)


def _dias(valor: str) -> int:
    valor = valor.strip()
    return int(valor) if valor.isascii() and valor.isdigit() else -1


@require_POST
@personal_requerido
def prorroga(request: HttpRequest, folio: str) -> HttpResponse:
    return _ejecutar(
        request,
        folio,
        "prorroga",
        "Prórroga otorgada; se emitió el acuse y se avisó al contribuyente.",
        lambda s: services.otorgar_prorroga(
            solicitud=s,
            actor=request.user,  # type: ignore[arg-type]
            nota=request.POST.get("nota", ""),
            dias_habiles=_dias(request.POST.get("dias_habiles", "")),
        ),
    )


@require_POST
@personal_requerido
def canalizacion(request: HttpRequest, folio: str) -> HttpResponse:
    return _ejecutar(
        request,
        folio,
        "canalizacion",
        "Solicitud canalizada; se emitió el acuse y se avisó al contribuyente.",
        lambda s: services.canalizar(
            solicitud=s,
            actor=request.user,  # type: ignore[arg-type]
            nota=request.POST.get("nota", ""),
            servicio=request.POST.get("servicio", ""),
            asunto=request.POST.get("asunto", ""),
        ),
    )


@require_POST
@personal_requerido
def respuesta(request: HttpRequest, folio: str) -> HttpResponse:
    return _ejecutar(
        request,
        folio,
        "respuesta",
        "Respuesta registrada; se emitió el acuse de respuesta.",
        lambda s: services.responder(
            solicitud=s,
            actor=request.user,  # type: ignore[arg-type]
            texto=request.POST.get("texto", ""),
            documento=request.FILES.get("documento"),
        ),
    )


@require_POST
@personal_requerido
def nota(request: HttpRequest, folio: str) -> HttpResponse:
    return _ejecutar(
        request,
        folio,
        "nota",
        "Nota interna agregada.",
        lambda s: services.anotar(
            solicitud=s,
            actor=request.user,  # type: ignore[arg-type]
            nota=request.POST.get("nota", ""),
        ),
    )


@require_GET
@personal_requerido
def evidencia(request: HttpRequest, folio: str) -> FileResponse:
    """The taxpayer's zip, as an attachment, for staff of the request's area."""
    return respuesta_evidencia(acceso.solicitud_de_personal(request.user, folio))


@require_GET
@personal_requerido
def documento_respuesta(request: HttpRequest, folio: str) -> FileResponse:
    """The answer's PDF, as an attachment, for staff of the request's area."""
    return documento_de_respuesta(acceso.solicitud_de_personal(request.user, folio))


@require_POST
@personal_requerido
def asignacion(request: HttpRequest, folio: str) -> HttpResponse:
    return _ejecutar(
        request,
        folio,
        "asignacion",
        "Solicitud asignada.",
        lambda s: services.asignar(
            solicitud=s,
            actor=request.user,  # type: ignore[arg-type]
            usuario=request.POST.get("usuario", ""),
        ),
    )


def _areas(request: HttpRequest) -> list[int]:
    return list(acceso.areas_de(request.user).values_list("pk", flat=True))


@require_GET
@personal_requerido
def avisos_fallidos(request: HttpRequest) -> HttpResponse:
    """The failed notices of the staff member's areas, with the gateway's last answer."""
    filas = avisos_services.fallidos_de_areas(_areas(request))[:200]
    return render(request, "atencion/avisos.html", {"avisos": filas, "enmascarar": enmascarar})


@require_POST
@personal_requerido
def reintentar_aviso(request: HttpRequest, aviso_id: str) -> HttpResponse:
    valido = aviso_id.isascii() and aviso_id.isdigit() and len(aviso_id) <= 18
    aviso = (
        avisos_services.fallidos_de_areas(_areas(request)).filter(pk=int(aviso_id)).first()
        if valido
        else None
    )
    if aviso is not None and avisos_services.reintentar(
        aviso=aviso, actor=request.user.get_username()
    ):
        messages.success(request, "El aviso volvió a la cola de envío.")
    else:
        messages.error(request, "Ese aviso ya no está fallido o no es de tus áreas.")
    return redirect("atencion:avisos")
