import pytest

from buzon.lib.telefono import limpiar, normalizar


@pytest.mark.parametrize(
    "escrito",
    ["5512345678", "55 1234 5678", "55-1234-5678", "(55) 1234.5678", " 55 12 34 56 78 "],
)
def test_ten_digits_with_separators_are_accepted(escrito):
    assert normalizar(escrito) == "5512345678"


@pytest.mark.parametrize("escrito", ["551234567", "55123456789", "55 1234 567"])
def test_nine_and_eleven_digits_are_refused(escrito):
    assert normalizar(escrito) is None


@pytest.mark.parametrize("escrito", ["55123456a8", "+525512345678", "٥٥١٢٣٤٥٦٧٨", ""])
def test_letters_plus_sign_other_scripts_and_empty_are_refused(escrito):
    assert normalizar(escrito) is None


def test_clean_removes_only_separators():
    assert limpiar("(55) 12-34.56 78") == "5512345678"
