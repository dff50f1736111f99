"""Serving stored files to people allowed to see them: always as an attachment, never
sniffed, never cached by shared caches, never from a public URL, never unchecked.

Every file is read back through the storage API and checked against the size and
SHA-256 recorded when it arrived before its first byte is sent
(``archivos.almacen.abrir_verificado``); one that fails answers ``archivo_alterado``
and staff see it on the request's detail page (:func:`alertas_de_archivos`).
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils import timezone

from acuses.models import Acuse
from archivos.almacen import abrir_verificado
from archivos.models import IncidenteArchivo
from promociones.models import Evidencia, Respuesta, Solicitud

BLOQUE = 64 * 1024


def adjunto(archivo: File[Any], nombre: str, tipo: str) -> FileResponse:
    """``archivo`` (open, access and integrity checked) as a download named ``nombre``."""
    respuesta = FileResponse(archivo, as_attachment=True, filename=nombre, content_type=tipo)
    respuesta.block_size = BLOQUE
    respuesta["X-Content-Type-Options"] = "nosniff"
    respuesta["Cache-Control"] = "private, no-store"
    return respuesta


def respuesta_evidencia(solicitud: Solicitud) -> FileResponse:
    """The evidence of ``solicitud`` (already access-checked) as a download; Http404 if none."""
    evidencia = Evidencia.objects.filter(solicitud=solicitud).first()
    if evidencia is None:
        raise Http404("La solicitud no tiene evidencia.")
    archivo = abrir_verificado(
        evidencia.archivo.name,
        sha256=evidencia.sha256,
        tamano=evidencia.bytes,
        que=f"la evidencia de la solicitud {solicitud.folio}",
    )
    return adjunto(archivo, evidencia.nombre_original, "application/zip")


def documento_de_respuesta(solicitud: Solicitud) -> FileResponse:
    """The answer's PDF of ``solicitud`` (already access-checked); Http404 if unanswered."""
    respuesta = Respuesta.objects.filter(solicitud=solicitud).first()
    if respuesta is None:
        raise Http404("La solicitud no tiene respuesta.")
    archivo = abrir_verificado(
        respuesta.documento.name,
        sha256=respuesta.documento_sha256,
        tamano=respuesta.documento_bytes,
        que=f"el documento de respuesta de la solicitud {solicitud.folio}",
    )
    return adjunto(archivo, respuesta.documento_nombre, "application/pdf")


def alertas_de_archivos(solicitud: Solicitud) -> dict[str, str]:
    """What staff must be told about the request's stored files, by which file
    (``"evidencia"``, ``"documento"``): one that failed its check when last read. One
    query."""
    incidentes = IncidenteArchivo.objects.filter(
        Q(nombre__in=Evidencia.objects.filter(solicitud=solicitud).values("archivo"))
        | Q(nombre__in=Respuesta.objects.filter(solicitud=solicitud).values("documento"))
    ).only("nombre", "tipo", "detectado")
    alertas = {}
    for incidente in incidentes:
        cual = "evidencia" if incidente.nombre.startswith("evidencias/") else "documento"
        if incidente.tipo == IncidenteArchivo.Tipo.FALTANTE:
            texto = "no se encuentra en el almacenamiento"
        else:
            texto = "no coincide con su huella SHA-256 registrada (pudo alterarse o dañarse)"
        detectado = timezone.localtime(incidente.detectado).strftime("%d/%m/%Y %H:%M")
        alertas[cual] = (
            f"El archivo guardado {texto}; no se entrega. Detectado el {detectado}. "
            "Repórtalo a soporte."
        )
    return alertas


def acuse_de(solicitud: Solicitud, tipo: str) -> Acuse:
    """The solicitud's latest acuse of ``tipo``; Http404 when it has none."""
    acuse = Acuse.objects.filter(solicitud=solicitud, tipo=tipo).order_by("-emitido", "-id").first()
    if acuse is None:
        raise Http404("La solicitud no tiene un acuse de ese tipo.")
    return acuse
