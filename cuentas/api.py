"""The session endpoints of the JSON API: a challenge, a login that gives a token, logout."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from buzon.api import endpoint, leer_json, respuesta_json
from buzon.errores import ErrorDominio
from cuentas import autenticacion, services
from cuentas.autenticacion import token_requerido


def direccion_de(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (the proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def texto_requerido(datos: dict[str, Any], campo: str, nombre: str) -> str:
    valor = datos.get(campo)
    if not isinstance(valor, str) or not valor.strip():
        raise ErrorDominio("campo_requerido", campo=campo, nombre=nombre)
    return valor.strip()


def base64_requerido(datos: dict[str, Any], campo: str, nombre: str) -> bytes:
    valor = texto_requerido(datos, campo, nombre)
    try:
        return base64.b64decode(valor, validate=True)
    except (binascii.Error, ValueError):
        raise ErrorDominio("base64_invalido", campo=campo, nombre=nombre.capitalize()) from None


def datos_de_acceso(datos: dict[str, Any]) -> dict[str, Any]:
    """The four login fields, decoded; shared by the page's and the API's login."""
    return {
        "rfc": texto_requerido(datos, "rfc", "el RFC"),
        "certificado_der": base64_requerido(datos, "certificado", "el certificado"),
        "reto_id": texto_requerido(datos, "reto_id", "el identificador del reto"),
        "firma": base64_requerido(datos, "firma", "la firma"),
    }


def reto_como_dict(reto: Any) -> dict[str, str]:
    return {"reto_id": reto.reto_id, "reto": reto.texto, "expira": reto.expira.isoformat()}


@endpoint
@require_POST
def reto(request: HttpRequest) -> HttpResponse:
    """``POST /api/v1/sesion/reto`` → 201 {reto_id, reto, expira}."""
    return respuesta_json(
        reto_como_dict(services.crear_reto(sesion_key=None, direccion=direccion_de(request))),
        status=201,
    )


@endpoint
@require_http_methods(["POST", "DELETE"])
def sesion(request: HttpRequest) -> HttpResponse:
    """``POST /api/v1/sesion`` logs in (201 with a token); ``DELETE`` revokes the token."""
    if request.method == "DELETE":
        return _cerrar(request)
    campos = datos_de_acceso(leer_json(request))
    contribuyente = services.iniciar_sesion_efirma(
        **campos,
        direccion=direccion_de(request),
        canal=services.CANAL_API,
        sesion_key=None,
    )
    token = autenticacion.crear_token_sesion(contribuyente.usuario)
    return respuesta_json(
        {
            "token": token,
            "rfc": contribuyente.rfc,
            "nombre": contribuyente.nombre,
            "tipo": contribuyente.tipo,
        },
        status=201,
    )


@token_requerido
def _cerrar(request: HttpRequest) -> HttpResponse:
    autenticacion.revocar_token(request.token_api)  # type: ignore[attr-defined]
    return HttpResponse(status=204)
