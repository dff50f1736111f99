"""/salud and /salud/lista: what a load balancer asks of each app server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from buzon.tests.ayudas import ROOT, puerto_libre
from operacion import salud

pytestmark = pytest.mark.django_db


def test_liveness_is_a_tiny_ok_without_database_session_or_cookies(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        r = client.get("/salud")
    assert r.status_code == 200
    assert r.content == b"ok\n"
    assert r["Content-Type"] == "text/plain; charset=utf-8"
    assert r["Cache-Control"] == "no-store"
    assert not r.cookies
    assert client.head("/salud").status_code == 200
    assert client.post("/salud").status_code == 405


def test_readiness_checks_database_storage_and_migrations(client, almacen_por_prueba):
    r = client.get("/salud/lista")
    assert r.status_code == 200
    assert r.json() == {
        "lista": True,
        "base_de_datos": "ok",
        "almacenamiento": "ok",
        "migraciones": "ok",
    }
    assert not r.cookies
    # The storage probe wrote, read back and deleted its object.
    assert not [p for p in almacen_por_prueba.rglob("*") if p.is_file()]


def test_readiness_waits_for_pending_migrations(client, monkeypatch):
    monkeypatch.setattr(salud, "_migraciones_aplicadas", False)
    MigrationRecorder(connection).migration_qs.filter(app="archivos", name="0001_initial").delete()
    r = client.get("/salud/lista")
    assert r.status_code == 503
    assert r.json()["migraciones"] == "pendientes"
    assert r.json()["lista"] is False


def test_a_database_that_does_not_answer_fails_readiness_but_not_liveness(tmp_path):
    """A real outage: PostgreSQL named on a port where nothing listens."""
    programa = (
        "import json\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "vivo = c.get('/salud')\n"
        "lista = c.get('/salud/lista')\n"
        "print(json.dumps([vivo.status_code, lista.status_code, lista.json()]))\n"
    )
    entorno = {
        **os.environ,
        "BUZON_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://nadie@127.0.0.1:{puerto_libre()}/buzon",
        "BUZON_LOG_LEVEL": "CRITICAL",
    }
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", programa],
        cwd=ROOT,
        env=entorno,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    vivo, lista, cuerpo = json.loads(r.stdout.strip().splitlines()[-1])
    assert (vivo, lista) == (200, 503)
    assert cuerpo == {
        "lista": False,
        "base_de_datos": "falla",
        "almacenamiento": "ok",
        "migraciones": "falla",
    }


def test_health_routes_need_no_login_and_no_csrf_token():
    cliente = Client(enforce_csrf_checks=True)
    assert cliente.get("/salud").status_code == 200
    assert cliente.get("/salud/lista").status_code == 200
