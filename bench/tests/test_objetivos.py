"""bench.objetivos and the runner's verdict: a missed target makes ``python -m bench`` exit 1.

Pure: no Django, no server. The runner is given a bench module of this test's own (in
``sys.modules``, as ``import`` would find a ``bench_<nombre>.py``)."""

from __future__ import annotations

import types

import pytest

from bench import __main__ as ejecutor
from bench import objetivos


@pytest.fixture(autouse=True)
def filas_propias(monkeypatch: pytest.MonkeyPatch) -> list[objetivos.Fila]:
    filas: list[objetivos.Fila] = []
    monkeypatch.setattr(objetivos, "FILAS", filas)
    return filas


def test_each_bound_decides_ok_or_falla(filas_propias: list[objetivos.Fila]) -> None:
    assert objetivos.comparar("proporción", 0.25, al_menos=0.2)
    assert not objetivos.comparar("proporción baja", 0.19, al_menos=0.2)
    assert objetivos.comparar("mediana", 120.0, como_mucho=120, unidad=" ms")
    assert not objetivos.comparar("memoria", 15.0, menor_que=15, unidad=" MB")
    assert not objetivos.comparar("sin medir", None, al_menos=1)
    assert [f.resultado for f in filas_propias] == ["OK", "FALLA", "OK", "FALLA", "FALLA"]
    assert filas_propias[2].objetivo == "≤ 120.00 ms"
    assert filas_propias[3].valor == "15.00 MB"
    assert filas_propias[4].valor == "sin medir"


def test_a_target_needs_exactly_one_bound() -> None:
    with pytest.raises(ValueError):
        objetivos.comparar("dos", 1.0, al_menos=0.5, como_mucho=2.0)
    with pytest.raises(ValueError):
        objetivos.comparar("ninguno", 1.0)


def test_exit_status_fails_on_a_miss_and_on_an_omission_only_when_strict(
    filas_propias: list[objetivos.Fila],
) -> None:
    objetivos.comparar("bien", 3.0, al_menos=1)
    objetivos.informar("informativa", 41.0, unidad="/s", nota="antes 41/s")
    objetivos.omitir("postgres", "no hay PostgreSQL")
    assert objetivos.codigo_salida() == 0
    assert objetivos.codigo_salida(estricto=True) == 1
    objetivos.comparar("mal", 0.5, al_menos=1)
    assert objetivos.codigo_salida() == 1
    assert [f.cifra for f in objetivos.fallidas()] == ["mal"]


def test_table_puts_each_figure_next_to_its_target(filas_propias: list[objetivos.Fila]) -> None:
    objetivos.comparar("Detalle HTML / mínima", 0.31, al_menos=0.2, carga="1.0 1.0 1.0")
    objetivos.comparar("10 MB", 130.0, como_mucho=120, unidad=" ms", decimales=0, carga="2.0")
    lineas = objetivos.tabla().splitlines()
    encabezado = [c.strip() for c in lineas[0].split("|")]
    assert encabezado[:4] == ["cifra", "valor", "objetivo", "resultado"]
    assert [c.strip() for c in lineas[2].split("|")] == [
        "Detalle HTML / mínima", "0.31", "≥ 0.20", "OK", "1.0 1.0 1.0"
    ]  # fmt: skip
    assert [c.strip() for c in lineas[3].split("|")] == [
        "10 MB", "130 ms", "≤ 120 ms", "FALLA", "2.0"
    ]  # fmt: skip


def _bench_falso(monkeypatch: pytest.MonkeyPatch, main: object, **extra: object) -> None:
    modulo = types.ModuleType("bench.bench_falso")
    modulo.main = main  # type: ignore[attr-defined]
    for clave, valor in extra.items():
        setattr(modulo, clave, valor)
    monkeypatch.setitem(__import__("sys").modules, "bench.bench_falso", modulo)
    monkeypatch.setattr(ejecutor, "_nombres", lambda: ["falso"])


def test_runner_exits_1_when_a_bench_misses_a_target(monkeypatch: pytest.MonkeyPatch) -> None:
    def main(argv: list[str]) -> int:
        objetivos.comparar("lenta", 0.1, al_menos=0.2)
        objetivos.comparar("rápida", 0.3, al_menos=0.2)
        return 0  # even a bench that forgets to say so: the row decides

    _bench_falso(monkeypatch, main)
    assert ejecutor.ejecutar(["falso"]) == 1
    assert ejecutor.ejecutar([]) == 1


def test_runner_exits_0_when_every_target_is_met(monkeypatch: pytest.MonkeyPatch) -> None:
    _bench_falso(monkeypatch, lambda argv: objetivos.comparar("rápida", 0.3, al_menos=0.2) and 0)
    assert ejecutor.ejecutar(["falso"]) == 0


def test_runner_counts_a_crash_or_an_own_verdict_as_a_failure(
    monkeypatch: pytest.MonkeyPatch, filas_propias: list[objetivos.Fila]
) -> None:
    def revienta(argv: list[str]) -> int:
        raise RuntimeError("wrk vio respuestas malas")

    _bench_falso(monkeypatch, revienta)
    assert ejecutor.ejecutar(["falso"]) == 1
    _bench_falso(monkeypatch, lambda argv: 1)  # a bench with its own verdict, not met
    assert ejecutor.ejecutar(["falso"]) == 1
    assert [f.resultado for f in filas_propias] == ["FALLA", "FALLA"]


def test_quick_run_passes_the_module_options_or_leaves_it_out(
    monkeypatch: pytest.MonkeyPatch, filas_propias: list[objetivos.Fila]
) -> None:
    vistos: list[list[str]] = []

    def main(argv: list[str]) -> int:
        vistos.append(argv)
        return 0

    _bench_falso(monkeypatch, main, RAPIDO=["--segundos", "1"])
    assert ejecutor.ejecutar(["falso", "--rapido", "--x"]) == 0
    assert vistos == [["--segundos", "1", "--x"]]
    _bench_falso(monkeypatch, main)  # no RAPIDO: left out, a failure only when strict
    assert ejecutor.ejecutar(["--rapido"]) == 0
    assert ejecutor.ejecutar(["--rapido", "--estricto"]) == 1
    assert filas_propias[-1].resultado == "OMITIDA"
    assert len(vistos) == 1


def test_bench_options_without_a_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _bench_falso(monkeypatch, lambda argv: 0)
    assert ejecutor.ejecutar(["--motores", "sqlite"]) == 2
    assert ejecutor.ejecutar(["nada"]) == 2
