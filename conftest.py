"""Shared pytest setup: the shared fixtures folder and the requirement switches CI sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_SAT = Path(__file__).resolve().parent.parent / "shared" / "fixtures" / "sat"


def required(name: str) -> bool:
    """CI sets BUZON_REQUIRE_<NAME>=1 so that a missing component fails instead of skipping."""
    return os.environ.get(f"BUZON_REQUIRE_{name}") == "1"


def skip_or_fail(name: str, reason: str) -> None:
    if required(name):
        pytest.fail(f"{reason} (BUZON_REQUIRE_{name}=1)")
    pytest.skip(reason)


@pytest.fixture
def sat_fixtures() -> Path:
    if not SHARED_SAT.is_dir():
        pytest.skip(f"SAT fixtures not found at {SHARED_SAT}: ../shared is absent")
    return SHARED_SAT


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
def paginas_del_tablero_olvidadas() -> None:
    """Each test's database starts over, and with it the taxpayers' ids and versions; a
    page remembered by an earlier test must not answer for a later one."""
    from promociones.consultas import olvidar_paginas

    olvidar_paginas()
