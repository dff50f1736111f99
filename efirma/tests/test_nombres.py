"""Decoding name values the way SAT encodes them: pure, no database."""

from __future__ import annotations

import pytest

from efirma.nombres import NombreX509, texto_de_valor


def tlv(etiqueta: int, contenido: bytes) -> bytes:
    assert len(contenido) < 0x80
    return bytes([etiqueta, len(contenido)]) + contenido


def test_t61string_with_latin1_bytes_reads_as_latin1() -> None:
    assert texto_de_valor(tlv(0x14, "COMPAÑIA SANTA MARIA".encode("latin-1"))) == (
        "COMPAÑIA SANTA MARIA"
    )


def test_t61string_holding_valid_utf8_reads_as_utf8() -> None:
    assert texto_de_valor(tlv(0x14, "PEÑA NÚÑEZ".encode())) == "PEÑA NÚÑEZ"


@pytest.mark.parametrize(
    ("etiqueta", "codificacion"),
    [(0x0C, "utf-8"), (0x1E, "utf-16-be"), (0x1C, "utf-32-be")],
)
def test_utf8_bmp_and_universal_strings(etiqueta: int, codificacion: str) -> None:
    assert texto_de_valor(tlv(etiqueta, "JOSÉ MUÑOZ".encode(codificacion))) == "JOSÉ MUÑOZ"


def test_printable_string_keeps_ampersand_and_slash() -> None:
    # SAT writes "&" into PrintableString although its charset lacks it.
    assert texto_de_valor(tlv(0x13, b"H&E951128469 / GODE561231GR8")) == (
        "H&E951128469 / GODE561231GR8"
    )


def test_decomposed_accents_are_composed() -> None:
    assert texto_de_valor(tlv(0x0C, "JOSE\u0301".encode())) == "JOSÉ"


def test_non_string_value_is_shown_as_hex() -> None:
    assert texto_de_valor(tlv(0x03, b"\x00\xab")) == "#030200ab"


def test_long_form_length_is_read() -> None:
    texto = "A" * 200
    valor = bytes([0x0C, 0x81, 200]) + texto.encode()
    assert texto_de_valor(valor) == texto


def test_names_are_equivalent_ignoring_case_and_inner_spaces() -> None:
    a = NombreX509(der=b"a", atributos=(("2.5.4.3", "AC  de Pruebas"),))
    b = NombreX509(der=b"b", atributos=(("2.5.4.3", "ac de pruebas "),))
    c = NombreX509(der=b"c", atributos=(("2.5.4.3", "ac de pruebas 2"),))
    assert a.equivale(b)
    assert not a.equivale(c)
