"""``POST /api/v1/verificar``: anyone verifies an acuse PDF (downloads live with the request)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from acuses.limites import admitir_verificacion
from acuses.verificacion import verificar_pdf
from acuses.views import leer_pdf_subido
from buzon.api import endpoint, respuesta_json


@endpoint
@require_POST
def verificar(request: HttpRequest) -> HttpResponse:
    """``POST /api/v1/verificar`` with the PDF in ``acuse``: the verdict as JSON."""
    admitir_verificacion(request.META.get("REMOTE_ADDR"))
    return respuesta_json(verificar_pdf(leer_pdf_subido(request)).como_dict())
