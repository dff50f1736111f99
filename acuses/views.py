"""Verifying acuses (anyone, no login), and the PDF response every download uses.

Who may download a request's acuse is the request's business: those views live with
the request (``promociones.views.acuse``, ``promociones.api.acuse``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from acuses import pdf
from acuses.archivo import pdf_para_descargar
from acuses.limites import admitir_verificacion
from acuses.models import Acuse
from acuses.verificacion import Resultado, resumen_publico, verificar_pdf
from buzon.api import respuesta_json
from buzon.errores import ErrorDominio
from buzon.lib import cadena as cadena_lib

# An acuse is one or two pages (~60 KB); anything far larger is not one of ours.
MAX_BYTES_ACUSE = 5 * 1024 * 1024


def respuesta_pdf(acuse: Acuse) -> HttpResponse:
    respuesta = HttpResponse(pdf_para_descargar(acuse), content_type="application/pdf")
    respuesta["Content-Disposition"] = f'attachment; filename="{pdf.nombre_archivo(acuse)}"'
    # The taxpayer's data: never kept by shared caches.
    respuesta["Cache-Control"] = "private, no-store"
    return respuesta


def _quiere_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def leer_pdf_subido(request: HttpRequest) -> bytes:
    archivo = request.FILES.get("acuse")
    if archivo is None:
        raise ErrorDominio("acuse_requerido")
    if archivo.size is not None and archivo.size > MAX_BYTES_ACUSE:
        raise ErrorDominio("acuse_muy_grande")
    return archivo.read()


@require_http_methods(["GET", "POST"])
def verificar(request: HttpRequest, codigo: str | None = None) -> HttpResponse:
    """The public verification page: by code (GET) or by uploading the PDF (POST)."""
    contexto: dict[str, Any] = {"codigo": codigo}
    status = 200
    if request.method == "POST":
        try:
            admitir_verificacion(request.META.get("REMOTE_ADDR"))
            resultado: Resultado | None = verificar_pdf(leer_pdf_subido(request))
        except ErrorDominio as exc:
            resultado = None
            contexto["error"] = exc.mensaje
            status = exc.status
        contexto["resultado_pdf"] = resultado
        if resultado is not None and resultado.valido:
            contexto["filas_pdf"] = _filas_publicas(resultado.hechos)
    elif codigo is not None:
        acuse = Acuse.objects.filter(codigo_verificacion=codigo).first()
        if _quiere_json(request):
            respuesta: HttpResponse
            if acuse is None:
                respuesta = JsonResponse({"valido": False}, status=404)
            else:
                respuesta = respuesta_json({"valido": True, **_datos_json(acuse)})
            patch_vary_headers(respuesta, ["Accept"])
            return respuesta
        if acuse is None:
            status = 404
        else:
            contexto["acuse"] = acuse
            contexto["filas"] = _filas_publicas(acuse.hechos)
    respuesta = render(request, "acuses/verificar.html", contexto, status=status)
    patch_vary_headers(respuesta, ["Accept"])
    return respuesta


def _datos_json(acuse: Acuse) -> dict[str, Any]:
    resumen = resumen_publico(acuse.hechos)
    return {k: resumen[k] for k in ("tipo", "folio", "emitido", "rfc", "nombre")}


def _filas_publicas(hechos: dict[str, Any]) -> list[tuple[str, str]]:
    """An acuse's facts for the public page: the PDF's rows, RFC and name masked."""
    publicos = {
        **hechos,
        "rfc": cadena_lib.enmascarar_rfc(hechos["rfc"]),
        "nombre": cadena_lib.enmascarar_nombre(hechos["nombre"]),
    }
    filas = [("Tipo de acuse", str(Acuse.Tipo(hechos["tipo"]).label))]
    for campo in pdf.FILAS[hechos["tipo"]] + pdf.FILAS_EMISION:
        if campo in ("evidencias", "documentos"):
            archivos = publicos.get(campo) or []
            valor = "; ".join(
                f"{a['nombre']} ({a['bytes']} bytes, SHA-256 {a['sha256']})" for a in archivos
            )
            filas.append((pdf.ETIQUETAS[campo], valor or "Sin archivo"))
        else:
            filas.append((pdf.ETIQUETAS[campo], pdf.texto_legible(campo, publicos)))
    return filas
