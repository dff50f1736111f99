"""The one limiter: the window's edge, refusals, namespaces, a simultaneous burst."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from limites.models import Marca
from limites.services import Limite, LimiteExcedido, cubeta, liberar, reservar

pytestmark = pytest.mark.django_db

TRES = Limite("prueba", 3, 60)


def test_an_attempt_exactly_one_window_old_no_longer_counts_and_refusals_write_nothing():
    t0 = timezone.now()
    for _ in range(3):
        reservar([(TRES, TRES.clave("a"))], momento=t0)
    with pytest.raises(LimiteExcedido):
        reservar([(TRES, TRES.clave("a"))], momento=t0 + timedelta(seconds=59))
    assert Marca.objects.count() == 3
    reservar([(TRES, TRES.clave("a"))], momento=t0 + timedelta(seconds=60))
    # The expired rows went as the new one arrived.
    assert Marca.objects.count() == 1


def test_a_refusal_on_one_key_counts_on_none_and_liberar_takes_attempts_back():
    otro = Limite("otro", 10, 60)
    t0 = timezone.now()
    ids = []
    for _ in range(3):
        ids = reservar([(TRES, TRES.clave("a")), (otro, otro.clave("a"))], momento=t0)
    with pytest.raises(LimiteExcedido):
        reservar([(otro, otro.clave("a")), (TRES, TRES.clave("a"))], momento=t0)
    assert Marca.objects.filter(clave=otro.clave("a")).count() == 3
    liberar(ids)
    reservar([(TRES, TRES.clave("a"))], momento=t0)


def test_the_same_text_under_two_namespaces_is_two_keys():
    assert Limite("acceso-efirma", 1, 1).clave("x") != Limite("acceso-personal", 1, 1).clave("x")
    assert TRES.clave("a", "b") != TRES.clave("ab")
    assert cubeta("2001:db8:1:2:aaaa::1") == cubeta("2001:db8:1:2:ffff::9") == "2001:db8:1:2::"
    assert cubeta("::ffff:203.0.113.7") == "203.0.113.7"
    assert cubeta("no es una dirección") is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_at_once_against_a_limit_of_three_let_exactly_three_through():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")

    def una(_: int) -> bool:
        try:
            reservar([(TRES, TRES.clave("rafaga"))], momento=timezone.now())
            return True
        except LimiteExcedido:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as hilos:
        assert sum(hilos.map(una, range(16))) == 3
    assert Marca.objects.filter(clave=TRES.clave("rafaga")).count() == 3
