from buzon.lib.texto import (
    MAX_CARACTERES_DESCRIPCION,
    MAX_MARCAS_SEGUIDAS,
    contar_caracteres,
    excede_limite,
    marcas_en_exceso,
    max_code_points,
    normalizar_saltos,
    sin_controles,
)

FAMILIA = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧, five code points
E_COMBINADA = "e\u0301"  # é as e + combining acute accent


def test_crlf_and_lone_cr_become_lf():
    assert normalizar_saltos("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_crlf_counts_as_one_character():
    assert contar_caracteres("a\r\nb") == 3


def test_zwj_family_emoji_counts_as_one():
    assert len(FAMILIA) == 5
    assert contar_caracteres(FAMILIA) == 1


def test_combining_accent_counts_with_its_letter():
    assert contar_caracteres(E_COMBINADA) == 1
    assert contar_caracteres("é") == 1


def test_flag_counts_as_one():
    assert contar_caracteres("\U0001f1f2\U0001f1fd") == 1  # 🇲🇽


def test_limit_is_less_than_four_thousand():
    assert MAX_CARACTERES_DESCRIPCION == 3999
    assert not excede_limite("a" * 3999)
    assert excede_limite("a" * 4000)


def test_3999_characters_with_crlf_and_emoji_are_accepted_and_4000_refused():
    base = ("x\r\n" + FAMILIA + E_COMBINADA) * 999  # 4 characters per repetition
    assert contar_caracteres(base) == 3996
    assert not excede_limite(base + "abc")
    assert excede_limite(base + "abcd")
    # The raw string is far longer than 4,000 code points; it still fits.
    assert len(base + "abc") > 4000


def test_control_characters_are_removed_but_tab_and_newlines_kept():
    assert sin_controles("a\x00b\x07c\x1bd\x9fe\tf\r\ng") == "abcde\tf\r\ng"


def test_bidi_controls_and_lone_surrogates_are_removed_but_joiners_kept():
    texto = "a\u202eb\u2066c\u200fd\u061ce\ud800f" + FAMILIA
    assert sin_controles(texto) == "abcdef" + FAMILIA


def test_a_letter_may_carry_thirty_marks_but_not_more():
    assert not excede_limite("a" + "\u0301" * MAX_MARCAS_SEGUIDAS)
    assert excede_limite("a" + "\u0301" * (MAX_MARCAS_SEGUIDAS + 1))
    assert marcas_en_exceso("x" + "\u0300\u0301" * 16)


def test_few_visible_characters_that_cost_too_many_code_points_are_refused():
    # 3,000 visible characters of 300 code points each: what once cost 150 s per PDF.
    inundacion = ("e" + "\u0301" * 299) * 3000
    assert excede_limite(inundacion)
    assert max_code_points(MAX_CARACTERES_DESCRIPCION) == 4 * 3999
    justo = "ab" * (max_code_points(10) // 2)
    assert excede_limite(justo, 10)  # too many characters anyway
    assert not excede_limite("e\u0301\u0302\u0303" * 10, 10)  # 40 code points, 10 letters
    assert excede_limite("e\u0301\u0302\u0303\u0304" * 10, 10)  # 50 code points
