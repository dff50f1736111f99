from datetime import UTC, date, datetime

import pytest

from calendario.models import DiaInhabil
from calendario.services import fecha_en_mexico, plazo_de_respuesta, sumar_habiles


def utc(anio: int, mes: int, dia: int, hora: int = 0, minuto: int = 0) -> datetime:
    return datetime(anio, mes, dia, hora, minuto, tzinfo=UTC)


def test_mexico_date_of_a_late_evening_filing_is_the_previous_utc_day():
    # 23:30 in Mexico City (UTC-6, no daylight saving since 2022) is 05:30 UTC next day.
    assert fecha_en_mexico(utc(2025, 11, 14, 5, 30)) == date(2025, 11, 13)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        fecha_en_mexico(datetime(2025, 11, 14, 12, 0))


@pytest.mark.django_db
def test_friday_14_november_2025_aclaracion_skips_revolution_day():
    plazo = plazo_de_respuesta(utc(2025, 11, 14, 18, 0), 10)
    assert plazo.computo_desde == date(2025, 11, 14)
    assert plazo.respuesta_a_partir_del == date(2025, 12, 1)


@pytest.mark.django_db
def test_friday_13_march_2026_orientacion_skips_benito_juarez():
    plazo = plazo_de_respuesta(utc(2026, 3, 13, 17, 0), 5)
    assert plazo.computo_desde == date(2026, 3, 13)
    assert plazo.respuesta_a_partir_del == date(2026, 3, 23)


@pytest.mark.django_db
def test_saturday_filing_counts_from_the_next_business_day():
    # Saturday 15 Nov 2025; Monday 17 is Revolution Day, so it counts from Tuesday 18.
    plazo = plazo_de_respuesta(utc(2025, 11, 15, 16, 0), 5)
    assert plazo.computo_desde == date(2025, 11, 18)
    assert plazo.respuesta_a_partir_del == date(2025, 11, 25)


@pytest.mark.django_db
def test_filing_on_fifth_of_may_counts_from_the_sixth():
    plazo = plazo_de_respuesta(utc(2026, 5, 5, 16, 0), 5)
    assert plazo.computo_desde == date(2026, 5, 6)
    assert plazo.respuesta_a_partir_del == date(2026, 5, 13)


@pytest.mark.django_db
def test_filing_on_new_years_day_counts_from_the_second():
    plazo = plazo_de_respuesta(utc(2026, 1, 1, 16, 0), 5)
    assert plazo.computo_desde == date(2026, 1, 2)
    assert plazo.respuesta_a_partir_del == date(2026, 1, 9)


@pytest.mark.django_db
def test_filing_on_christmas_counts_from_the_twenty_sixth():
    plazo = plazo_de_respuesta(utc(2025, 12, 25, 16, 0), 10)
    assert plazo.computo_desde == date(2025, 12, 26)
    # 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9, 12 Jan
    assert plazo.respuesta_a_partir_del == date(2026, 1, 12)


@pytest.mark.django_db
def test_filing_at_2330_mexico_time_on_a_business_day_counts_that_day():
    # Thursday 13 Nov 2025 23:30 in Mexico City = Friday 14 Nov 05:30 UTC.
    plazo = plazo_de_respuesta(utc(2025, 11, 14, 5, 30), 1)
    assert plazo.computo_desde == date(2025, 11, 13)
    assert plazo.respuesta_a_partir_del == date(2025, 11, 14)


@pytest.mark.django_db
def test_filing_at_2330_mexico_time_on_friday_does_not_become_saturday():
    # Friday 14 Nov 2025 23:30 local = Saturday 05:30 UTC: still Friday's filing.
    plazo = plazo_de_respuesta(utc(2025, 11, 15, 5, 30), 10)
    assert plazo.computo_desde == date(2025, 11, 14)
    assert plazo.respuesta_a_partir_del == date(2025, 12, 1)


@pytest.mark.django_db
def test_extra_dia_inhabil_moves_the_start_and_the_due_date():
    DiaInhabil.objects.create(fecha=date(2025, 11, 14), motivo="Contingencia")
    DiaInhabil.objects.create(fecha=date(2025, 11, 20), motivo="Acuerdo institucional")
    plazo = plazo_de_respuesta(utc(2025, 11, 14, 18, 0), 5)
    assert plazo.computo_desde == date(2025, 11, 18)
    # 19, 21, 24, 25, 26 (20 is declared non-working)
    assert plazo.respuesta_a_partir_del == date(2025, 11, 26)


@pytest.mark.django_db
def test_many_extra_days_beyond_the_first_window_are_still_counted():
    # Declare every weekday of December 2025 and January 2026 non-working.
    dias = [date(2025, 12, d) for d in range(1, 32)] + [date(2026, 1, d) for d in range(1, 32)]
    DiaInhabil.objects.bulk_create(DiaInhabil(fecha=d, motivo="Cierre") for d in dias)
    assert sumar_habiles(date(2025, 11, 28), 1) == date(2026, 2, 3)  # 2 Feb is a holiday


@pytest.mark.django_db
def test_the_declared_days_handed_in_give_the_same_term_as_the_ones_read():
    """promociones.catalogo hands in every declared day it remembers; the term must be
    the one the windowed reads give, filed on any day and for any term."""
    declarados = [date(2025, 11, 14), date(2025, 11, 20), date(2025, 12, 24)]
    declarados += [date(2026, 1, d) for d in range(5, 31)]  # beyond the first window
    DiaInhabil.objects.bulk_create(DiaInhabil(fecha=d, motivo="Cierre") for d in declarados)
    todos = set(DiaInhabil.objects.values_list("fecha", flat=True))
    comparados = 0
    for dia in range(1, 31):
        for hora in (5, 18):  # 05:00 UTC is the previous day in Mexico City
            for plazo in (1, 5, 10, 30):
                recibida = utc(2025, 11, dia, hora)
                leido = plazo_de_respuesta(recibida, plazo)
                assert plazo_de_respuesta(recibida, plazo, todos) == leido, (recibida, plazo)
                comparados += 1
    assert comparados == 240
    # And a declared day moves the term only when handed in.
    sin = plazo_de_respuesta(utc(2025, 11, 13, 18), 5, declarados=())
    assert sin.respuesta_a_partir_del == date(2025, 11, 21)
    # 17 November is Revolution Day: 18, 19, 21, 24, 25 once 14 and 20 are declared.
    assert plazo_de_respuesta(utc(2025, 11, 13, 18), 5, todos).respuesta_a_partir_del == date(
        2025, 11, 25
    )
