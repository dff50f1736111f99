"""Shared pytest setup: the shared personas, the shared fixtures folder and the requirement
switches CI sets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

# The shared personas, as fixtures for every app's tests (tests/personas.py).
from tests.personas import (  # noqa: F401 — registered as fixtures by being imported here
    analista,
    analista_otra,
    analista_otra_area,
    catalogo,
    contribuyente,
    otro_contribuyente,
    supervisor,
)

SHARED_SAT = Path(__file__).resolve().parent.parent / "shared" / "fixtures" / "sat"

# The components CI installs and then requires with BUZON_REQUIRE_<NAME>=1 (.ci/run):
# without the switch a test that needs an absent one skips saying why; with it, it fails.
REQUISITOS = ("POSTGRES", "BROWSER", "OPENSSL", "SAT_FIXTURES", "S3")


def required(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """CI sets BUZON_REQUIRE_<NAME>=1 so that a missing component fails instead of skipping.

    Any value but empty or 0 counts: ``=true`` silently meaning "no" would hide the very
    skip the switch exists to catch."""
    assert name in REQUISITOS, name
    valor = (os.environ if environ is None else environ).get(f"BUZON_REQUIRE_{name}", "")
    return valor.strip() not in ("", "0")


def skip_or_fail(name: str, reason: str, environ: Mapping[str, str] | None = None) -> NoReturn:
    if required(name, environ):
        pytest.fail(f"{reason} (BUZON_REQUIRE_{name}=1)", pytrace=False)
    pytest.skip(reason)


def motivo_sin_postgres(environ: Mapping[str, str], motor: str) -> str | None:
    """Why this run must not start (BUZON_REQUIRE_POSTGRES set, the database another
    engine), or None."""
    if required("POSTGRES", environ) and motor != "postgresql":
        return (
            f"BUZON_REQUIRE_POSTGRES=1, pero las pruebas usarían {motor}: define "
            "DATABASE_URL=postgres://… (una suite en SQLite no prueba PostgreSQL)."
        )
    return None


def carpeta_sat(carpeta: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``carpeta`` if it holds SAT's test credentials; otherwise skip, or fail under
    BUZON_REQUIRE_SAT_FIXTURES."""
    if not (carpeta / "fiel-EKU9003173C9" / "certificate.cer").is_file():
        skip_or_fail(
            "SAT_FIXTURES",
            f"Faltan las credenciales de prueba del SAT en {carpeta} (../shared no está "
            "junto al proyecto): las pruebas con los archivos reales del SAT no corren.",
            environ,
        )
    return carpeta


def pytest_configure(config: pytest.Config) -> None:
    from django.db import connections

    motivo = motivo_sin_postgres(os.environ, connections["default"].vendor)
    if motivo is not None:
        raise pytest.UsageError(motivo)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The order's seed even under -q (which hides pytest-randomly's header line), so a
    failure that depends on order can be replayed."""
    semilla = getattr(config.option, "randomly_seed", None)
    if semilla is not None and config.pluginmanager.has_plugin("randomly"):
        terminalreporter.write_line(
            f"Orden aleatorio: repite esta corrida con -p randomly --randomly-seed={semilla}"
        )


def _transaccional(item: pytest.Item) -> tuple[bool, bool]:
    """(transactional, with serialized_rollback), as pytest-django reads the test."""
    marca = item.get_closest_marker("django_db")
    kw = marca.kwargs if marca else {}
    fixtures = getattr(item, "fixturenames", ())
    transaccional = bool(
        kw.get("transaction")
        or kw.get("reset_sequences")
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )
    return transaccional, transaccional and bool(kw.get("serialized_rollback"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within the transactional tests (which pytest-django already puts after the others),
    those with serialized_rollback run first, each group in pytest-randomly's order.

    A plain transactional test's final flush re-creates content types under new ids, and
    a serialized reload after it collides with them (UNIQUE django_content_type). Any
    order inside each group must pass."""
    primero = next((i for i, item in enumerate(items) if _transaccional(item)[0]), None)
    if primero is None:
        return
    cola = items[primero:]
    cola.sort(key=lambda item: 0 if _transaccional(item)[1] else 1)
    items[primero:] = cola


@pytest.fixture
def sat_fixtures() -> Path:
    return carpeta_sat(SHARED_SAT)


@pytest.fixture(scope="session", autouse=True)
def sello_de_prueba(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sealing key and certificate made for this test run, so no test touches the data dir.

    ACUSE_SELLO_PASSWORD stays empty: the key is opened with the ``sello.password`` file
    beside it, as ``make run``'s demo pair is.
    """
    from django.conf import settings

    from acuses.sello import generar_par

    directorio = tmp_path_factory.mktemp("sello")
    cer, key, _password = generar_par(directorio, nombre="IMSS Buzón — sello de pruebas")
    settings.ACUSE_SELLO_CERT = cer
    settings.ACUSE_SELLO_KEY = key
    settings.ACUSE_SELLO_PASSWORD = ""
    settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR = directorio / "anteriores"
    return directorio


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """SQLite tests use a file database, not :memory:: tests with threads (folio
    concurrency) need real connections that wait on the write lock, which the shared-cache
    in-memory database cannot give (it fails with "table is locked" instead)."""
    from django.conf import settings

    base = settings.DATABASES["default"]
    prueba = base.setdefault("TEST", {})
    if base["ENGINE"].endswith("sqlite3") and not prueba.get("NAME"):
        prueba["NAME"] = str(tmp_path_factory.mktemp("bd") / "pruebas.sqlite3")


@pytest.fixture(autouse=True)
def almacen_por_prueba(settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test stores files (evidence, acuse PDFs) in a folder of its own, never in
    the data dir; apps whose tests look at the folder set their own on top of this."""
    carpeta = tmp_path_factory.mktemp("almacen")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    return carpeta


@pytest.fixture(autouse=True)
def caches_del_proceso_olvidados() -> None:
    """Each test starts as in a fresh process: its database starts over, and with it the
    ids of taxpayers and asuntos and the versions of their requests; a Tablero page, an
    asunto list or a link an earlier test left in this process's caches must not answer
    for a later one, nor be what a later one needs to pass."""
    from atencion.memoria import olvidar as olvidar_cola
    from buzon.context_processors import rutas_fijas
    from buzon.plantillas import _marco_fijo, _url_fija
    from promociones.consultas import olvidar_asuntos, olvidar_paginas
    from promociones.tablero import _prefijo_detalle

    olvidar_paginas()
    olvidar_cola()
    olvidar_asuntos()
    # Links reversed once per process: a test with its own URLconf (pytest.mark.urls)
    # must reverse against it, not find them made under another test's.
    rutas_fijas.cache_clear()
    _url_fija.cache_clear()
    _marco_fijo.cache_clear()
    _prefijo_detalle.cache_clear()
