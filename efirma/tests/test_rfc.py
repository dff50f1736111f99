"""RFC rules: pure, no database."""

from __future__ import annotations

import pytest

from efirma.errores import ErrorEfirma
from efirma.rfc import normalizar_rfc, validar_rfc


def test_persona_fisica_has_13_characters() -> None:
    info = validar_rfc("GODE561231GR8")
    assert (info.rfc, info.tipo, info.digito_verificador_valido) == (
        "GODE561231GR8",
        "fisica",
        True,
    )


def test_persona_moral_has_12_characters() -> None:
    info = validar_rfc("MAB9307148T4")
    assert (info.rfc, info.tipo, info.digito_verificador_valido) == ("MAB9307148T4", "moral", True)


@pytest.mark.parametrize(
    ("rfc", "tipo"),
    [("H&E951128469", "moral"), ("PEÑM800101AB9", "fisica"), ("ÑAN0505059Q4", "moral")],
)
def test_ampersand_and_enie_are_valid_rfc_letters(rfc: str, tipo: str) -> None:
    info = validar_rfc(rfc)
    assert info.rfc == rfc
    assert info.tipo == tipo
    assert info.digito_verificador_valido is True


def test_wrong_check_digit_is_accepted_and_reported() -> None:
    # SAT's own test RFC AAA010101AAA does not match the published algorithm (it gives 1).
    info = validar_rfc("AAA010101AAA")
    assert info.tipo == "moral"
    assert info.digito_verificador_valido is False
    assert validar_rfc("GODE561231GR7").digito_verificador_valido is False


def test_typed_rfc_is_normalized_before_validation() -> None:
    assert validar_rfc("  gode561231gr8 \n").rfc == "GODE561231GR8"
    assert validar_rfc("peñm800101ab9").rfc == "PEÑM800101AB9"


def test_normalizar_keeps_ampersand_and_enie_and_composes_the_tilde() -> None:
    assert normalizar_rfc(" h&e951128469 ") == "H&E951128469"
    # N + COMBINING TILDE, as some keyboards and copy-pastes produce it.
    assert normalizar_rfc("pen\u0303m800101ab9") == "PEÑM800101AB9"


@pytest.mark.parametrize(
    "texto",
    [
        "",
        "GODE561231",  # 10 characters: no homoclave; an e.firma always has the full RFC
        "GODE561231GR8X",  # 14
        "GODE 561231 GR8",  # separators are not part of an RFC
        "GODE-561231-GR8",
        "GODE561331GR8",  # month 13
        "G0DE561231GR8",  # a digit among the name letters
        "MAB93071X8T4",  # a letter in the date
        "MAB9307148T$",
        "PUTO561231GR8",  # SAT never issues these words; stdnum rejects them
    ],
)
def test_malformed_rfc_is_rfc_invalido(texto: str) -> None:
    with pytest.raises(ErrorEfirma) as error:
        validar_rfc(texto)
    assert error.value.codigo == "rfc_invalido"
    assert "13 caracteres" in error.value.mensaje
