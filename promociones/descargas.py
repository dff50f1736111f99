"""Serving stored files to people allowed to see them: always as an attachment, never
sniffed, never cached by shared caches, never from a public URL."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from acuses.models import Acuse
from promociones.models import Evidencia, Respuesta, Solicitud


def adjunto(archivo: FieldFile, nombre: str, tipo: str) -> FileResponse:
    """``archivo`` as a download named ``nombre``; the caller has checked access."""
    respuesta = FileResponse(
        archivo.open("rb"), as_attachment=True, filename=nombre, content_type=tipo
    )
    respuesta["X-Content-Type-Options"] = "nosniff"
    respuesta["Cache-Control"] = "private, no-store"
    return respuesta


def respuesta_evidencia(solicitud: Solicitud) -> FileResponse:
    """The evidence of ``solicitud`` (already access-checked) as a download; Http404 if none."""
    evidencia = Evidencia.objects.filter(solicitud=solicitud).first()
    if evidencia is None:
        raise Http404("La solicitud no tiene evidencia.")
    return adjunto(evidencia.archivo, evidencia.nombre_original, "application/zip")


def documento_de_respuesta(solicitud: Solicitud) -> FileResponse:
    """The answer's PDF of ``solicitud`` (already access-checked); Http404 if unanswered."""

    respuesta = Respuesta.objects.filter(solicitud=solicitud).first()
    if respuesta is None:
        raise Http404("La solicitud no tiene respuesta.")
    return adjunto(respuesta.documento, respuesta.documento_nombre, "application/pdf")


def acuse_de(solicitud: Solicitud, tipo: str) -> Acuse:
    """The solicitud's latest acuse of ``tipo``; Http404 when it has none."""
    acuse = Acuse.objects.filter(solicitud=solicitud, tipo=tipo).order_by("-emitido", "-id").first()
    if acuse is None:
        raise Http404("La solicitud no tiene un acuse de ese tipo.")
    return acuse
