"""Serving a stored evidence file to its owner: always as an attachment, never sniffed."""

from __future__ import annotations

from django.http import FileResponse, Http404

from promociones.models import Evidencia, Solicitud


def respuesta_evidencia(solicitud: Solicitud) -> FileResponse:
    """The evidence of ``solicitud`` (already access-checked) as a download; Http404 if none."""
    evidencia = Evidencia.objects.filter(solicitud=solicitud).first()
    if evidencia is None:
        raise Http404("La solicitud no tiene evidencia.")
    respuesta = FileResponse(
        evidencia.archivo.open("rb"),
        as_attachment=True,
        filename=evidencia.nombre_original,
        content_type="application/zip",
    )
    respuesta["X-Content-Type-Options"] = "nosniff"
    respuesta["Cache-Control"] = "private, no-store"
    return respuesta
