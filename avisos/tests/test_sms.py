"""SMS length as gateways count it: GSM-7 (with its extension table) or UCS-2."""

import pytest
import regex

from avisos.sms import GSM7, UCS2, codificacion, medir, partir, unidades


@pytest.mark.parametrize(
    ("texto", "cod", "cuantas"),
    [
        ("Hola", GSM7, 4),
        ("Peña ñandú", UCS2, 10),  # ñ is GSM-7, but ú is not: the whole text is UCS-2
        ("Año ñoño", GSM7, 8),  # ñ is in the basic table
        ("é è à ù ì ò", GSM7, 11),  # the accents the basic table has
        ("á", UCS2, 1),  # á is not in GSM-7
        ("100 €", GSM7, 6),  # € is in the extension table: escape + character
        ("[x]{y}", GSM7, 10),
        ("Listo 👍", UCS2, 8),  # an emoji outside the BMP is a surrogate pair
        ("👨‍👩‍👧", UCS2, 8),  # a ZWJ family: 3 pairs and 2 joiners
    ],
)
def test_encoding_and_units(texto, cod, cuantas):
    assert codificacion(texto) == cod
    assert unidades(texto) == cuantas


def test_gsm7_fits_160_in_one_segment_then_153_each():
    assert medir("a" * 160).segmentos == 1
    assert medir("a" * 161).segmentos == 2
    assert medir("a" * 306).segmentos == 2
    assert medir("a" * 307).segmentos == 3


def test_extension_characters_cost_two_septets():
    assert medir("€" * 80).segmentos == 1
    assert medir("€" * 81).segmentos == 2  # 162 septets


def test_ucs2_fits_70_in_one_segment_then_67_each():
    assert medir("á" * 70) == medir("á" * 70)
    assert (medir("á" * 70).codificacion, medir("á" * 70).segmentos) == (UCS2, 1)
    assert medir("á" * 71).segmentos == 2
    assert medir("á" * 134).segmentos == 2
    assert medir("á" * 135).segmentos == 3


def test_one_accent_outside_gsm7_makes_a_long_text_ucs2():
    texto = "a" * 100
    assert medir(texto).segmentos == 1
    assert medir(texto + "ó").segmentos == 2  # 101 UCS-2 units


def test_split_never_cuts_an_escape_a_surrogate_pair_or_a_grapheme():
    # 152 septets of "a", then "€" (2 septets) would straddle the 153 boundary.
    partes = partir("a" * 152 + "€" + "b" * 10)
    assert partes == ["a" * 152, "€" + "b" * 10]
    # 66 units of "á", then an emoji (2 units) would straddle the 67 boundary.
    partes = partir("á" * 66 + "👍" + "xxx")
    assert partes == ["á" * 66, "👍xxx"]
    # A letter with a combining accent stays together.
    texto = "a" * 66 + "e\u0301" + "z" * 5
    partes = partir(texto)
    assert "".join(partes) == texto
    assert partes[1].startswith("e\u0301")
    familias = "ñ👨‍👩‍👧" * 40
    partes = partir(familias)
    assert "".join(partes) == familias
    for parte in partes:
        assert unidades(parte) <= 67
        # Each segment is made of whole graphemes: a family never split across two.
        assert set(regex.findall(r"\X", parte)) <= {"ñ", "👨‍👩‍👧"}


def test_empty_text_has_no_segments():
    assert partir("") == []
