from __future__ import annotations

import re
import time
from io import BytesIO
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from acuses import pdf
from acuses.models import Acuse
from promociones.models import Solicitud
from tests.personas import CONTRIBUYENTE


def texto_de(datos: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(datos)).pages)


def test_text_extraction_finds_folio_rfc_and_name_with_accents(recepcion):
    texto = texto_de(pdf.pdf_de(recepcion))
    assert "A-2026-000123" in texto
    assert CONTRIBUYENTE.rfc in texto
    assert CONTRIBUYENTE.nombre in texto
    assert "Acuse de recepción" in texto
    assert "Instituto Mexicano del Seguro Social" in texto
    assert "Respuesta a partir del" in texto and "14 de diciembre de 2026" in texto
    assert "10:15:03" in texto
    assert "evidencias emisión.zip" in texto


def test_all_four_kinds_render_their_title_and_own_facts(acuses_de_todos_los_tipos):
    esperado = {
        "recepcion": ("Acuse de recepción", "Descripción de la solicitud", "ñandú"),
        "prorroga": ("Acuse de prórroga", "Nueva fecha de respuesta", "28 de diciembre de 2026"),
        "canalizacion": ("Acuse de canalización", "Asunto anterior", "ICSOE"),
        "respuesta": ("Acuse de respuesta", "la diferencia quedó aplicada", "señalada.pdf"),
    }
    for tipo, acuse in acuses_de_todos_los_tipos.items():
        datos = pdf.pdf_de(acuse)
        texto = texto_de(datos)
        for fragmento in esperado[tipo]:
            assert fragmento in texto, (tipo, fragmento)
        assert acuse.codigo_verificacion in texto
        assert len(PdfReader(BytesIO(datos)).pages) <= 2


def test_qr_code_on_page_one_decodes_to_the_public_verification_url(recepcion, settings):
    settings.PUBLIC_BASE_URL = "https://buzon.example.mx/"
    documento = pypdfium2.PdfDocument(pdf.pdf_de(recepcion))
    imagen = documento[0].render(scale=2).to_pil()
    codigos = zxingcpp.read_barcodes(imagen)
    assert [c.text for c in codigos if c.format == zxingcpp.BarcodeFormat.QRCode] == [
        f"https://buzon.example.mx/verificar/{recepcion.codigo_verificacion}"
    ]


def test_the_canalizacion_acuse_names_both_dates_as_the_guide_reads_them(
    acuses_de_todos_los_tipos,
):
    texto = " ".join(texto_de(pdf.pdf_de(acuses_de_todos_los_tipos["canalizacion"])).split())
    assert "Canalizada el 2 de diciembre de 2026" in texto
    assert "Nueva fecha de respuesta a partir del 9 de diciembre de 2026" in texto


def test_the_printed_links_use_the_configured_public_base_url(recepcion, settings):
    settings.PUBLIC_BASE_URL = "https://buzon.imss.gob.mx"
    datos = pdf.pdf_de(recepcion)
    # The layout may wrap a long link: compared without the line breaks.
    texto = "".join(texto_de(datos).split())
    codigo = recepcion.codigo_verificacion
    assert f"https://buzon.imss.gob.mx/verificar/{codigo}" in texto
    # The page where anyone types the code, printed next to it.
    assert "Oescribaelcódigodeverificaciónenhttps://buzon.imss.gob.mx/verificar/" in texto
    assert "127.0.0.1" not in texto
    imagen = pypdfium2.PdfDocument(datos)[0].render(scale=2).to_pil()
    assert [c.text for c in zxingcpp.read_barcodes(imagen)] == [
        f"https://buzon.imss.gob.mx/verificar/{codigo}"
    ]


def test_fonts_are_embedded_truetype_and_never_the_base14_helvetica(recepcion):
    lector = PdfReader(BytesIO(pdf.pdf_de(recepcion)))
    fuentes = {}
    for pagina in lector.pages:
        recursos: Any = pagina["/Resources"]
        for fuente in recursos["/Font"].values():
            fuente = fuente.get_object()
            fuentes[str(fuente["/BaseFont"])] = fuente
    assert fuentes
    for nombre, fuente in fuentes.items():
        assert "Helvetica" not in nombre
        descriptor = fuente.get("/FontDescriptor")
        if descriptor is None:  # Type0: the descriptor is on the descendant font
            descriptor = fuente["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), nombre


def test_same_acuse_renders_the_same_bytes_whatever_the_clock_and_zone(
    recepcion, monkeypatch, settings
):
    primero = pdf.renderizar(recepcion)
    # A year later, on a server in another zone, from the row read back: a render that
    # took anything from the clock or the zone (dates, ids) would differ.
    reloj = time.time
    monkeypatch.setattr(time, "time", lambda: reloj() + 366 * 24 * 3600)
    settings.TIME_ZONE = "Asia/Tokyo"
    segundo = pdf.renderizar(Acuse.objects.get(pk=recepcion.pk))
    monkeypatch.undo()
    assert primero == segundo
    info = PdfReader(BytesIO(primero)).metadata
    assert info is not None
    # Creation date fixed to the issue moment (10:15:03 Mexico City = 16:15:03 UTC).
    assert str(info["/CreationDate"]).startswith("D:20261128161503")
    assert info.title == f"Acuse de recepción — folio {recepcion.hechos['folio']}"
    # Sealing adds a signature, never a visible word.
    assert texto_de(pdf.pdf_de(recepcion)) == texto_de(primero)


def test_pdf_is_rendered_from_stored_facts_not_from_the_solicitud(recepcion):
    Solicitud.objects.filter(pk=recepcion.solicitud_id).update(descripcion="Texto cambiado")
    texto = texto_de(pdf.pdf_de(Acuse.objects.get(pk=recepcion.pk)))
    assert "ñandú" in texto
    assert "Texto cambiado" not in texto


def test_pdf_is_signed_pades_by_the_sealing_certificate(recepcion):
    datos = pdf.pdf_de(recepcion)
    (firma,) = PdfFileReader(BytesIO(datos)).embedded_signatures
    assert firma.field_name == "SelloIMSS"
    assert firma.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "sello de pruebas" in firma.signer_cert.subject.human_friendly
    info = PdfFileReader(BytesIO(datos)).trailer["/Info"]
    assert info[pdf.INFO_CADENA] == recepcion.cadena_original
    assert info[pdf.INFO_SELLO] == recepcion.sello
    assert info[pdf.INFO_CODIGO] == recepcion.codigo_verificacion


def test_long_description_flows_onto_a_second_page(solicitud):
    from promociones.hechos import emitir_acuse

    Solicitud.objects.filter(pk=solicitud.pk).update(
        descripcion=("Párrafo largo. " * 60 + "\n") * 4
    )
    solicitud.refresh_from_db()
    acuse = emitir_acuse(solicitud=solicitud, tipo="recepcion", momento=solicitud.recibida)
    paginas = PdfReader(BytesIO(pdf.pdf_de(acuse))).pages
    assert len(paginas) == 2
    assert re.search(r"página 2", paginas[1].extract_text())


@pytest.mark.parametrize(
    ("iso", "legible"),
    [
        ("2026-11-28T10:15:03-06:00", "28 de noviembre de 2026, 10:15:03 h"),
        ("", "—"),
    ],
)
def test_moments_read_in_spanish_with_their_offset(iso, legible):
    assert pdf.momento_legible(iso).startswith(legible)
    if iso:
        assert pdf.momento_legible(iso).endswith("UTC-06:00)")
