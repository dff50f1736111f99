"""The staff queue: the requests of a staff member's areas, as a page, in the API and as
CSV, and the supervisor's bulk assignment from the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from atencion import consultas, exportacion, memoria, services
from atencion.acceso import solicitud_de_personal
from atencion.api import fila_de_cola, solo_personal
from atencion.ingreso import personal_requerido
from atencion.models import Adscripcion
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from buzon.lib.texto import sin_controles
from calendario.services import ZONA_MEXICO, fecha_en_mexico
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


# Built in Python, not in a Jinja2 loop: 50 rows a page, each with a link, two dates and
# a mark, cost 0.9 ms more as a loop (reverse() and the date filter per row; decision
# 0016 has the figures). Every value goes through html.escape, quotes included.
@cache
def _prefijo_detalle() -> str:
    return reverse("atencion:detalle", args=["FOLIO"]).removesuffix("FOLIO/")


def _fecha(valor: date) -> str:
    return f"{valor.day:02d}/{valor.month:02d}/{valor.year}"


def _momento(valor: datetime) -> str:
    m = valor.astimezone(ZONA_MEXICO)
    return f"{m.day:02d}/{m.month:02d}/{m.year} {m.hour:02d}:{m.minute:02d}"


_MARCAS = {
    "vencida": ' <span class="etiqueta vencida">Vencida</span>',
    "por_vencer": ' <span class="etiqueta por-vencer">Vence pronto</span>',
    "": "",
}


def cuerpo_html(filas: list[Fila], *, casillas: bool) -> SafeString:
    """The queue table's body; ``casillas``: a checkbox per row (bulk assignment)."""
    prefijo = _prefijo_detalle()
    partes = []
    for s in filas:
        f = escape(s.folio)
        casilla = (
            f'<td><input type="checkbox" name="folios" value="{f}" '
            f'aria-label="Seleccionar {f}"></td>'
            if casillas
            else ""
        )
        clase = f' class="marca-{s.marca}"' if s.marca else ""
        partes.append(
            f'<tr{clase}>{casilla}<td><a href="{prefijo}{f}/">{f}</a></td>'
            f"<td>{escape(s.rfc)}</td><td>{escape(s.servicio)}</td><td>{escape(s.asunto)}</td>"
            f"<td>{escape(s.area)}</td><td>{_momento(s.recibida)}</td>"
            f"<td>{_fecha(s.respuesta_a_partir_del)}{_MARCAS[s.marca]}</td>"
            f"<td>{escape(s.estatus_texto)}</td>"
            f"<td>{escape(s.asignada_a) if s.asignada_a else 'Sin asignar'}</td></tr>"
        )
    if not partes:
        columnas = 10 if casillas else 9
        partes.append(
            f'<tr><td colspan="{columnas}">No hay solicitudes con estos filtros.</td></tr>'
        )
    return SafeString("\n".join(partes))


_asignables_memoria: dict[tuple[int, ...], tuple[object, list[tuple[str, str]]]] = {}


def _asignables(ctx: consultas.Contexto) -> list[tuple[str, str]]:
    """(username, "Nombre — áreas") of the staff of the areas she supervises.

    Remembered per set of areas for as long as the catalog read (60 s; a person given a
    role shows within a minute): the select is on every page a supervisor opens, and
    who works in an area changes by the month. Assigning still checks the role then.
    """
    supervisadas = tuple(a.id for a in ctx.areas if a.rol == Adscripcion.Rol.SUPERVISOR)
    if not supervisadas:
        return []
    llave = consultas.catalogo()
    guardado = _asignables_memoria.get(supervisadas)
    if guardado is not None and guardado[0] is llave:
        return guardado[1]
    if len(_asignables_memoria) > 256:
        _asignables_memoria.clear()
    resultado = _leer_asignables(supervisadas)
    _asignables_memoria[supervisadas] = (llave, resultado)
    return resultado


def _leer_asignables(supervisadas: tuple[int, ...]) -> list[tuple[str, str]]:
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


def _opciones(
    valores: list[tuple[str, str]], conteos: dict[str, int], actual: str, *, cero: bool = False
) -> list[tuple[str, str, bool]]:
    """(value, "Name (count)", selected) for a select: each option says how many it has
    within the other filters. Formatted here, not by the template, as the rows are."""
    return [
        (valor, f"{nombre} ({conteos.get(valor, 0):,})", valor == actual)
        for valor, nombre in valores
    ]


def _atajos(
    filtros: consultas.FiltrosPersonal, conteos: consultas.Conteos, consulta: str
) -> list[tuple[str, str, str | None]]:
    """(testid, "Text: count", link or None when that filter is on): the four counts of
    the contract as one-click filters, keeping the others."""
    dias = consultas.DIAS_POR_VENCER

    def con(**cambios: str) -> str:
        # A later value of the same name wins (QueryDict.get): the link changes one filter.
        return "?" + consulta + "".join(f"&{k}={v}" for k, v in cambios.items())

    return [
        (
            "conteo-vencidas",
            f"Vencidas: {conteos.vencidas:,}",
            None if filtros.vencidas else con(vencidas="true", vence_en=""),
        ),
        (
            "conteo-por-vencer",
            f"Vencen en {dias} días hábiles o menos: {conteos.por_vencer:,}",
            None if filtros.vence_en == dias else con(vence_en=str(dias), vencidas=""),
        ),
        (
            "conteo-sin-asignar",
            f"Sin asignar: {conteos.sin_asignar:,}",
            None if filtros.asignacion == "sin_asignar" else con(asignacion="sin_asignar"),
        ),
        (
            "conteo-mias",
            f"Asignadas a mí: {conteos.mias:,}",
            None if filtros.asignacion == "mias" else con(asignacion="mias"),
        ),
    ]


@require_GET
@personal_requerido
def lista(request: HttpRequest) -> HttpResponse:
    ctx = consultas.contexto(request.user, _hoy())
    try:
        filtros = consultas.leer_filtros(request.GET, ctx.areas, pagina_web=True)
    except ErrorDominio as exc:
        # The refused value goes back into its field: this page is the request's own.
        contenido = _contenido(
            ctx, consultas.FiltrosPersonal(estatus=consultas.ABIERTAS), exc, request.GET
        )
    else:
        contenido = memoria.pagina_de_cola(
            (ctx.user_id, tuple(ctx.areas), ctx.hoy, filtros),
            ctx.area_ids,
            lambda: _contenido(ctx, filtros),
        )
    supervisa = any(a.rol == Adscripcion.Rol.SUPERVISOR for a in ctx.areas)
    return render(request, "atencion/lista.html", {"contenido": contenido, "supervisa": supervisa})


def _contenido(
    ctx: consultas.Contexto,
    filtros: consultas.FiltrosPersonal,
    error: ErrorDominio | None = None,
    tecleado: Mapping[str, str] | None = None,
) -> SafeString:
    """The page's main part for these filters: counts, filters, rows and pages."""
    conteos = consultas.conteos_de_cola(ctx, filtros)
    pagina = consultas.paginar(conteos.total, filtros.pagina, ajustar=True)
    consulta = consultas.solicitudes_de_personal(ctx.user_id, filtros, hoy=ctx.hoy, ctx=ctx)
    parametros = filtros.como_parametros()
    if "estatus" not in parametros:
        parametros["estatus"] = ""  # every estatus, not the page's default
    consulta_texto = urlencode(parametros)
    asignables = _asignables(ctx)
    cat = consultas.catalogo()
    contexto = {
        "cuerpo": cuerpo_html(_filas(consulta, pagina.desde, ctx), casillas=bool(asignables)),
        "pagina": pagina,
        "paginas_texto": f"{pagina.paginas:,}",
        "filtros": filtros,
        "total": conteos.total,
        "total_texto": f"{conteos.total:,}",
        "atajos": _atajos(filtros, conteos, consulta_texto),
        "error": error.mensaje if error else "",
        "error_campo": (error.campo or "") if error else "",  # the field the message is for
        "tecleado": tecleado or {},
        "estatus": _opciones(
            [("", "Todos"), (consultas.ABIERTAS, "Sin atender"), *Estatus.choices],
            conteos.por_estatus,
            filtros.estatus,
        ),
        "servicios": _opciones(
            [(c, n) for c, (_, n) in cat.servicios.items()], conteos.por_servicio, filtros.servicio
        ),
        "asuntos": _opciones(
            [(c, n) for c, n, area in cat.opciones_asunto if area in ctx.area_ids],
            conteos.por_asunto,
            filtros.asunto,
        ),
        "areas": _opciones([(a.clave, a.nombre) for a in ctx.areas], conteos.por_area, filtros.area)
        if len(ctx.areas) > 1
        else [],
        "asignaciones": _opciones(
            [("mias", "Asignadas a mí"), ("sin_asignar", "Sin asignar")],
            {"mias": conteos.mias, "sin_asignar": conteos.sin_asignar},
            filtros.asignacion,
            cero=True,
        ),
        "vencidas_texto": f"{conteos.vencidas:,}",
        "por_vencer_texto": f"{conteos.por_vencer:,}",
        "asignables": asignables,
        "consulta": consulta_texto,
        "dias_por_vencer": consultas.DIAS_POR_VENCER,
    }
    return SafeString(render_to_string("atencion/lista_contenido.html", contexto))


@endpoint
@require_GET
@token_requerido
def solicitudes_api(request: HttpRequest) -> HttpResponse:
    solo_personal(request)
    ctx = consultas.contexto(request.user, _hoy())
    filtros = consultas.leer_filtros(request.GET, ctx.areas)
    user = request.user

    def hacer() -> dict[str, Any]:
        conteos = consultas.conteos_de_cola(ctx, filtros)
        pagina = consultas.paginar(conteos.total, filtros.pagina)
        consulta = consultas.solicitudes_de_personal(user, filtros, hoy=ctx.hoy, ctx=ctx)
        filas = consulta.select_related(
            "servicio", "asunto", "evidencia", "area", "contribuyente", "asignada_a"
        )[pagina.desde : pagina.desde + consultas.POR_PAGINA]
        return {
            "resultados": [fila_de_cola(s) for s in filas],
            "total": pagina.total,
            "pagina": pagina.pagina,
            "paginas": pagina.paginas,
            "conteos": conteos.contrato(),
        }

    # Remembered as the page is (atencion.memoria), under a key of its own.
    return respuesta_json(
        memoria.pagina_de_cola(
            ("api", ctx.user_id, tuple(ctx.areas), ctx.hoy, filtros), ctx.area_ids, hacer
        )
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
