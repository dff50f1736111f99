"""The supervisor's oversight: a page per area and for all her areas, and the same
figures in the API (CONTRACT.md, "Staff": ``GET atencion/indicadores?area=``).

Only supervisors see it: staff who supervise no area are refused (403 ``solo_supervision``)
and an area she does not supervise answers exactly like an area that does not exist
(404), so the page cannot be used to learn which areas exist. The figures come from
``atencion.indicadores``; the chart is an inline SVG drawn here on the server (no script:
the CSP allows none inline, and none is needed), with the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from atencion import consultas, indicadores, memoria
from atencion.api import solo_personal
from atencion.consultas import AreaDe
from atencion.indicadores import Indicadores, Semana
from atencion.ingreso import personal_requerido
from atencion.models import Adscripcion
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from buzon.lib.texto import sin_controles
from calendario.services import fecha_en_mexico
from cuentas.autenticacion import token_requerido
from promociones.models import Estatus


def areas_supervisadas(user: Any) -> list[AreaDe]:
    """The areas where ``user`` is supervisor, by name (one query, the queue's)."""
    return [a for a in consultas.areas_con_rol(user) if a.rol == Adscripcion.Rol.SUPERVISOR]


def areas_pedidas(user: Any, entrada: Mapping[str, Any]) -> tuple[list[AreaDe], list[AreaDe]]:
    """(the areas ``?area=`` names, all those ``user`` supervises): one of hers, or all of
    them when it is empty.

    ErrorDominio ``solo_supervision`` when she supervises none; ``no_encontrado.area``
    for any other clave, hers as analyst, someone else's or none at all alike.
    """
    suyas = areas_supervisadas(user)
    if not suyas:
        raise ErrorDominio("solo_supervision")
    # As the queue's filters: no control characters, nothing longer than a clave.
    clave = sin_controles(str(entrada.get("area") or "")).strip()[:100]
    if not clave:
        return suyas, suyas
    elegida = [a for a in suyas if a.clave == clave]
    if not elegida:
        raise ErrorDominio("no_encontrado.area")
    return elegida, suyas


def _hoy() -> Any:
    return fecha_en_mexico(timezone.now())


# ---------------------------------------------------------------- the chart


# Wide enough that two four-digit labels side by side do not touch (group ~75 units).
ANCHO, ALTO = 960, 300
MARGEN_IZQ, MARGEN_DER, MARGEN_SUP, MARGEN_INF = 48, 8, 50, 40
ALTO_TEXTO = 13  # a value's line: two values closer than this are written one above the other
ALTO_UTIL = ALTO - MARGEN_SUP - MARGEN_INF


@dataclass(frozen=True)
class Barra:
    x: float
    y: float
    ancho: float
    alto: float
    valor: int
    serie: str  # "recibidas" or "atendidas"
    texto: str  # for the <title> a pointer or a screen reader shows
    y_valor: float  # baseline of the number written above the bar


@dataclass(frozen=True)
class Grafica:
    barras: list[Barra]
    # (x of the group's centre, ISO week label, its first day "dd/mm")
    etiquetas: list[tuple[float, str, str]]
    # (y, value) of the horizontal guide lines, the bottom one (0) included
    guias: list[tuple[float, int]]
    ancho: int = ANCHO
    alto: int = ALTO
    base: float = MARGEN_SUP + ALTO_UTIL
    izquierda: int = MARGEN_IZQ
    derecha: int = ANCHO - MARGEN_DER


def tope_redondo(maximo: int) -> int:
    """The smallest round number at or above ``maximo`` (at least 1): 1, 1.2, 1.5, 2,
    2.5, 3, 4, 5, 6 or 8 × 10^k, whole. Guides at round numbers are easier to read than
    at the exact maximum, and the tallest bar still fills most of the height."""
    escala = 1
    while True:
        for decimos in (10, 12, 15, 20, 25, 30, 40, 50, 60, 80):
            if decimos * escala % 10 == 0 and decimos * escala // 10 >= maximo:
                return max(1, decimos * escala // 10)
        escala *= 10


def grafica(semanas: list[Semana]) -> Grafica:
    """Bars of filings and answers per week, scaled to the largest round number."""
    tope = tope_redondo(max([s.recibidas for s in semanas] + [s.atendidas for s in semanas]))
    grupo = (ANCHO - MARGEN_IZQ - MARGEN_DER) / len(semanas)
    ancho_barra = grupo * 0.4
    base = MARGEN_SUP + ALTO_UTIL
    barras, etiquetas = [], []
    for i, s in enumerate(semanas):
        centro = MARGEN_IZQ + grupo * (i + 0.5)
        y_anterior: float | None = None
        for serie, valor, x in (
            ("recibidas", s.recibidas, centro - ancho_barra - 1),
            ("atendidas", s.atendidas, centro + 1),
        ):
            alto = ALTO_UTIL * valor / tope
            y_valor = base - alto - 3
            if y_anterior is not None and abs(y_valor - y_anterior) < ALTO_TEXTO:
                # Five-digit numbers over neighbouring bars would run into each other.
                y_valor = min(y_valor, y_anterior) - ALTO_TEXTO
            y_anterior = y_valor
            barras.append(
                Barra(
                    x=round(x, 1),
                    y=round(base - alto, 1),
                    ancho=round(ancho_barra, 1),
                    alto=round(alto, 1),
                    valor=valor,
                    serie=serie,
                    texto=f"Semana {s.etiqueta}: {valor} {serie}",
                    y_valor=round(y_valor, 1),
                )
            )
        etiquetas.append((round(centro, 1), s.etiqueta, s.lunes.strftime("%d/%m")))
    # Guides at quarters of the top, where a quarter is a whole number of requests.
    guias = [
        (round(base - ALTO_UTIL * k / 4, 1), tope * k // 4) for k in range(5) if tope * k % 4 == 0
    ]
    return Grafica(barras=barras, etiquetas=etiquetas, guias=guias)


def porcentaje(proporcion: float | None) -> str:
    if proporcion is None:
        return "—"
    texto = f"{proporcion * 100:.1f}".removesuffix(".0")
    return f"{texto} %"


def dias(valor: float | None) -> str:
    if valor is None:
        return "—"
    return f"{valor:.1f}".removesuffix(".0")


# ---------------------------------------------------------------- page and API


def _calcular(areas: list[AreaDe]) -> Indicadores:
    """The areas' figures for today, remembered while their requests are unchanged
    (atencion.memoria: the areas' versions, the day and the catalog read are the key;
    the same for every supervisor of them)."""
    hoy = _hoy()
    return memoria.pagina_de_cola(
        ("indicadores", tuple(a.id for a in areas), hoy),
        [a.id for a in areas],
        lambda: indicadores.calcular(areas, hoy=hoy),
    )


@require_GET
@personal_requerido
def pagina(request: HttpRequest) -> HttpResponse:
    try:
        areas, suyas = areas_pedidas(request.user, request.GET)
    except ErrorDominio as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.mensaje) from None
        # The site's 404 page: the same bytes for an area of others and for none.
        raise Http404(exc.mensaje) from None
    datos = _calcular(areas)
    contexto = {
        "datos": datos,
        "suyas": suyas,
        # One area asked for by its clave (areas_pedidas returns her list itself for all).
        "una_area": areas[0] if areas is not suyas else None,
        "grafica": grafica(datos.semanas),
        "estatus": [(e, Estatus(e).label) for e in indicadores.ABIERTAS],
        "porcentaje": porcentaje,
        "dias": dias,
    }
    return render(request, "atencion/supervision.html", contexto)


def indicadores_a_dict(datos: Indicadores) -> dict[str, Any]:
    v30, v90 = datos.ventanas[30], datos.ventanas[90]
    return {
        "areas": [a.clave for a in datos.areas],
        "fecha": datos.hoy.isoformat(),
        "abiertas": datos.abiertas,
        "vencidas": datos.vencidas,
        "atendidas_a_tiempo_30d": v30.proporcion_a_tiempo,
        "mediana_dias_habiles_30d": v30.mediana_dias_habiles,
        "atendidas_30d": v30.atendidas,
        "atendidas_a_tiempo_90d": v90.proporcion_a_tiempo,
        "mediana_dias_habiles_90d": v90.mediana_dias_habiles,
        "atendidas_90d": v90.atendidas,
        "por_estatus": datos.por_estatus,
        "por_asunto": [
            {
                "area": f.area.clave,
                "asunto": f.asunto,
                "nombre": f.nombre,
                "abiertas": f.abiertas,
                "vencidas": f.vencidas,
                "por_estatus": f.por_estatus,
            }
            for f in datos.por_asunto
        ],
        "por_semana": [
            {"semana": s.etiqueta, "recibidas": s.recibidas, "atendidas": s.atendidas}
            for s in datos.semanas
        ],
    }


@endpoint
@require_GET
@token_requerido
def api(request: HttpRequest) -> HttpResponse:
    solo_personal(request)
    areas, _ = areas_pedidas(request.user, request.GET)
    return respuesta_json(indicadores_a_dict(_calcular(areas)))
