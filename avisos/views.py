"""The gateway's delivery-receipt callback (no login: the HMAC signature is the
credential; avisos.receptor)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from avisos.receptor import MAX_CUERPO, registrar_entrega
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio


@endpoint
@require_POST
def entregas(request: HttpRequest) -> HttpResponse:
    # Refused before reading: a receipt is small.
    try:
        largo = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        largo = MAX_CUERPO + 1
    if largo > MAX_CUERPO:
        raise ErrorDominio("cuerpo_muy_grande.acuse_entrega")
    aviso = registrar_entrega(
        cuerpo=request.body,
        marca=request.headers.get("X-Buzon-Timestamp", ""),
        firma=request.headers.get("X-Buzon-Firma", ""),
    )
    return respuesta_json({"estado": aviso.estado})
