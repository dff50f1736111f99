"""The acuse endpoints of the JSON API: download (owner only) and verify a PDF (anyone)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from acuses.limites import admitir_verificacion
from acuses.verificacion import verificar_pdf
from acuses.views import acuse_de, leer_pdf_subido, respuesta_pdf
from buzon.api import endpoint, respuesta_json
from buzon.errores import ErrorDominio
from cuentas.autenticacion import token_requerido
from promociones.acceso import NO_ENCONTRADA, solicitud_de_contribuyente


@endpoint
@require_GET
@token_requerido
def descargar(request: HttpRequest, folio: str, tipo: str) -> HttpResponse:
    """``GET /api/v1/solicitudes/{folio}/acuses/{tipo}``: the signed PDF, as an attachment."""
    try:
        solicitud = solicitud_de_contribuyente(request.user, folio)
    except Http404:
        # Unknown and foreign folios answer alike (CONTRACT.md).
        raise ErrorDominio("no_encontrada", NO_ENCONTRADA, status=404) from None
    try:
        acuse = acuse_de(solicitud, tipo)
    except Http404:
        raise ErrorDominio(
            "acuse_no_encontrado", "La solicitud no tiene un acuse de ese tipo.", status=404
        ) from None
    return respuesta_pdf(acuse)


@endpoint
@require_POST
def verificar(request: HttpRequest) -> HttpResponse:
    """``POST /api/v1/verificar`` with the PDF in ``acuse``: the verdict as JSON."""
    admitir_verificacion(request.META.get("REMOTE_ADDR"))
    return respuesta_json(verificar_pdf(leer_pdf_subido(request)).como_dict())
