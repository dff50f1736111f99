"""The acuse as a PDF: ReportLab platypus from the stored facts, signed as PAdES by pyHanko.

The PDF is made from ``Acuse.hechos``, ``cadena_original`` and ``sello``; nothing in it
is read from the solicitud, so it states the same facts every time. It is made once,
when the acuse is issued, and stored (``acuses.archivo``); a download reads the file.
Every render has a time budget (:class:`RenderExcedido`), so no input, however it got
past the text bounds, can hold a worker for long.
Fonts are Bitstream Vera, which ReportLab ships, embedded as subsets (the built-in
Helvetica would not be embedded and the PDF would not be archival).

The document information dictionary carries the verification code, the cadena original
and the sello (keys ``INFO_*``), inside the signed bytes, so that a verifier finds them
without parsing the page text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
import reportlab
from asn1crypto import algos as asn1_algos
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from acuses import sello
from acuses.models import Acuse

CAMPO_FIRMA = "SelloIMSS"
INFO_CODIGO = "/BuzonCodigoVerificacion"
INFO_CADENA = "/BuzonCadenaOriginal"
INFO_SELLO = "/BuzonSelloDigital"
# Room for the CMS signature (certificate + RSA-2048 signature is about 2 KB); a fixed
# size saves pyHanko signing a dummy first to estimate it.
BYTES_FIRMA = 8192

INSTITUCION = "Instituto Mexicano del Seguro Social"
SERVICIO = "Buzón IMSS — Promociones Electrónicas"

GUINDA = colors.HexColor("#691c32")
GRIS = colors.HexColor("#f4f4f4")

ETIQUETAS: dict[str, str] = {
    "folio": "Folio",
    "rfc": "RFC",
    "nombre": "Nombre, denominación o razón social",
    "servicio": "Servicio",
    "asunto": "Asunto",
    "servicio_anterior": "Servicio anterior",
    "asunto_anterior": "Asunto anterior",
    "recibida": "Fecha y hora de recepción de la solicitud",
    "computo_desde": "Fecha de inicio del cómputo del plazo",
    "respuesta_a_partir_del": "Respuesta a partir del",
    "fecha_anterior": "Fecha de respuesta anterior",
    # As the guide and the Detalle name them (VIII.3).
    "nueva_fecha": "Nueva fecha de respuesta a partir del",
    "canalizada": "Canalizada el",
    "atendida": "Fecha y hora de respuesta",
    "descripcion_sha256": "SHA-256 de la descripción",
    "respuesta_sha256": "SHA-256 del texto de la respuesta",
    "evidencias": "Evidencia",
    "documentos": "Documento de respuesta",
    "emitido": "Fecha y hora de emisión del acuse",
    "numero_certificado_sello": "Número de certificado del sello",
    "codigo_verificacion": "Código de verificación",
}

# The facts table per kind, in reading order (every kind closes with the issue data).
# Every table opens with who filed and what; canalización shows the old route first.
_QUIEN = ("folio", "rfc", "nombre")
_QUE = ("servicio", "asunto", "recibida")
FILAS: dict[str, tuple[str, ...]] = {
    "recepcion": (
        *_QUIEN,
        *_QUE,
        "computo_desde",
        "respuesta_a_partir_del",
        "descripcion_sha256",
        "evidencias",
    ),
    "prorroga": (*_QUIEN, *_QUE, "fecha_anterior", "nueva_fecha", "evidencias"),
    "canalizacion": (
        *_QUIEN,
        "servicio_anterior",
        "asunto_anterior",
        *_QUE,
        "canalizada",
        "nueva_fecha",
    ),
    "respuesta": (*_QUIEN, *_QUE, "atendida", "respuesta_sha256", "documentos"),
}
FILAS_EMISION = ("emitido", "numero_certificado_sello", "codigo_verificacion")

LEYENDAS: dict[str, str] = {
    "recepcion": (
        "El Instituto Mexicano del Seguro Social hace constar que recibió por medio del "
        "Buzón IMSS la solicitud que se describe, en la fecha y hora señaladas."
    ),
    "prorroga": (
        "Se hace constar que el plazo de respuesta de la solicitud se prorrogó; la nueva "
        "fecha de respuesta es la que se indica."
    ),
    "canalizacion": (
        "Se hace constar que la solicitud se canalizó al servicio y al asunto que se "
        "indican, en la fecha señalada, con la nueva fecha de respuesta que le corresponde."
    ),
    "respuesta": (
        "Se hace constar que el Instituto dio respuesta a la solicitud en la fecha y hora "
        "señaladas, con el texto y el documento que se indican."
    ),
}

MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


# ---------------------------------------------------------------- formatting facts


def fecha_legible(iso: str) -> str:
    """``2026-11-30`` → ``30 de noviembre de 2026``."""
    if not iso:
        return "—"
    dia = dt.date.fromisoformat(iso)
    return f"{dia.day} de {MESES[dia.month - 1]} de {dia.year}"


def momento_legible(iso: str) -> str:
    """``2026-11-28T10:15:03-06:00`` → ``28 de noviembre de 2026, 10:15:03 h (UTC-06:00)``."""
    if not iso:
        return "—"
    momento = dt.datetime.fromisoformat(iso)
    desfase = iso[19:] or "+00:00"
    return (
        f"{fecha_legible(momento.date().isoformat())}, {momento:%H:%M:%S} h "
        f"(hora de la Ciudad de México, UTC{desfase})"
    )


def _archivos_legibles(archivos: list[dict[str, Any]]) -> str:
    if not archivos:
        return "Sin archivo"
    return "<br/>".join(
        f"{escape(a['nombre'])} — {a['bytes']:,} bytes<br/>SHA-256: {a['sha256']}".replace(",", " ")
        for a in archivos
    )


def texto_legible(campo: str, hechos: dict[str, Any]) -> str:
    """One fact (not a file list) as a person reads it, plain text."""
    valor = hechos.get(campo)
    if campo in ("recibida", "atendida", "emitido"):
        return momento_legible(valor or "")
    if campo in (
        "computo_desde",
        "respuesta_a_partir_del",
        "fecha_anterior",
        "nueva_fecha",
        "canalizada",
    ):
        return fecha_legible(valor or "")
    return str(valor) if valor not in (None, "") else "—"


def valor_legible(campo: str, hechos: dict[str, Any]) -> str:
    """One fact as ReportLab paragraph markup, escaped."""
    if campo in ("evidencias", "documentos"):
        return _archivos_legibles(hechos.get(campo) or [])
    return escape(texto_legible(campo, hechos))


def url_pagina_verificacion() -> str:
    """The public page where anyone types a code or uploads a PDF (BUZON_PUBLIC_BASE_URL)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verificar/"


def url_verificacion(codigo: str) -> str:
    return url_pagina_verificacion() + codigo


# ---------------------------------------------------------------- fonts and styles


@cache
def _fuentes() -> None:
    """Register Vera (regular, bold, italic) once per process."""
    carpeta = Path(reportlab.__file__).parent / "fonts"
    for nombre, archivo in (
        ("Vera", "Vera.ttf"),
        ("Vera-Bold", "VeraBd.ttf"),
        ("Vera-Italic", "VeraIt.ttf"),
        ("Vera-BoldItalic", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(nombre, str(carpeta / archivo)))
    pdfmetrics.registerFontFamily(
        "Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic", boldItalic="Vera-BoldItalic"
    )


@dataclass(frozen=True)
class _Estilos:
    institucion: ParagraphStyle
    servicio: ParagraphStyle
    titulo: ParagraphStyle
    texto: ParagraphStyle
    etiqueta: ParagraphStyle
    valor: ParagraphStyle
    seccion: ParagraphStyle
    chico: ParagraphStyle
    codigo: ParagraphStyle


@cache
def _estilos() -> _Estilos:
    _fuentes()
    base = ParagraphStyle("base", fontName="Vera", fontSize=9, leading=12)
    return _Estilos(
        institucion=ParagraphStyle(
            "institucion",
            parent=base,
            fontName="Vera-Bold",
            fontSize=12,
            leading=15,
            textColor=GUINDA,
            alignment=TA_CENTER,
        ),
        servicio=ParagraphStyle("servicio", parent=base, fontSize=10, alignment=TA_CENTER),
        titulo=ParagraphStyle(
            "titulo",
            parent=base,
            fontName="Vera-Bold",
            fontSize=15,
            leading=20,
            alignment=TA_CENTER,
            spaceBefore=6,
            spaceAfter=6,
        ),
        texto=ParagraphStyle("texto", parent=base, spaceAfter=6),
        etiqueta=ParagraphStyle("etiqueta", parent=base, fontName="Vera-Bold", fontSize=8.5),
        valor=ParagraphStyle("valor", parent=base, fontSize=8.5, wordWrap="CJK"),
        seccion=ParagraphStyle(
            "seccion", parent=base, fontName="Vera-Bold", textColor=GUINDA, spaceBefore=8
        ),
        chico=ParagraphStyle("chico", parent=base, fontSize=6.5, leading=8, wordWrap="CJK"),
        codigo=ParagraphStyle("codigo", parent=base, fontSize=8, leading=11, wordWrap="CJK"),
    )


# ---------------------------------------------------------------- rendering


def _tabla_hechos(acuse: Acuse, e: _Estilos) -> Table:
    hechos = acuse.hechos
    filas = [
        [Paragraph(ETIQUETAS[c], e.etiqueta), Paragraph(valor_legible(c, hechos), e.valor)]
        for c in FILAS[acuse.tipo] + FILAS_EMISION
    ]
    tabla = Table(filas, colWidths=[58 * mm, None], hAlign="LEFT")
    tabla.setStyle(
        TableStyle(
            [
                # Tables set each cell's font even for paragraph cells; the default
                # would declare the unembedded Helvetica.
                ("FONTNAME", (0, 0), (-1, -1), "Vera"),
                ("BACKGROUND", (0, 0), (0, -1), GRIS),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return tabla


class CodigoQR(Flowable):
    """A QR code drawn as filled rectangles straight on the canvas.

    ReportLab's own QR widget goes through its graphics renderer, which declares the
    unembedded Helvetica on the page even though it writes no text.
    """

    def __init__(self, texto: str, lado: float) -> None:
        super().__init__()
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        qr.add_data(texto)
        qr.make(fit=True)
        self.matriz: list[list[bool]] = qr.get_matrix()
        self.lado = lado

    def wrap(self, ancho_disponible: float, alto_disponible: float) -> tuple[float, float]:
        return self.lado, self.lado

    def draw(self) -> None:
        modulos = len(self.matriz)
        paso = self.lado / modulos
        lienzo = self.canv
        lienzo.setFillColor(colors.black)
        for fila, celdas in enumerate(self.matriz):
            y = self.lado - (fila + 1) * paso
            columna = 0
            # One rectangle per horizontal run of dark modules keeps the page small.
            while columna < modulos:
                if not celdas[columna]:
                    columna += 1
                    continue
                inicio = columna
                while columna < modulos and celdas[columna]:
                    columna += 1
                lienzo.rect(inicio * paso, y, (columna - inicio) * paso, paso, stroke=0, fill=1)


def _bloque_verificacion(acuse: Acuse, e: _Estilos) -> Table:
    url = url_verificacion(acuse.codigo_verificacion)
    texto = Paragraph(
        "<b>Verifique este acuse</b> escaneando el código QR o en<br/>"
        f"{escape(url)}<br/><br/>O escriba el código de verificación en "
        f"{escape(url_pagina_verificacion())}<br/>"
        f"<b>{escape(acuse.codigo_verificacion)}</b><br/><br/>"
        "Este documento está firmado electrónicamente con el sello del Instituto; su "
        "lector de PDF muestra la firma y si el archivo cambió después de emitirse.",
        e.codigo,
    )
    tabla = Table([[CodigoQR(url, 36 * mm), texto]], colWidths=[40 * mm, None], hAlign="LEFT")
    tabla.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), "Vera"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return tabla


def _parrafos(texto: str, estilo: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(escape(linea) or "&nbsp;", estilo) for linea in texto.splitlines()]


def _historia(acuse: Acuse, e: _Estilos) -> list[Any]:
    hechos = acuse.hechos
    flujo: list[Any] = [
        Paragraph(INSTITUCION, e.institucion),
        Paragraph(SERVICIO, e.servicio),
        Paragraph(escape(acuse.titulo), e.titulo),
        Paragraph(LEYENDAS[acuse.tipo], e.texto),
        _tabla_hechos(acuse, e),
    ]
    if acuse.tipo == "recepcion":
        flujo.append(Paragraph("Descripción de la solicitud", e.seccion))
        flujo.extend(_parrafos(hechos.get("descripcion", ""), e.valor))
    elif acuse.tipo == "respuesta":
        flujo.append(Paragraph("Respuesta", e.seccion))
        flujo.extend(_parrafos(hechos.get("respuesta", ""), e.valor))
    flujo += [
        Paragraph("Cadena original", e.seccion),
        Paragraph(escape(acuse.cadena_original), e.chico),
        Paragraph("Sello digital (RSA-SHA256, base64)", e.seccion),
        Paragraph(escape(acuse.sello), e.chico),
        Spacer(1, 4 * mm),
        _bloque_verificacion(acuse, e),
    ]
    return flujo


def _marca_de_tiempo(emitido: dt.datetime) -> TimeStamp:
    """ReportLab's document date, fixed to the acuse's issue moment (UTC)."""
    marca = TimeStamp(invariant=True)
    segundos = emitido.timestamp()
    marca.t = segundos
    marca.lt = time.gmtime(segundos)
    marca.YMDhms = tuple(marca.lt)[:6]
    return marca


def _pie(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont("Vera", 7)
    canvas.setFillColor(colors.HexColor("#555555"))
    canvas.drawString(doc.leftMargin, 10 * mm, f"{doc.title} · página {canvas.getPageNumber()}")
    canvas.restoreState()


class RenderExcedido(Exception):
    """Laying out an acuse took longer than its budget (settings.ACUSE_PRESUPUESTO_SEGUNDOS)."""


class _DocumentoConPresupuesto(SimpleDocTemplate):
    """ReportLab's document that gives up once its time budget is spent.

    The check runs before each flowable is laid out: every paragraph of a description or
    an answer is one line of it, bounded in code points (buzon.lib.texto), so no single
    step can run long after the budget is gone.
    """

    def __init__(self, *args: Any, limite: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limite = limite

    def handle_flowable(self, flowables: list[Any]) -> None:
        if time.monotonic() > self._limite:
            raise RenderExcedido("El acuse excedió su tiempo de generación.")
        super().handle_flowable(flowables)


def presupuesto_segundos() -> float:
    return float(getattr(settings, "ACUSE_PRESUPUESTO_SEGUNDOS", 10.0))


def renderizar(acuse: Acuse, *, presupuesto: float | None = None) -> bytes:
    """The unsigned PDF of ``acuse``: the same facts and layout on every call.

    Raises RenderExcedido after ``presupuesto`` seconds of rendering (settings by
    default); the wait for another thread's render does not count.
    """
    # ReportLab is not thread-safe: a registered TTFont keeps the subset of glyphs being
    # embedded in the font object itself, shared by the process, and two threads saving
    # at once corrupt it (an IndexError in makeSubset, seen with four generar_acuses
    # threads). One render at a time per process; the signature runs outside.
    with _UN_RENDER_A_LA_VEZ:
        return _renderizar(acuse, presupuesto=presupuesto)


_UN_RENDER_A_LA_VEZ = threading.Lock()


def _renderizar(acuse: Acuse, *, presupuesto: float | None) -> bytes:
    limite = time.monotonic() + (presupuesto if presupuesto is not None else presupuesto_segundos())
    e = _estilos()
    salida = BytesIO()
    titulo = f"{acuse.titulo} — folio {acuse.hechos.get('folio', '')}"
    doc = _DocumentoConPresupuesto(
        salida,
        pagesize=LETTER,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=titulo,
        author=INSTITUCION,
        subject=f"{SERVICIO}: {acuse.titulo}",
        creator=SERVICIO,
        invariant=1,
        lang="es-MX",
        # The canvas starts every page in this font: Helvetica would be listed unembedded.
        initialFontName="Vera",
        limite=limite,
    )
    marca = _marca_de_tiempo(acuse.emitido)

    def primera(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas._doc._timeStamp = marca  # creation date = issue date, for every render
        _pie(canvas, doc)

    doc.build(_historia(acuse, e), onFirstPage=primera, onLaterPages=_pie)
    return salida.getvalue()


# ---------------------------------------------------------------- PAdES signature


class _Firmante(signers.Signer):
    """pyHanko's signer over the configured Sellador: the key never needs to be in this
    process (a hardware module signs through the same ``firmar``)."""

    def __init__(self, material: sello.Sellador) -> None:
        self._sellador = material
        der_cert = material.certificado.public_bytes(serialization.Encoding.DER)
        super().__init__(
            signing_cert=asn1_x509.Certificate.load(der_cert),
            cert_registry=SimpleCertificateStore(),
            signature_mechanism=asn1_algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if digest_algorithm != "sha256":
            raise ValueError("El sello de acuses sólo firma con SHA-256.")
        return self._sellador.firmar(data)


@lru_cache(maxsize=2)
def _firmante(material: sello.Sellador) -> _Firmante:
    return _Firmante(material)


def _datos_firma() -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=CAMPO_FIRMA,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Acuse emitido por el Buzón IMSS — Promociones Electrónicas",
        location="Ciudad de México, México",
        name=INSTITUCION,
    )


def firmar(pdf: bytes, acuse: Acuse) -> bytes:
    """``pdf`` with the acuse's data in its info dictionary, signed PAdES by the sealing key."""
    escritor = IncrementalPdfFileWriter(BytesIO(pdf))
    referencia = escritor.trailer.raw_get("/Info")
    info = referencia.get_object()
    info[generic.NameObject(INFO_CODIGO)] = generic.TextStringObject(acuse.codigo_verificacion)
    info[generic.NameObject(INFO_CADENA)] = generic.TextStringObject(acuse.cadena_original)
    info[generic.NameObject(INFO_SELLO)] = generic.TextStringObject(acuse.sello)
    escritor.mark_update(referencia)
    salida = BytesIO()
    firmante = _firmante(sello.material())

    def firma() -> Any:
        return signers.async_sign_pdf(
            escritor, _datos_firma(), signer=firmante, bytes_reserved=BYTES_FIRMA, output=salida
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(firma())
    else:
        # Called from a thread whose event loop is running (an async view, a program
        # that drives a browser): pyHanko's sync API would fail there, so the signature
        # runs to completion in a thread of its own.
        with ThreadPoolExecutor(max_workers=1) as hilo:
            hilo.submit(lambda: asyncio.run(firma())).result()
    return salida.getvalue()


def pdf_de(acuse: Acuse, *, presupuesto: float | None = None) -> bytes:
    """The signed PDF of ``acuse`` (what ``acuses.archivo`` stores and people download)."""
    return firmar(renderizar(acuse, presupuesto=presupuesto), acuse)


def nombre_archivo(acuse: Acuse) -> str:
    return f"acuse-{acuse.tipo}-{acuse.hechos.get('folio', acuse.pk)}.pdf"
