"""buzon.lib.memoria: a bounded least-recently-used map, without a database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from buzon.lib.memoria import Memoria


def test_remembers_until_pushed_out_least_recently_used_first():
    hechas: list[str] = []

    def hacer(clave: str) -> Callable[[], str]:
        def hecha() -> str:
            hechas.append(clave)
            return clave.upper()

        return hecha

    memoria: Memoria[str] = Memoria(lambda: 2)
    assert memoria.recordar("a", hacer("a")) == "A"
    assert memoria.recordar("b", hacer("b")) == "B"
    assert memoria.recordar("a", hacer("a")) == "A"  # remembered, and now the newest
    assert memoria.recordar("c", hacer("c")) == "C"  # pushes out b, the least recent
    assert memoria.claves() == ["a", "c"]
    assert memoria.recordar("b", hacer("b")) == "B"
    assert hechas == ["a", "b", "c", "b"]
    assert len(memoria) == 2


def test_capacity_read_at_each_use_and_zero_remembers_nothing():
    capacidad = [0]
    memoria: Memoria[int] = Memoria(lambda: capacidad[0])
    cuenta = iter(range(100))
    assert memoria.recordar("k", lambda: next(cuenta)) == 0
    assert memoria.recordar("k", lambda: next(cuenta)) == 1
    assert len(memoria) == 0
    capacidad[0] = 1
    assert memoria.recordar("k", lambda: next(cuenta)) == 2
    assert memoria.recordar("k", lambda: next(cuenta)) == 2
    memoria.olvidar()
    assert memoria.recordar("k", lambda: next(cuenta)) == 3


def test_many_threads_never_exceed_the_bound_nor_tear_the_map():
    memoria: Memoria[int] = Memoria(lambda: 50)
    errores: list[BaseException] = []

    def trabajar(inicio: int) -> None:
        try:
            for n in range(2000):
                clave = (inicio * 7 + n) % 120
                assert memoria.recordar(clave, partial(int.__mul__, clave, 2)) == clave * 2
        except BaseException as exc:  # reported by the main thread
            errores.append(exc)

    hilos = [threading.Thread(target=trabajar, args=(i,)) for i in range(8)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()
    assert errores == []
    assert len(memoria) <= 50
