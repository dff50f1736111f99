"""Back-off arithmetic, without a database."""

from datetime import timedelta

import pytest

from avisos.reintentos import ESPERA_MAXIMA, agotado, espera_tras_fallo

BASE = timedelta(seconds=30)


def test_wait_doubles_after_each_failure():
    assert [espera_tras_fallo(n, BASE).total_seconds() for n in range(1, 5)] == [30, 60, 120, 240]


def test_wait_is_capped_even_after_very_many_failures():
    assert espera_tras_fallo(12, BASE) == ESPERA_MAXIMA
    assert espera_tras_fallo(10_000, BASE) == ESPERA_MAXIMA


def test_attempt_count_starts_at_one():
    with pytest.raises(ValueError):
        espera_tras_fallo(0, BASE)


def test_gives_up_at_the_maximum():
    assert not agotado(4, 5)
    assert agotado(5, 5)
