from __future__ import annotations

import logging
import random
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from acuses import pdf, sello
from acuses.models import Acuse
from acuses.verificacion import verificar_pdf
from buzon.lib import cadena


@pytest.fixture
def pdf_recepcion(recepcion) -> bytes:
    return pdf.pdf_de(recepcion)


@pytest.fixture(autouse=True)
def _silencio(caplog):
    # Tampered files log their parse errors at INFO; the tests read only the verdict.
    caplog.set_level(logging.WARNING, logger="acuses.verificacion")


def cambiar_byte(datos: bytes, posicion: int) -> bytes:
    cambiado = bytearray(datos)
    cambiado[posicion] ^= 0x01
    return bytes(cambiado)


def test_genuine_acuse_is_valid_and_states_its_facts(recepcion, pdf_recepcion):
    resultado = verificar_pdf(pdf_recepcion)
    assert resultado.valido, resultado.motivo
    assert resultado.hechos["folio"] == "A-2026-000123"
    assert resultado.hechos["codigo_verificacion"] == recepcion.codigo_verificacion
    publico = resultado.como_dict()
    assert publico["valido"] is True
    assert publico["tipo"] == "recepcion"
    assert publico["rfc"] == "PEN••••••••B1"


def test_all_four_kinds_verify(acuses_de_todos_los_tipos):
    for acuse in acuses_de_todos_los_tipos.values():
        assert verificar_pdf(pdf.pdf_de(acuse)).valido, acuse.tipo


def test_any_single_changed_byte_fails(pdf_recepcion):
    inicio = pdf_recepcion.index(b"/Contents <") + len(b"/Contents <")
    fin = pdf_recepcion.index(b">", inicio)
    azar = random.Random(4)  # fixed seed: the same positions on every run
    posiciones = {azar.randrange(len(pdf_recepcion)) for _ in range(120)}
    # The signature's own bytes: its start, the DER end, the zero padding, the delimiters.
    posiciones |= {inicio - 1, inicio, inicio + 7, fin - 1, fin - 400, fin, len(pdf_recepcion) - 2}
    aceptados = [
        p for p in sorted(posiciones) if verificar_pdf(cambiar_byte(pdf_recepcion, p)).valido
    ]
    assert aceptados == []


def test_hex_case_change_inside_the_signature_fails(pdf_recepcion):
    inicio = pdf_recepcion.index(b"/Contents <") + len(b"/Contents <")
    hexa = pdf_recepcion[inicio : inicio + 200]
    posicion = inicio + next(i for i, c in enumerate(hexa) if chr(c) in "ABCDEF")
    cambiado = bytearray(pdf_recepcion)
    cambiado[posicion] = ord(chr(cambiado[posicion]).lower())
    assert verificar_pdf(bytes(cambiado)).motivo == "pdf_alterado"


def test_appended_revision_changing_the_facts_fails(pdf_recepcion):
    escritor = IncrementalPdfFileWriter(BytesIO(pdf_recepcion))
    referencia = escritor.trailer.raw_get("/Info")
    info = referencia.get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("Acuse falsificado")
    escritor.mark_update(referencia)
    salida = BytesIO()
    escritor.write(salida)
    assert verificar_pdf(salida.getvalue()).motivo == "pdf_alterado"


def test_pdf_signed_by_another_key_is_refused(recepcion, tmp_path, settings):
    cer, key, _ = sello.generar_par(tmp_path, nombre="Impostor")
    nuestros = settings.ACUSE_SELLO_CERT, settings.ACUSE_SELLO_KEY
    settings.ACUSE_SELLO_CERT, settings.ACUSE_SELLO_KEY = cer, key
    falso = pdf.pdf_de(recepcion)
    settings.ACUSE_SELLO_CERT, settings.ACUSE_SELLO_KEY = nuestros
    assert verificar_pdf(falso).motivo == "firmante_desconocido"


def test_sealed_but_unregistered_acuse_is_unknown_online_and_valid_offline(recepcion):
    # A PDF made with our key for an acuse that is not in the database (e.g. a key leak
    # or a restored backup) only passes the offline check.
    material = sello.material()
    copia = Acuse(
        solicitud=recepcion.solicitud,
        tipo="recepcion",
        emitido=recepcion.emitido,
        codigo_verificacion="codigo-que-no-esta-registrado-000",
        hechos={**recepcion.hechos, "codigo_verificacion": "codigo-que-no-esta-registrado-000"},
        numero_certificado_sello=material.numero,
    )
    copia.cadena_original = cadena.construir(copia.hechos)
    copia.sello = sello.sellar(copia.cadena_original)
    datos = pdf.pdf_de(copia)
    assert verificar_pdf(datos).motivo == "acuse_desconocido"
    assert verificar_pdf(datos, consultar_registro=False).valido


def test_not_a_pdf_or_an_unsigned_pdf_is_refused(recepcion):
    assert verificar_pdf(b"hola").motivo == "pdf_ilegible"
    assert verificar_pdf(pdf.renderizar(recepcion)).motivo == "sin_sello"
