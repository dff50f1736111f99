"""Warming the master before the fork (buzon.arranque): every step runs without the
database, a second call loads nothing again, a failing step is skipped and said, and
gunicorn.conf.py calls it when the app is preloaded."""

from __future__ import annotations

import gc
import logging
import runpy
import threading
from types import SimpleNamespace

import pytest
from django.template import engines

from acuses import pdf
from buzon import arranque
from buzon.lib.dias_habiles import inhabiles_oficiales
from buzon.tests.ayudas import ROOT


def plantillas_compiladas() -> int:
    return len(engines["jinja2"].env.cache or {})  # type: ignore[attr-defined]


def test_every_step_runs_without_the_database_and_a_second_call_loads_nothing_again():
    # No django_db mark: a step that touched the database would fail, and be missing.
    hilos = threading.active_count()
    primera = arranque.calentar()
    assert list(primera) == [nombre for nombre, _ in arranque.PASOS]
    assert plantillas_compiladas() >= len(engines["jinja2"].env.list_templates())  # type: ignore[attr-defined]
    assert pdf._estilos.cache_info().currsize == 1
    dias = inhabiles_oficiales.cache_info()
    compiladas = plantillas_compiladas()

    segunda = arranque.calentar()
    assert list(segunda) == list(primera)
    assert inhabiles_oficiales.cache_info().misses == dias.misses
    assert plantillas_compiladas() == compiladas
    # Nothing left running: threads do not survive the fork that follows.
    assert threading.active_count() == hilos


def test_a_step_that_fails_is_logged_and_the_others_still_run(monkeypatch, caplog):
    def sin_llave() -> None:
        raise FileNotFoundError("no hay llave de sello")

    monkeypatch.setattr(
        arranque,
        "PASOS",
        tuple((n, sin_llave if n == "acuse PDF" else p) for n, p in arranque.PASOS),
    )
    with caplog.at_level(logging.WARNING, logger="buzon.arranque"):
        tiempos = arranque.calentar()
    assert "acuse PDF" not in tiempos
    assert "urls" in tiempos and "plantillas" in tiempos
    assert "No se pudo precargar «acuse PDF»" in caplog.text


@pytest.mark.parametrize("precargada", [True, False])
def test_gunicorn_warms_the_master_when_the_app_is_preloaded(monkeypatch, tmp_path, precargada):
    llamadas: list[int] = []

    def calentar() -> dict[str, float]:
        llamadas.append(1)
        return {}

    monkeypatch.setattr(arranque, "calentar", calentar)
    # The config's own module-level setup would otherwise make a metrics folder here.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    configuracion = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert configuracion["preload_app"] is True
    try:
        configuracion["when_ready"](SimpleNamespace(cfg=SimpleNamespace(preload_app=precargada)))
    finally:
        gc.unfreeze()
    assert llamadas == ([1] if precargada else [])
