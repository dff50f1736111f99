"""Verifying acuses (anyone, no login), and the PDF response every download uses.

Who may download a request's acuse is the request's business: those views live with
the request (``promociones.views.acuse``, ``promociones.api.acuse``)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from acuses import pdf
from acuses.archivo import pdf_para_descargar
from acuses.limites import admitir_verificacion
from acuses.models import LARGO_CODIGO, Acuse
from acuses.verificacion import Resultado, resumen_publico, verificar_pdf
from buzon.api import respuesta_json
from buzon.errores import ErrorDominio
from buzon.lib import cadena as cadena_lib

# An acuse is one or two pages (~60 KB); anything far larger is not one of ours.
MAX_BYTES_ACUSE = 5 * 1024 * 1024

# A verification code as issued: base64url, where «a» and «A» are different characters.
CODIGO = re.compile(rf"[A-Za-z0-9_-]{{{LARGO_CODIGO}}}")
# Longer than any code or link a person would paste: refused unread.
MAX_ESCRITO = 500


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


def codigo_escrito(texto: str) -> str:
    """The verification code in what a person typed or pasted, or ErrorDominio.

    Spaces and line breaks anywhere are dropped (the PDF may wrap the code, a person may
    type it in groups); a whole link (``…/verificar/<codigo>``) gives its code. Case is
    kept: the code is base64url, where upper and lower case are different characters.
    """
    if len(texto) > MAX_ESCRITO:
        raise ErrorDominio("codigo_verificacion_invalido")
    limpio = "".join(texto.split())
    if not limpio:
        raise ErrorDominio("codigo_verificacion_invalido.vacio")
    if "/verificar/" in limpio:
        limpio = limpio.rsplit("/verificar/", 1)[1].split("?", 1)[0].split("#", 1)[0]
        limpio = limpio.strip("/")
    if not CODIGO.fullmatch(limpio):
        raise ErrorDominio("codigo_verificacion_invalido")
    return limpio


@require_http_methods(["GET", "POST"])
def verificar(request: HttpRequest, codigo: str | None = None) -> HttpResponse:
    """The public verification page: by code (GET, typed in its box or in the URL) or by
    uploading the PDF (POST)."""
    contexto: dict[str, Any] = {"codigo": codigo}
    status = 200
    if request.method == "GET" and codigo is None and "codigo" in request.GET:
        # The box on the page: a well-formed code goes to its own address, which a
        # person can keep or share; anything else is said next to the box.
        escrito = request.GET["codigo"]
        try:
            return redirect("acuses:verificar", codigo_escrito(escrito))
        except ErrorDominio as exc:
            contexto["codigo_escrito"] = escrito[:MAX_ESCRITO]
            contexto["error_codigo"] = exc.mensaje
            status = exc.status
    elif request.method == "POST":
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
