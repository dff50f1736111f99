"""The staff queue: the requests of a staff member's areas, as a page and in the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from atencion import acceso, consultas
from atencion.api import fila_de_cola, solo_personal
from atencion.ingreso import personal_requerido
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from calendario.services import fecha_en_mexico
from cuentas.autenticacion import token_requerido
from promociones.consultas import POR_PAGINA, paginar
from promociones.models import Asunto, Estatus


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


@endpoint
@require_GET
@token_requerido
def solicitudes_api(request: HttpRequest) -> HttpResponse:
    solo_personal(request)
    filtros = consultas.leer_filtros(request.GET)
    consulta = consultas.solicitudes_de_personal(
        request.user, filtros, hoy=fecha_en_mexico(timezone.now())
    )
    pagina = paginar(consulta, filtros.pagina)
    filas = consulta.select_related(
        "servicio", "asunto", "evidencia", "area", "contribuyente", "asignada_a"
    )[pagina.desde : pagina.desde + POR_PAGINA]
    return respuesta_json(
        {
            "resultados": [fila_de_cola(s) for s in filas],
            "total": pagina.total,
            "pagina": pagina.pagina,
            "paginas": pagina.paginas,
        }
    )
