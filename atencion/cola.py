"""The staff queue: the requests of a staff member's areas, as a page, in the API and as
CSV, and the supervisor's bulk assignment from the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from atencion import consultas, exportacion, services
from atencion.acceso import solicitud_de_personal
from atencion.api import fila_de_cola, solo_personal
from atencion.ingreso import personal_requerido
from atencion.models import Adscripcion
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from buzon.lib.texto import sin_controles
from calendario.services import fecha_en_mexico
from cuentas.autenticacion import token_requerido
from promociones.models import Estatus

ESTATUS_TEXTO = dict(Estatus.choices)
# One page of the queue: more folios in one assignment is not a person's selection.
MAX_FOLIOS_POR_ASIGNACION = consultas.POR_PAGINA


@dataclass(frozen=True)
class Fila:
    """A row of the queue page, read as plain values (no model instances)."""

    id: int
    folio: str
    servicio: str
    asunto: str
    area: str
    rfc: str
    nombre: str
    estatus: str
    estatus_texto: str
    recibida: datetime
    respuesta_a_partir_del: date
    asignada_a: str | None
    marca: str  # "vencida", "por_vencer" or ""


def _hoy() -> date:
    return fecha_en_mexico(timezone.now())


def _filas(consulta: Any, desde: int, ctx: consultas.Contexto) -> list[Fila]:
    cat = consultas.catalogo()
    nombres_area = {a.id: a.nombre for a in ctx.areas}
    d2 = consultas.fin_de_plazo(ctx.hoy, consultas.DIAS_POR_VENCER)
    crudas = consulta.values_list(
        "id",
        "folio",
        "servicio_id",
        "asunto_id",
        "area_id",
        "contribuyente__rfc",
        "contribuyente__nombre",
        "estatus",
        "recibida",
        "respuesta_a_partir_del",
        "asignada_a__username",
    )[desde : desde + consultas.POR_PAGINA]
    filas = []
    for pk, folio, serv, asu, area, rfc, nombre, estatus, recibida, respuesta, asignada in crudas:
        marca = ""
        if estatus != Estatus.ATENDIDO:
            if respuesta < ctx.hoy:
                marca = "vencida"
            elif respuesta <= d2:
                marca = "por_vencer"
        filas.append(
            Fila(
                pk,
                folio,
                cat.nombres_servicio.get(serv, ""),
                cat.nombres_asunto.get(asu, ""),
                nombres_area.get(area, ""),
                rfc,
                nombre,
                estatus,
                ESTATUS_TEXTO.get(estatus, estatus),
                recibida,
                respuesta,
                asignada,
                marca,
            )
        )
    return filas


def _asignables(ctx: consultas.Contexto) -> list[tuple[str, str]]:
    """(username, "Nombre — áreas") of the staff of the areas she supervises."""
    supervisadas = [a.id for a in ctx.areas if a.rol == Adscripcion.Rol.SUPERVISOR]
    if not supervisadas:
        return []
    personas: dict[str, tuple[str, list[str]]] = {}
    filas = (
        Adscripcion.objects.filter(area_id__in=supervisadas)
        .order_by("usuario__first_name", "usuario__username", "area__nombre")
        .values_list(
            "usuario__username", "usuario__first_name", "usuario__last_name", "area__nombre"
        )
    )
    for username, nombre, apellido, area in filas:
        texto = f"{nombre} {apellido}".strip() or username
        personas.setdefault(username, (texto, []))[1].append(area)
    return [(u, f"{t} — {', '.join(areas)}") for u, (t, areas) in personas.items()]


@require_GET
@personal_requerido
def lista(request: HttpRequest) -> HttpResponse:
    ctx = consultas.contexto(request.user, _hoy())
    error = ""
    try:
        filtros = consultas.leer_filtros(request.GET, ctx.areas, pagina_web=True)
    except ErrorDominio as exc:
        error, filtros = exc.mensaje, consultas.FiltrosPersonal(estatus=consultas.ABIERTAS)
    conteos = consultas.conteos_de_cola(ctx, filtros)
    pagina = consultas.paginar(conteos.total, filtros.pagina, ajustar=True)
    consulta = consultas.solicitudes_de_personal(request.user, filtros, hoy=ctx.hoy, ctx=ctx)
    parametros = filtros.como_parametros()
    if "estatus" not in parametros:
        parametros["estatus"] = ""  # every estatus, not the page's default
    contexto = {
        "filas": _filas(consulta, pagina.desde, ctx),
        "pagina": pagina,
        "filtros": filtros,
        "conteos": conteos,
        "error": error,
        "estatus": [(consultas.ABIERTAS, "Sin atender"), *Estatus.choices],
        "servicios": [(c, n) for c, (_, n) in consultas.catalogo().servicios.items()],
        "asuntos": [
            (c, n) for c, n, area in consultas.catalogo().opciones_asunto if area in ctx.area_ids
        ],
        "areas": ctx.areas,
        "asignables": _asignables(ctx),
        "consulta": urlencode(parametros),
        "dias_por_vencer": consultas.DIAS_POR_VENCER,
    }
    return render(request, "atencion/lista.html", contexto)


@endpoint
@require_GET
@token_requerido
def solicitudes_api(request: HttpRequest) -> HttpResponse:
    solo_personal(request)
    ctx = consultas.contexto(request.user, _hoy())
    filtros = consultas.leer_filtros(request.GET, ctx.areas)
    conteos = consultas.conteos_de_cola(ctx, filtros)
    pagina = consultas.paginar(conteos.total, filtros.pagina)
    consulta = consultas.solicitudes_de_personal(request.user, filtros, hoy=ctx.hoy, ctx=ctx)
    filas = consulta.select_related(
        "servicio", "asunto", "evidencia", "area", "contribuyente", "asignada_a"
    )[pagina.desde : pagina.desde + consultas.POR_PAGINA]
    return respuesta_json(
        {
            "resultados": [fila_de_cola(s) for s in filas],
            "total": pagina.total,
            "pagina": pagina.pagina,
            "paginas": pagina.paginas,
            "conteos": conteos.contrato(),
        }
    )


@endpoint
@require_GET
@token_requerido  # type: ignore[arg-type]  # a streamed response; the decorator only reads the request
def solicitudes_csv(request: HttpRequest) -> HttpResponseBase:
    """``GET atencion/solicitudes.csv``: the filtered queue, every page, streamed."""
    solo_personal(request)
    ctx = consultas.contexto(request.user, _hoy())
    filtros = consultas.leer_filtros(request.GET, ctx.areas)
    return exportacion.respuesta_csv(request.user, filtros, ctx)


@require_GET
@personal_requerido
def exportar(request: HttpRequest) -> HttpResponseBase:
    """The page's «Descargar CSV»: the queue as filtered on the page (its dates too)."""
    ctx = consultas.contexto(request.user, _hoy())
    try:
        filtros = consultas.leer_filtros(request.GET, ctx.areas, pagina_web=True)
    except ErrorDominio as exc:
        messages.error(request, exc.mensaje)
        return HttpResponseRedirect(reverse("atencion:lista"))
    return exportacion.respuesta_csv(request.user, filtros, ctx)


def _regreso(request: HttpRequest) -> str:
    """Back to the queue with the filters it had (only a query string is taken)."""
    consulta = sin_controles(request.POST.get("consulta", ""))[:2000]
    if consulta.startswith("?"):
        consulta = consulta[1:]
    destino = reverse("atencion:lista")
    return f"{destino}?{consulta}" if consulta and "\n" not in consulta else destino


@require_POST
@personal_requerido
def asignar(request: HttpRequest) -> HttpResponse:
    """Bulk assignment from the queue page: each selected request is assigned on its own,
    through the same pipeline action as the detail page (atencion.services.asignar), and
    the result is reported per folio: one refused request (another area, a person with no
    role in its area, no supervisor role there) does not undo the others, each of which
    is a complete action with its own history and audit row."""
    folios = [sin_controles(f).strip()[:30] for f in request.POST.getlist("folios")]
    folios = list(dict.fromkeys(f for f in folios if f))
    usuario = sin_controles(request.POST.get("usuario", "")).strip()[:150]
    regreso = HttpResponseRedirect(_regreso(request))
    if not folios:
        messages.error(request, ErrorDominio("asignacion_sin_folios").mensaje)
        return regreso
    if len(folios) > MAX_FOLIOS_POR_ASIGNACION:
        messages.error(
            request,
            ErrorDominio(
                "asignacion_sin_folios.demasiados", maximo=MAX_FOLIOS_POR_ASIGNACION
            ).mensaje,
        )
        return regreso
    if not usuario:
        messages.error(request, ErrorDominio("usuario_invalido").mensaje)
        return regreso
    hechas: list[str] = []
    rechazadas: list[tuple[str, str]] = []
    for folio in folios:
        try:
            with transaction.atomic():
                solicitud = solicitud_de_personal(request.user, folio)
                services.asignar(
                    solicitud=solicitud,
                    actor=request.user,  # type: ignore[arg-type]
                    usuario=usuario,
                )
        except ErrorDominio as exc:
            rechazadas.append((folio, exc.mensaje))
        else:
            hechas.append(folio)
    if hechas:
        messages.success(
            request,
            f"Asignada{'s' if len(hechas) > 1 else ''} a {usuario}: {', '.join(hechas)}.",
        )
    for folio, motivo in rechazadas:
        messages.error(request, f"{folio}: no se asignó. {motivo}")
    return regreso
