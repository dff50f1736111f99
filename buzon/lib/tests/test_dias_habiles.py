from datetime import date

import pytest

from buzon.lib.dias_habiles import (
    es_habil,
    habiles_entre,
    inhabiles_oficiales,
    siguiente_habil,
    sumar_habiles,
)


def test_revolution_day_2025_is_monday_17_november():
    assert date(2025, 11, 17) in inhabiles_oficiales(2025)
    assert not es_habil(date(2025, 11, 17))


def test_benito_juarez_2026_is_monday_16_march():
    assert not es_habil(date(2026, 3, 16))


@pytest.mark.parametrize(
    "dia",
    [date(2026, 1, 1), date(2025, 12, 25), date(2026, 5, 1), date(2026, 9, 16)],
)
def test_statutory_holidays_are_not_business_days(dia):
    assert dia.weekday() < 5
    assert not es_habil(dia)


def test_fifth_of_may_is_not_a_business_day_although_the_package_omits_it():
    assert not es_habil(date(2026, 5, 5))  # a Tuesday
    assert inhabiles_oficiales(2026)[date(2026, 5, 5)] == "Aniversario de la Batalla de Puebla"


def test_weekends_are_not_business_days_and_ordinary_weekdays_are():
    assert not es_habil(date(2025, 11, 15))
    assert not es_habil(date(2025, 11, 16))
    assert es_habil(date(2025, 11, 14))


def test_extra_day_is_not_a_business_day():
    assert not es_habil(date(2025, 11, 18), extras={date(2025, 11, 18)})


def test_next_business_day_of_a_business_day_is_itself():
    assert siguiente_habil(date(2025, 11, 14)) == date(2025, 11, 14)


def test_next_business_day_skips_weekend_and_holiday_monday():
    assert siguiente_habil(date(2025, 11, 15)) == date(2025, 11, 18)


def test_adding_ten_from_friday_14_november_2025_skips_revolution_day():
    # 18,19,20,21 / 24,25,26,27,28 / 1 Dec
    assert sumar_habiles(date(2025, 11, 14), 10) == date(2025, 12, 1)
    assert sumar_habiles(date(2025, 11, 14), 5) == date(2025, 11, 24)
    assert sumar_habiles(date(2025, 11, 14), 1) == date(2025, 11, 18)


def test_adding_from_friday_13_march_2026_skips_benito_juarez():
    assert sumar_habiles(date(2026, 3, 13), 1) == date(2026, 3, 17)
    assert sumar_habiles(date(2026, 3, 13), 5) == date(2026, 3, 23)
    assert sumar_habiles(date(2026, 3, 13), 10) == date(2026, 3, 30)


def test_adding_across_christmas_and_new_year():
    # 26, 29, 30, 31 Dec 2025, then 2 Jan 2026 (1 Jan is a holiday)
    assert sumar_habiles(date(2025, 12, 24), 5) == date(2026, 1, 2)


def test_adding_across_fifth_of_may():
    # 4 May 2026 is Monday; 5 May is skipped.
    assert sumar_habiles(date(2026, 5, 4), 1) == date(2026, 5, 6)


def test_extra_days_lengthen_the_term():
    sin = sumar_habiles(date(2025, 11, 14), 10)
    con = sumar_habiles(date(2025, 11, 14), 10, extras={date(2025, 11, 20)})
    assert sin == date(2025, 12, 1)
    assert con == date(2025, 12, 2)


def test_adding_zero_returns_the_same_day():
    assert sumar_habiles(date(2025, 11, 15), 0) == date(2025, 11, 15)


def test_negative_terms_are_refused():
    with pytest.raises(ValueError):
        sumar_habiles(date(2025, 11, 14), -1)


def test_business_days_between_is_the_inverse_of_adding():
    inicio = date(2025, 11, 14)
    for n in (0, 1, 5, 10, 30):
        assert habiles_entre(inicio, sumar_habiles(inicio, n)) == n
