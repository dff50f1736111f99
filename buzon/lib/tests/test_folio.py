import pytest

from buzon.lib.folio import PartesFolio, formatear, interpretar


def test_format_pads_the_sequence_to_six_digits():
    assert formatear("A", 2026, 123) == "A-2026-000123"


def test_format_keeps_growing_past_six_digits():
    assert formatear("O", 2026, 1_234_567) == "O-2026-1234567"


@pytest.mark.parametrize("args", [("a", 2026, 1), ("AB", 2026, 1), ("A", 26, 1), ("A", 2026, 0)])
def test_format_refuses_bad_parts(args):
    with pytest.raises(ValueError):
        formatear(*args)


def test_parse_is_the_inverse_of_format():
    assert interpretar(formatear("O", 2025, 42)) == PartesFolio("O", 2025, 42)


def test_parse_tolerates_case_and_spaces():
    assert interpretar(" a-2026-000123 ") == PartesFolio("A", 2026, 123)


@pytest.mark.parametrize("texto", ["", "A2026000123", "A-26-000123", "A-2026-12", "A-2026-000000"])
def test_parse_refuses_malformed_folios(texto):
    assert interpretar(texto) is None
