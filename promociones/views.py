"""The taxpayer's pages: services, Nueva Solicitud, Tablero principal and Detalle."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from acuses.models import Acuse
from acuses.views import respuesta_pdf
from buzon.errores import ErrorDominio
from buzon.lib.texto import MAX_CARACTERES_DESCRIPCION
from cuentas.models import Contribuyente
from promociones import acceso, catalogo, consultas, tablero
from promociones.auditoria import consultas_del_instituto
from promociones.consultas import eventos_publicos, respuesta_de
from promociones.descargas import acuse_de, documento_de_respuesta, respuesta_evidencia
from promociones.models import (
    Asunto,
    Estatus,
    Evento,
    Evidencia,
    Servicio,
    Solicitud,
)
from promociones.services import ErroresSolicitud, registrar_solicitud
from promociones.subidas import acepta_evidencia, evidencia_excedida

Vista = TypeVar("Vista", bound=Callable[..., HttpResponseBase])


def contribuyente_requerido(vista: Vista) -> Vista:
    """Logged in, and as a taxpayer (staff accounts have their own pages)."""

    @login_required
    @wraps(vista)
    def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request.user, "contribuyente", None) is None:
            raise PermissionDenied("Esta sección es solo para contribuyentes.")
        return vista(request, *args, **kwargs)

    return cast(Vista, envoltura)


def _servicio(clave: str) -> Servicio:
    servicio = catalogo.servicio_por_clave(clave)
    if servicio is None:
        raise Http404("Servicio desconocido.")
    return servicio


@require_GET
@contribuyente_requerido
def servicio(request: HttpRequest, servicio: str) -> HttpResponse:
    return render(request, "promociones/servicio.html", {"servicio": _servicio(servicio)})


def _asuntos(servicio: Servicio) -> list[Asunto]:
    return list(servicio.asuntos.filter(activo=True).order_by("orden", "nombre"))


@acepta_evidencia  # upload handlers first, then the CSRF check
@require_http_methods(["GET", "POST"])
@contribuyente_requerido
def nueva(request: HttpRequest, servicio: str) -> HttpResponse:
    serv = _servicio(servicio)
    if request.method == "POST":
        return _registrar(request, serv)
    asuntos = _asuntos(serv)
    elegido = next((a for a in asuntos if a.clave == request.GET.get("asunto")), None)
    if elegido is None:
        return render(request, "promociones/asuntos.html", {"servicio": serv, "asuntos": asuntos})
    if request.GET.get("paso") != "registro":
        contexto = {"servicio": serv, "asunto": elegido}
        return render(request, "promociones/recomendaciones.html", contexto)
    return _formulario(request, serv, elegido, {}, {})


def _formulario(
    request: HttpRequest,
    servicio: Servicio,
    asunto: Asunto | None,
    valores: dict[str, str],
    errores: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    contexto = {
        "servicio": servicio,
        "asunto": asunto,
        "asuntos": _asuntos(servicio),
        "valores": valores,
        "errores": errores,
        # A fresh key per rendered form: a double click or a resent POST makes one request.
        "clave_idempotencia": valores.get("clave_idempotencia") or secrets.token_urlsafe(24),
        "maximo": MAX_CARACTERES_DESCRIPCION,
    }
    return render(request, "promociones/formulario.html", contexto, status=status)


def _registrar(request: HttpRequest, servicio: Servicio) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    valores = {k: request.POST.get(k, "") for k in ("asunto", "descripcion", "telefono")}
    valores["clave_idempotencia"] = request.POST.get("clave_idempotencia", "")
    asunto = next((a for a in _asuntos(servicio) if a.clave == valores["asunto"]), None)
    try:
        solicitud = registrar_solicitud(
            contribuyente=contribuyente,
            servicio=servicio.clave,
            asunto=valores["asunto"],
            descripcion=valores["descripcion"],
            telefono=valores["telefono"],
            evidencia=request.FILES.get("evidencia"),
            clave_idempotencia=valores["clave_idempotencia"],
            evidencia_excedida=evidencia_excedida(request),
        )
    except ErroresSolicitud as exc:
        return _formulario(request, servicio, asunto, valores, exc.por_campo(), exc.status)
    except ErrorDominio as exc:
        # The evidence rules (zip, size, harmful, infected) are checked last, alone.
        campo = exc.campo or ("evidencia" if exc.codigo.startswith("evidencia_") else "formulario")
        if exc.codigo == "idempotencia_reutilizada":
            # The form was sent again with other data: a fresh key lets the person
            # file this as a new request once they have checked it.
            valores["clave_idempotencia"] = ""
        return _formulario(request, servicio, asunto, valores, {campo: exc.mensaje}, exc.status)
    return redirect("promociones:registrada", folio=solicitud.folio)


@require_GET
@contribuyente_requerido
def registrada(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
    return render(request, "promociones/registrada.html", {"solicitud": solicitud})


@require_GET
@contribuyente_requerido
def tablero_principal(request: HttpRequest) -> HttpResponse:
    contribuyente: Contribuyente = request.user.contribuyente  # type: ignore[union-attr]
    error = error_campo = None
    try:
        # The page also takes dates as dd/mm/aaaa, as it shows them (the API: AAAA-MM-DD).
        filtros = consultas.leer_filtros(request.GET, pagina_web=True)
    except ErrorDominio as exc:
        error, error_campo, filtros = exc.mensaje, exc.campo, consultas.Filtros()
    pagina, filas = consultas.pagina_del_tablero(contribuyente.pk, filtros)
    valores = filtros.como_parametros()
    base = urlencode(valores)
    contexto = {
        "encabezado": tablero.ENCABEZADO,
        "filas": tablero.filas_html(filas),
        "pagina": pagina,
        "valores": valores,  # the filters as typed back into the form
        "filtros": filtros,
        "error": error,
        "error_campo": error_campo,
        "opciones_asunto": tablero.opciones_html(
            consultas.catalogo_asuntos().opciones, filtros.asunto
        ),
        "opciones_estatus": tablero.opciones_html(Estatus.choices, filtros.estatus),
        "enlace": f"?{base}&pagina=" if base else "?pagina=",
    }
    return render(request, "promociones/tablero.html", contexto)


def _fecha_dato(valor: Any) -> date | None:
    try:
        return date.fromisoformat(valor) if isinstance(valor, str) else None
    except ValueError:
        return None


def _historial(solicitud: Solicitud) -> list[tuple[Evento, date | None, str]]:
    """Each public event with the response date it set and, for a canalización, where
    the request went ("Orientación / ICSOE"), as the guide's section VIII asks."""
    eventos = eventos_publicos(solicitud)
    servicios = dict(Servicio.objects.values_list("clave", "nombre"))
    asuntos = dict(consultas.catalogo_asuntos().opciones)
    filas = []
    for evento in eventos:
        destino = ""
        if evento.tipo == Evento.Tipo.CANALIZADA:
            servicio, asunto = evento.datos.get("servicio"), evento.datos.get("asunto")
            destino = f"{servicios.get(servicio, servicio)} / {asuntos.get(asunto, asunto)}"
        filas.append((evento, _fecha_dato(evento.datos.get("respuesta_a_partir_del")), destino))
    return filas


@require_GET
@contribuyente_requerido
def detalle(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
    contexto = {
        "solicitud": solicitud,
        "evidencia": Evidencia.objects.filter(solicitud=solicitud).first(),
        "historial": _historial(solicitud),
        "acuses": list(Acuse.objects.filter(solicitud=solicitud).order_by("emitido", "id")),
        "respuesta": respuesta_de(solicitud),
        "consultas_del_instituto": consultas_del_instituto(solicitud),
    }
    return render(request, "promociones/detalle.html", contexto)


@require_GET
@contribuyente_requerido
def evidencia(request: HttpRequest, folio: str) -> FileResponse:
    return respuesta_evidencia(acceso.solicitud_de_contribuyente(request.user, folio))


@require_GET
@contribuyente_requerido
def documento_respuesta(request: HttpRequest, folio: str) -> FileResponse:
    return documento_de_respuesta(acceso.solicitud_de_contribuyente(request.user, folio))


@require_GET
@login_required
def acuse(request: HttpRequest, folio: str, tipo: str) -> HttpResponse:
    """The signed PDF of the request's acuse of ``tipo`` (owner only), as an attachment."""
    solicitud = acceso.solicitud_de_contribuyente(request.user, folio)
    return respuesta_pdf(acuse_de(solicitud, tipo))
