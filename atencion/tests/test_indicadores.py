"""The oversight arithmetic without a database: ISO weeks across a year boundary, the
median, the 30/90-day windows and the weekly answers (atencion.indicadores)."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atencion.indicadores import (
    Respondidas,
    contador_habiles,
    etiqueta_iso,
    inicio_del_dia,
    mediana,
    por_semana,
    semanas,
    ventana,
)
from atencion.supervision import grafica, porcentaje, tope_redondo
from buzon.lib.dias_habiles import habiles_entre

# Wednesday 13 January 2027; 2026 has 53 ISO weeks (it began on a Thursday).
HOY = date(2027, 1, 13)


def test_iso_week_labels_use_the_iso_year_across_new_year():
    assert etiqueta_iso(date(2026, 12, 28)) == "2026-W53"
    assert etiqueta_iso(date(2027, 1, 3)) == "2026-W53"  # a Sunday of 2027 in 2026's week
    assert etiqueta_iso(date(2027, 1, 4)) == "2027-W01"
    assert etiqueta_iso(date(2025, 12, 29)) == "2026-W01"  # a Monday of 2025 in 2026's week


def test_twelve_weeks_end_with_the_current_one_oldest_first():
    lunes = semanas(HOY)
    assert len(lunes) == 12
    assert lunes[0] == date(2026, 10, 26) and lunes[-1] == date(2027, 1, 11)
    assert all(d.weekday() == 0 for d in lunes)
    assert [etiqueta_iso(d) for d in lunes] == [
        *(f"2026-W{n}" for n in range(44, 54)),
        "2027-W01",
        "2027-W02",
    ]
    # On a Monday the current week is that day's; on a Sunday, the week it closes.
    assert semanas(date(2027, 1, 11))[-1] == date(2027, 1, 11)
    assert semanas(date(2027, 1, 10))[-1] == date(2027, 1, 4)


def test_a_day_starts_at_midnight_in_mexico_city():
    # UTC-6 all year since Mexico dropped daylight saving time in 2022.
    assert inicio_del_dia(date(2026, 12, 28)) == datetime(2026, 12, 28, 6, 0, tzinfo=UTC)


def test_median_of_weighted_values():
    assert mediana([]) is None
    assert mediana([(4, 0)]) is None
    assert mediana([(7, 1)]) == 7
    assert mediana([(1, 1), (16, 1), (9, 1), (3, 1)]) == 6  # (3 + 9) / 2
    assert mediana([(1, 1), (3, 1), (9, 1), (11, 1), (16, 1)]) == 9
    assert mediana([(2, 3), (10, 1)]) == 2  # 2 2 2 10
    assert mediana([(2, 2), (10, 2)]) == 6  # 2 2 10 10
    assert mediana([(5, 1), (6, 1)]) == 5.5


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 5)), max_size=30))
def test_median_equals_the_median_of_the_expanded_list(pares):
    expandida = sorted(v for v, n in pares for _ in range(n))
    esperada = None
    if expandida:
        mitad = len(expandida) // 2
        esperada = (
            expandida[mitad]
            if len(expandida) % 2
            else (expandida[mitad - 1] + expandida[mitad]) / 2
        )
    assert mediana(pares) == esperada


# Answered groups: (computo_desde, answer date, how many, how many on time). Business
# days counted by hand with Mexico's holidays (25 Dec 2026, 1 Jan 2027, 16 Nov 2026).
GRUPOS = [
    # 8,9,10,11,14,15,16,17,18 Dec: 9 business days, on time.
    Respondidas(date(2026, 12, 7), date(2026, 12, 18), 1, 1),
    # 15–18, 21–24, 28–31 Dec, 4–7 Jan: 16, late.
    Respondidas(date(2026, 12, 14), date(2027, 1, 7), 1, 0),
    # 22 Dec: 1, on time; two requests.
    Respondidas(date(2026, 12, 21), date(2026, 12, 22), 2, 2),
    # 5,6,9–13,17–20 Nov (16 Nov is a holiday): 11, late; outside the 30 days.
    Respondidas(date(2026, 11, 4), date(2026, 11, 20), 1, 0),
    # Outside both windows.
    Respondidas(date(2026, 6, 1), date(2026, 6, 5), 5, 5),
]


def test_windows_count_answers_dated_in_the_last_n_days_today_included():
    v30 = ventana(GRUPOS, hoy=HOY, dias=30)
    assert (v30.atendidas, v30.a_tiempo) == (4, 3)
    assert v30.proporcion_a_tiempo == 0.75
    assert v30.mediana_dias_habiles == 5  # 1 1 9 16
    v90 = ventana(GRUPOS, hoy=HOY, dias=90)
    assert (v90.atendidas, v90.a_tiempo) == (5, 3)
    assert v90.proporcion_a_tiempo == 0.6
    assert v90.mediana_dias_habiles == 9  # 1 1 9 11 16
    # The first day of the 30: 15 December; the 14th is out.
    borde = [Respondidas(date(2026, 12, 14), date(2026, 12, 15), 1, 1)]
    assert ventana(borde, hoy=HOY, dias=30).atendidas == 1
    fuera = [Respondidas(date(2026, 12, 10), date(2026, 12, 14), 1, 1)]
    assert ventana(fuera, hoy=HOY, dias=30).atendidas == 0


def test_an_extra_non_working_day_is_not_a_business_day():
    grupo = [Respondidas(date(2026, 12, 21), date(2026, 12, 28), 1, 1)]
    assert ventana(grupo, hoy=HOY, dias=30).mediana_dias_habiles == 4  # 22, 23, 24, 28
    con_extra = ventana(grupo, hoy=HOY, dias=30, extras=[date(2026, 12, 24)])
    assert con_extra.mediana_dias_habiles == 3


DIAS = st.dates(date(2025, 12, 1), date(2027, 2, 1))


@given(DIAS, DIAS, st.sets(DIAS, max_size=5))
def test_the_business_day_counter_agrees_with_the_calendar(a, b, extras):
    entre = contador_habiles(min(a, b), max(a, b), extras)
    assert entre(a, b) == habiles_entre(a, b, extras)
    assert entre(b, a) == habiles_entre(b, a, extras)


def test_nothing_answered_gives_no_share_and_no_median():
    v = ventana([], hoy=HOY, dias=30)
    assert (v.atendidas, v.a_tiempo, v.proporcion_a_tiempo, v.mediana_dias_habiles) == (
        0,
        0,
        None,
        None,
    )


def test_answers_fall_in_the_iso_week_of_their_date():
    lunes = semanas(HOY)
    filas = por_semana(lunes, list(range(12)), GRUPOS)
    por_etiqueta = {s.etiqueta: (s.recibidas, s.atendidas) for s in filas}
    assert por_etiqueta["2026-W47"] == (3, 1)  # answered Friday 20 November
    assert por_etiqueta["2026-W51"] == (7, 1)  # Friday 18 December
    assert por_etiqueta["2026-W52"] == (8, 2)  # Tuesday 22 December, two
    assert por_etiqueta["2026-W53"] == (9, 0)
    assert por_etiqueta["2027-W01"] == (10, 1)  # Thursday 7 January
    assert sum(s.atendidas for s in filas) == 5  # June is before the 12 weeks
    assert filas[-1].domingo == date(2027, 1, 17)


def test_chart_scales_to_a_round_top_and_labels_every_bar():
    maximos = (0, 1, 3, 7, 10, 11, 180, 2001, 10198)
    assert [tope_redondo(n) for n in maximos] == [1, 1, 3, 8, 10, 12, 200, 2500, 12000]
    filas = por_semana(semanas(HOY), [0] * 11 + [10], GRUPOS)
    g = grafica(filas)
    assert len(g.barras) == 24 and len(g.etiquetas) == 12
    mas_alta = max(g.barras, key=lambda b: b.alto)
    assert (mas_alta.valor, mas_alta.serie, mas_alta.y) == (10, "recibidas", 50.0)
    assert all(b.y + b.alto == pytest.approx(g.base) for b in g.barras)
    assert [v for _, v in g.guias] == [0, 5, 10]
    # Two equal bars: the second number is written above the first, not over it.
    pareja = grafica(por_semana(semanas(HOY), [7] * 12, [Respondidas(HOY, HOY, 7, 7)]))
    recibidas, atendidas = pareja.barras[-2:]
    assert recibidas.y == atendidas.y
    assert recibidas.y_valor - atendidas.y_valor == 13


def test_percentages_in_spanish_style():
    assert porcentaje(0.75) == "75 %"
    assert porcentaje(2 / 3) == "66.7 %"
    assert porcentaje(None) == "—"
