"""The staff JSON API (CONTRACT.md, "Staff"): a request's detail with its whole history and
audit, prórroga, canalización, respuesta, asignación, avisos."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from atencion import acceso, auditoria, services
from avisos.models import Aviso, enmascarar
from buzon.api import endpoint, leer_json, respuesta_json
from buzon.errores import ErrorDominio
from cuentas.autenticacion import token_requerido
from promociones.api import (
    DATOS_PUBLICOS,
    acuses_a_lista,
    detalle_a_dict,
    momento_iso,
    respuesta_a_dict,
    solicitud_a_dict,
)
from promociones.models import Evento, Solicitud


def solo_personal(request: HttpRequest) -> None:
    if not acceso.es_personal(request.user):
        raise ErrorDominio("solo_personal")


def _solicitud(request: HttpRequest, folio: str) -> Solicitud:
    solo_personal(request)
    return acceso.solicitud_de_personal(request.user, folio)


def _actualizada(solicitud: Solicitud) -> HttpResponse:
    """The contract's solicitud after a transition, with its acuses and public history."""
    recargada = Solicitud.objects.select_related("servicio", "asunto", "evidencia").get(
        pk=solicitud.pk
    )
    return respuesta_json(detalle_a_dict(recargada))


def fila_de_cola(solicitud: Solicitud) -> dict[str, Any]:
    return {
        **solicitud_a_dict(solicitud),
        "area": solicitud.area.clave,
        "rfc": solicitud.contribuyente.rfc,
        "nombre": solicitud.contribuyente.nombre,
        "asignada_a": solicitud.asignada_a.get_username() if solicitud.asignada_a else None,
    }


def evento_a_dict(evento: Evento) -> dict[str, Any]:
    """A history row as staff read it: every kind (internal notes and assignments too),
    who did it and all its data."""
    return {
        "evento": evento.tipo,
        "evento_texto": evento.get_tipo_display(),
        "fecha": momento_iso(evento.creado),
        "actor": evento.actor.get_username() if evento.actor else None,
        **{k: evento.datos[k] for k in DATOS_PUBLICOS if k in evento.datos},
        "nota": evento.datos.get("nota"),
        "datos": evento.datos,
    }


def fila_de_auditoria(fila: auditoria.FilaAuditoria) -> dict[str, Any]:
    return {
        "fecha": momento_iso(fila.fecha),
        "area": fila.area_nombre,
        "rol": fila.rol_texto,
        "accion": fila.accion_texto,
        "usuario": fila.usuario,
        "area_clave": fila.area,
        "rol_clave": fila.rol,
        "accion_clave": fila.accion,
        "canal": fila.canal,
    }


@endpoint
@require_GET
@token_requerido
def detalle(request: HttpRequest, folio: str) -> HttpResponse:
    """``GET atencion/solicitudes/{folio}``: the request with its whole history (internal
    notes included) and its whole audit, this view included (it is recorded first)."""
    solicitud = _solicitud(request, folio)
    auditoria.registrar_consulta(solicitud=solicitud, usuario=request.user, canal=auditoria.API)
    eventos = solicitud.eventos.select_related("actor").order_by("creado", "id")
    return respuesta_json(
        {
            **fila_de_cola(solicitud),
            "acuses": acuses_a_lista(solicitud),
            "historial": [evento_a_dict(e) for e in eventos],
            "respuesta": respuesta_a_dict(solicitud),
            "consultas_del_instituto": [
                fila_de_auditoria(f) for f in auditoria.de_solicitud(solicitud)
            ],
        }
    )


def _dias(valor: Any) -> int:
    """The JSON number of days; a whole number given as text is accepted too."""
    if isinstance(valor, int) and not isinstance(valor, bool):
        return valor
    if isinstance(valor, str) and valor.strip().isascii() and valor.strip().isdigit():
        return int(valor.strip())
    raise ErrorDominio("dias_invalidos.faltan")


@endpoint
@require_POST
@token_requerido
def prorroga(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = _solicitud(request, folio)
    datos = leer_json(request)
    solicitud = services.otorgar_prorroga(
        solicitud=solicitud,
        actor=request.user,  # type: ignore[arg-type]
        canal=auditoria.API,
        nota=str(datos.get("nota") or ""),
        dias_habiles=_dias(datos.get("dias_habiles")),
    )
    return _actualizada(solicitud)


@endpoint
@require_POST
@token_requerido
def canalizacion(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = _solicitud(request, folio)
    datos = leer_json(request)
    solicitud = services.canalizar(
        solicitud=solicitud,
        actor=request.user,  # type: ignore[arg-type]
        canal=auditoria.API,
        nota=str(datos.get("nota") or ""),
        servicio=str(datos.get("servicio") or ""),
        asunto=str(datos.get("asunto") or ""),
    )
    return _actualizada(solicitud)


@endpoint
@require_POST
@token_requerido
def respuesta(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = _solicitud(request, folio)
    solicitud = services.responder(
        solicitud=solicitud,
        actor=request.user,  # type: ignore[arg-type]
        canal=auditoria.API,
        texto=request.POST.get("texto", ""),
        documento=request.FILES.get("documento"),
    )
    return _actualizada(solicitud)


@endpoint
@require_POST
@token_requerido
def asignacion(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = _solicitud(request, folio)
    datos = leer_json(request)
    solicitud = services.asignar(
        solicitud=solicitud,
        actor=request.user,  # type: ignore[arg-type]
        canal=auditoria.API,
        usuario=str(datos.get("usuario") or ""),
    )
    return _actualizada(solicitud)


def aviso_a_dict(aviso: Aviso) -> dict[str, Any]:
    return {
        "canal": aviso.canal,
        "destino": enmascarar(aviso.destino),
        "texto": aviso.texto,
        "estado": aviso.estado,
        "intentos": aviso.intentos,
        "creado": momento_iso(aviso.creado),
        "enviado": momento_iso(aviso.enviado) if aviso.enviado else None,
        # When the gateway's receipt arrived (entregado or fallido), and its last answer.
        "entregado": momento_iso(aviso.entregado) if aviso.entregado else None,
        "ultima_respuesta": aviso.ultimo_error or None,
    }


@endpoint
@require_GET
@token_requerido
def avisos(request: HttpRequest, folio: str) -> HttpResponse:
    solicitud = _solicitud(request, folio)
    filas = Aviso.objects.filter(solicitud=solicitud).order_by("creado", "id")
    return respuesta_json({"resultados": [aviso_a_dict(a) for a in filas]})
