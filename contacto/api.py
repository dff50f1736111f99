"""The taxpayer's contact means in the JSON API (CONTRACT.md, "Contact means")."""

from __future__ import annotations

from urllib.parse import unquote

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from buzon.api import endpoint, leer_json, respuesta_json
from buzon.errores import ErrorDominio
from contacto import services
from contacto.models import MedioContacto
from cuentas.autenticacion import token_requerido
from cuentas.models import Contribuyente


def _contribuyente(request: HttpRequest) -> Contribuyente:
    contribuyente = getattr(request.user, "contribuyente", None)
    if contribuyente is None:
        raise ErrorDominio("solo_contribuyentes")
    return contribuyente


def actor(contribuyente: Contribuyente) -> str:
    """Who acted, for the audit: the representative of a persona moral, else the RFC."""
    return contribuyente.rfc_representante or contribuyente.rfc


def _medios(contribuyente: Contribuyente, status: int = 200) -> HttpResponse:
    return respuesta_json(services.medios_a_dict(contribuyente), status=status)


@endpoint
@require_http_methods(["GET"])
@token_requerido
def medios(request: HttpRequest) -> HttpResponse:
    return _medios(_contribuyente(request))


@endpoint
@require_http_methods(["GET", "PUT", "DELETE"])
@token_requerido
def telefono(request: HttpRequest) -> HttpResponse:
    c = _contribuyente(request)
    if request.method == "GET":
        return respuesta_json({"telefono": services.medios_a_dict(c)["telefono"]})
    if request.method == "DELETE":
        # The confirmed phone first; else the one waiting for its code.
        medio = (
            MedioContacto.objects.filter(contribuyente=c, tipo=MedioContacto.Tipo.TELEFONO)
            .order_by(F("confirmado").desc(nulls_last=True))
            .first()
        )
        if medio is None:
            raise ErrorDominio("no_encontrado.celular")
        services.quitar_medio(contribuyente=c, actor=actor(c), medio=medio)
        return HttpResponse(status=204)
    datos = leer_json(request)
    services.registrar_telefono(contribuyente=c, actor=actor(c), numero=datos.get("numero"))
    return _medios(c, status=201)


@endpoint
@require_POST
@token_requerido
def confirmar_telefono(request: HttpRequest) -> HttpResponse:
    c = _contribuyente(request)
    datos = leer_json(request)
    services.confirmar_telefono(contribuyente=c, actor=actor(c), codigo=datos.get("codigo"))
    return _medios(c)


@endpoint
@require_POST
@token_requerido
def correos(request: HttpRequest) -> HttpResponse:
    c = _contribuyente(request)
    datos = leer_json(request)
    services.registrar_correo(contribuyente=c, actor=actor(c), direccion=datos.get("direccion"))
    return _medios(c, status=201)


@endpoint
@require_POST
@token_requerido
def confirmar_correo(request: HttpRequest) -> HttpResponse:
    c = _contribuyente(request)
    datos = leer_json(request)
    services.confirmar_correo(
        contribuyente=c,
        actor=actor(c),
        direccion=datos.get("direccion"),
        codigo=datos.get("codigo"),
    )
    return _medios(c)


@endpoint
@require_http_methods(["GET", "DELETE"])
@token_requerido
def correo(request: HttpRequest, direccion: str) -> HttpResponse:
    c = _contribuyente(request)
    if request.method == "GET":
        valor = services.normalizar_correo(unquote(direccion))
        for correo in services.medios_a_dict(c)["correos"]:
            if correo["direccion"] == valor:
                return respuesta_json(correo)
        raise ErrorDominio("no_encontrado.correo")
    services.quitar_correo(contribuyente=c, actor=actor(c), direccion=unquote(direccion))
    return HttpResponse(status=204)
