"""The taxpayer's JSON API (CONTRACT.md): catalog, filing, listing, detail, evidence."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from acuses.models import Acuse
from acuses.views import respuesta_pdf
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from calendario.services import ZONA_MEXICO
from cuentas.autenticacion import token_requerido
from cuentas.models import Contribuyente
from promociones import acceso, consultas
from promociones.auditoria import ConsultaVisible, consultas_del_instituto
from promociones.consultas import eventos_publicos, respuesta_de
from promociones.descargas import acuse_de, documento_de_respuesta, respuesta_evidencia
from promociones.models import Asunto, Evento, Respuesta, Servicio, Solicitud
from promociones.pipeline import Efectos
from promociones.services import registrar
from promociones.subidas import instalar_manejadores, revisar_subida

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"

# Keys of an event's data a taxpayer may see; anything else (e.g. a staff note) stays
# internal even on a public event.
DATOS_PUBLICOS = ("computo_desde", "respuesta_a_partir_del", "servicio", "asunto")


def momento_iso(valor: datetime) -> str:
    """An instant as ISO 8601 with Mexico City's offset, e.g. 2026-03-13T11:00:00-06:00."""
    return valor.astimezone(ZONA_MEXICO).isoformat(timespec="seconds")


def fecha_iso(valor: date | None) -> str | None:
    return valor.isoformat() if valor else None


def solicitud_a_dict(solicitud: Solicitud) -> dict[str, Any]:
    """The contract's solicitud. Expects servicio, asunto and evidencia selected in."""
    try:
        evidencia = solicitud.evidencia
    except Solicitud.evidencia.RelatedObjectDoesNotExist:
        evidencia = None
    return {
        "folio": solicitud.folio,
        "servicio": solicitud.servicio.clave,
        "asunto": solicitud.asunto.clave,
        "descripcion": solicitud.descripcion,
        "telefono": solicitud.telefono,
        "estatus": solicitud.estatus,
        "estatus_texto": solicitud.get_estatus_display(),
        "recibida": momento_iso(solicitud.recibida),
        "computo_desde": fecha_iso(solicitud.computo_desde),
        "respuesta_a_partir_del": fecha_iso(solicitud.respuesta_a_partir_del),
        # As the guide reads the Tablero: the day it was answered, or after a
        # canalización the new response date; the day it was canalized apart.
        "fecha_respuesta_o_canalizacion": fecha_iso(solicitud.fecha_respuesta_o_canalizacion),
        "canalizada": fecha_iso(solicitud.canalizada),
        "evidencia": (
            {
                "nombre": evidencia.nombre_original,
                "bytes": evidencia.bytes,
                "sha256": evidencia.sha256,
            }
            if evidencia is not None
            else None
        ),
    }


def acuses_a_lista(
    solicitud: Solicitud, acuses: Iterable[Acuse] | None = None
) -> list[dict[str, Any]]:
    """``solicitud``'s acuses, oldest first (``acuses``: already known, else read)."""
    if acuses is None:
        acuses = Acuse.objects.filter(solicitud=solicitud).order_by("emitido", "id")
    return [
        {
            "tipo": acuse.tipo,
            "emitido": momento_iso(acuse.emitido),
            "codigo_verificacion": acuse.codigo_verificacion,
            "url": f"/api/v1/solicitudes/{solicitud.folio}/acuses/{acuse.tipo}",
        }
        for acuse in acuses
    ]


def respuesta_a_dict(solicitud: Solicitud) -> dict[str, Any] | None:
    return _respuesta(solicitud, respuesta_de(solicitud))


def _respuesta(solicitud: Solicitud, respuesta: Respuesta | None) -> dict[str, Any] | None:
    if respuesta is None:
        return None
    return {
        "texto": respuesta.texto,
        "fecha": momento_iso(respuesta.creada),
        "documento": {
            "nombre": respuesta.documento_nombre,
            "bytes": respuesta.documento_bytes,
            "sha256": respuesta.documento_sha256,
            "url": f"/api/v1/solicitudes/{solicitud.folio}/respuesta/documento",
        },
    }


def detalle_a_dict(solicitud: Solicitud) -> dict[str, Any]:
    """The contract's solicitud with its acuses, its public history, the answer and what
    the institution's staff viewed and did (area, role and action; never the person)."""
    return _detalle_de(
        solicitud,
        acuses=None,
        eventos=eventos_publicos(solicitud),
        respuesta=respuesta_de(solicitud),
        consultas=consultas_del_instituto(solicitud),
    )


def detalle_de_recien_presentada(solicitud: Solicitud, efectos: Efectos) -> dict[str, Any]:
    """:func:`detalle_a_dict` of a request the same call just filed, from the rows the
    filing wrote (``services.Registro``), read back from nowhere: at its filing a
    request has one acuse and one history row, no answer and no staff view. The
    request must carry its servicio, asunto and evidencia (or the knowledge of none)."""
    publicos = [efectos.evento] if efectos.evento.tipo in Evento.PUBLICOS else []
    return _detalle_de(
        solicitud,
        acuses=[efectos.acuse] if efectos.acuse is not None else [],
        eventos=publicos,
        respuesta=None,
        consultas=[],
    )


def _detalle_de(
    solicitud: Solicitud,
    *,
    acuses: Iterable[Acuse] | None,
    eventos: Iterable[Evento],
    respuesta: Respuesta | None,
    consultas: Iterable[ConsultaVisible],
) -> dict[str, Any]:
    datos = solicitud_a_dict(solicitud)
    datos["acuses"] = acuses_a_lista(solicitud, acuses)
    datos["historial"] = [
        {
            "evento": evento.tipo,
            "evento_texto": evento.get_tipo_display(),
            "fecha": momento_iso(evento.creado),
            **{k: evento.datos[k] for k in DATOS_PUBLICOS if k in evento.datos},
        }
        for evento in eventos
    ]
    datos["respuesta"] = _respuesta(solicitud, respuesta)
    datos["consultas_del_instituto"] = [
        {"fecha": momento_iso(c.fecha), "area": c.area, "rol": c.rol, "accion": c.accion}
        for c in consultas
    ]
    return datos


def _contribuyente(request: HttpRequest) -> Contribuyente:
    contribuyente = getattr(request.user, "contribuyente", None)
    if contribuyente is None:
        raise ErrorDominio("solo_contribuyentes")
    return contribuyente


def _detalle(request: HttpRequest, folio: str) -> Solicitud:
    _contribuyente(request)
    return acceso.solicitud_de_contribuyente(request.user, folio)


@endpoint
@require_GET
def catalogo(request: HttpRequest) -> HttpResponse:
    servicios = [
        {
            "clave": s.clave,
            "nombre": s.nombre,
            "requiere_telefono": s.requiere_telefono,
            "requiere_evidencia": s.requiere_evidencia,
            "plazo_dias_habiles": s.plazo_dias_habiles,
        }
        for s in Servicio.objects.order_by("clave")
    ]
    asuntos = [
        {
            "clave": a.clave,
            "nombre": a.nombre,
            "servicios": sorted(s.clave for s in a.servicios.all()),
            "recomendaciones": a.recomendaciones,
            "area": a.area.clave,
            "plazo_dias_habiles": a.plazo_dias_habiles,
            "orden": a.orden,
        }
        for a in Asunto.objects.filter(activo=True)
        .select_related("area")
        .prefetch_related("servicios")
        .order_by("orden", "nombre")
    ]
    return respuesta_json({"servicios": servicios, "asuntos": asuntos})


@endpoint
@require_http_methods(["GET", "POST"])
@token_requerido
def solicitudes(request: HttpRequest) -> HttpResponse:
    contribuyente = _contribuyente(request)
    if request.method == "POST":
        return _registrar(request, contribuyente)
    filtros = consultas.leer_filtros(request.GET)
    consulta = consultas.solicitudes_de(contribuyente, filtros)
    pagina = consultas.paginar(consulta, filtros.pagina)
    filas = consultas.filas_de_pagina(consulta, pagina).select_related(
        "servicio", "asunto", "evidencia"
    )
    return respuesta_json(
        {
            "resultados": [solicitud_a_dict(s) for s in filas],
            "total": pagina.total,
            "pagina": pagina.pagina,
            "paginas": pagina.paginas,
        }
    )


def _registrar(request: HttpRequest, contribuyente: Contribuyente) -> HttpResponse:
    instalar_manejadores(request)
    # The upload was cut off at the limit: the fields after the file never arrived,
    # so this is the only thing worth saying.
    revisar_subida(request)
    datos, archivos = request.POST, request.FILES
    registro = registrar(
        contribuyente=contribuyente,
        servicio=datos.get("servicio", ""),
        asunto=datos.get("asunto", ""),
        descripcion=datos.get("descripcion", ""),
        telefono=datos.get("telefono", ""),
        evidencia=archivos.get("evidencia"),
        clave_idempotencia=request.headers.get("Idempotency-Key"),
    )
    if registro.efectos is not None:
        # Filed by this call: the answer is built from what it wrote (five reads fewer
        # on every filing; bench/README.md, "el 201 sin releer").
        cuerpo = detalle_de_recien_presentada(registro.solicitud, registro.efectos)
    else:
        # Filed before, under this key: as it is now, which may be later than its filing.
        cuerpo = detalle_a_dict(
            Solicitud.objects.select_related("servicio", "asunto", "evidencia").get(
                pk=registro.solicitud.pk
            )
        )
    return respuesta_json(cuerpo, status=201)


@endpoint
@require_GET
@token_requerido
def solicitud(request: HttpRequest, folio: str) -> HttpResponse:
    contribuyente = _contribuyente(request)

    def hacer() -> dict[str, Any]:
        encontrada = acceso.solicitud_de_contribuyente(request.user, folio)
        encontrada = Solicitud.objects.select_related("servicio", "asunto", "evidencia").get(
            pk=encontrada.pk
        )
        return detalle_a_dict(encontrada)

    # From memory while nothing it shows has changed, as the page (decision 0017).
    return respuesta_json(consultas.detalle_recordado(contribuyente.pk, folio, "api", hacer))


@endpoint
@require_GET
# token_requerido is typed for HttpResponse; a FileResponse (streaming) passes through it
# unchanged, which is all the decorator does with the view's result.
@token_requerido  # type: ignore[arg-type]
def evidencia(request: HttpRequest, folio: str) -> HttpResponse | FileResponse:
    encontrada = _detalle(request, folio)
    try:
        return respuesta_evidencia(encontrada)
    except Http404:
        raise ErrorDominio("sin_evidencia") from None


@endpoint
@require_GET
@token_requerido  # type: ignore[arg-type]  # a FileResponse passes through (see evidencia)
def documento_respuesta(request: HttpRequest, folio: str) -> HttpResponse | FileResponse:
    encontrada = _detalle(request, folio)
    try:
        return documento_de_respuesta(encontrada)
    except Http404:
        raise ErrorDominio("sin_respuesta") from None


@cache
def documento_openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@endpoint  # like every /api/ view: a refused method answers JSON, not an HTML CSRF page
@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return respuesta_json(documento_openapi())


@endpoint
@require_GET
@token_requerido
def acuse(request: HttpRequest, folio: str, tipo: str) -> HttpResponse:
    """``GET /api/v1/solicitudes/{folio}/acuses/{tipo}``: the signed PDF, as an attachment."""
    encontrada = _detalle(request, folio)
    try:
        elegido = acuse_de(encontrada, tipo)
    except Http404:
        raise ErrorDominio("acuse_no_encontrado") from None
    return respuesta_pdf(elegido)
