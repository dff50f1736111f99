"""The staff pages: a request's detail, its actions and downloads, and failed notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from acuses.models import Acuse
from acuses.views import respuesta_pdf
from atencion import acceso, auditoria, services
from atencion.ingreso import personal_requerido
from atencion.models import Adscripcion
from avisos import services as avisos_services
from avisos.models import Aviso, enmascarar
from buzon.errores import ErrorDominio
from promociones import pipeline
from promociones.descargas import (
    acuse_de,
    alertas_de_archivos,
    documento_de_respuesta,
    respuesta_evidencia,
)
from promociones.models import Asunto, Evidencia, Respuesta, Servicio, Solicitud


def _detalle(
    request: HttpRequest,
    solicitud: Solicitud,
    *,
    error: ErrorDominio | None = None,
    accion: str = "",
    status: int = 200,
) -> HttpResponse:
    """The request's page. Every time it shows the request to someone, that is a view in
    the request's audit, including the page shown again with a refused action's message
    (it shows the whole request again; the refused action itself leaves no row)."""
    vista = auditoria.registrar_consulta(
        solicitud=solicitud, usuario=request.user, canal=auditoria.WEB
    )
    rol = vista.rol
    permitidas = set(pipeline.permitidas(solicitud.estatus, rol))
    contexto = {
        "solicitud": solicitud,
        "rol": rol,
        "rol_texto": Adscripcion.Rol(rol).label if rol else "",
        "permitidas": permitidas,
        "eventos": solicitud.eventos.select_related("actor").order_by("creado", "id"),
        "auditoria": auditoria.de_solicitud(solicitud),
        "acuses": Acuse.objects.filter(solicitud=solicitud).order_by("emitido", "id"),
        "avisos": Aviso.objects.filter(solicitud=solicitud).order_by("creado", "id"),
        "enmascarar": enmascarar,
        "evidencia": Evidencia.objects.filter(solicitud=solicitud).first(),
        "respuesta": Respuesta.objects.filter(solicitud=solicitud).first(),
        "alertas_de_archivos": alertas_de_archivos(solicitud),
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
def evidencia(request: HttpRequest, folio: str) -> HttpResponseBase:
    """The taxpayer's zip, as an attachment, for staff of the request's area."""
    return _descarga(request, folio, auditoria.Accion.EVIDENCIA, respuesta_evidencia)


@require_GET
@personal_requerido
def documento_respuesta(request: HttpRequest, folio: str) -> HttpResponseBase:
    """The answer's PDF, as an attachment, for staff of the request's area."""
    return _descarga(request, folio, auditoria.Accion.DOCUMENTO, documento_de_respuesta)


@require_GET
@personal_requerido
def acuse(request: HttpRequest, folio: str, tipo: str) -> HttpResponseBase:
    """The signed PDF of one of the request's acuses, as the taxpayer received it, for
    staff of the request's area: what the person holds when they call."""
    return _descarga(
        request, folio, auditoria.Accion.ACUSE, lambda s: respuesta_pdf(acuse_de(s, tipo))
    )


def _descarga(
    request: HttpRequest,
    folio: str,
    accion: str,
    archivo: Callable[[Solicitud], HttpResponseBase],
) -> HttpResponseBase:
    """The file, recorded as downloaded once it is there to serve (a request without it
    is a 404 and records nothing)."""
    solicitud = acceso.solicitud_de_personal(request.user, folio)
    respuesta = archivo(solicitud)
    try:
        auditoria.registrar_consulta(
            solicitud=solicitud, usuario=request.user, accion=accion, canal=auditoria.WEB
        )
    except BaseException:
        respuesta.close()
        raise
    return respuesta


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
