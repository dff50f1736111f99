"""Back-off arithmetic, without a database."""

from datetime import timedelta

import pytest

from avisos.reintentos import ESPERA_MAXIMA, agotado, espera_tras_fallo

BASE = timedelta(seconds=30)


def test_wait_doubles_after_each_failure():
    topes = [espera_tras_fallo(n, BASE, azar=1.0).total_seconds() for n in range(1, 5)]
    assert topes == [30, 60, 120, 240]


def test_jitter_spreads_the_wait_over_its_upper_half():
    assert espera_tras_fallo(2, BASE, azar=0.0) == timedelta(seconds=30)
    assert espera_tras_fallo(2, BASE, azar=0.5) == timedelta(seconds=45)
    esperas = {espera_tras_fallo(3, BASE) for _ in range(50)}
    assert len(esperas) > 1
    assert all(timedelta(seconds=60) <= e <= timedelta(seconds=120) for e in esperas)


def test_wait_is_capped_even_after_very_many_failures():
    assert espera_tras_fallo(12, BASE, azar=1.0) == ESPERA_MAXIMA
    assert espera_tras_fallo(10_000, BASE) <= ESPERA_MAXIMA


def test_attempt_count_starts_at_one():
    with pytest.raises(ValueError):
        espera_tras_fallo(0, BASE)


def test_gives_up_at_the_maximum():
    assert not agotado(4, 5)
    assert agotado(5, 5)
