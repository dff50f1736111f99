"""Structured logs and the request id: one JSON object per line, each line of a request
carrying the id that request answered with in X-Request-ID."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.test import Client

from buzon.tests.ayudas import ROOT
from operacion.middleware import id_de_peticion
from operacion.registro import FormatoJson
from promociones.tests.conftest import aclaracion, token_para

pytestmark = pytest.mark.django_db

CLAVES = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "route",
    "status",
    "duration_ms",
}


@pytest.fixture
def salida() -> Iterator[io.StringIO]:
    """What the root logger writes, formatted as settings.LOGGING formats it."""
    destino = io.StringIO()
    manejador = logging.StreamHandler(destino)
    manejador.setFormatter(FormatoJson())
    raiz = logging.getLogger()
    nivel = raiz.level
    raiz.addHandler(manejador)
    raiz.setLevel(logging.INFO)
    try:
        yield destino
    finally:
        raiz.removeHandler(manejador)
        raiz.setLevel(nivel)


def lineas(destino: io.StringIO) -> list[dict]:
    texto = destino.getvalue()
    assert texto.endswith("\n")
    return [json.loads(linea) for linea in texto.splitlines()]


def test_every_response_carries_a_new_request_id(client):
    primera, segunda = client.get("/salud"), client.get("/salud")
    assert re.fullmatch(r"[0-9a-f]{32}", primera["X-Request-ID"])
    assert primera["X-Request-ID"] != segunda["X-Request-ID"]


@pytest.mark.parametrize(
    "recibido",
    ["balanceador-7f3a.9_B", "a" * 64, "0"],
)
def test_a_valid_incoming_request_id_is_kept(client, recibido):
    assert client.get("/salud", HTTP_X_REQUEST_ID=recibido)["X-Request-ID"] == recibido


@pytest.mark.parametrize(
    "recibido",
    ["a" * 65, "", "con espacio", "salto\nde-linea", 'comillas"', "ñandú", "x;y", "a/b"],
)
def test_an_invalid_incoming_request_id_is_replaced(recibido):
    nuevo = id_de_peticion(recibido)
    assert nuevo != recibido and re.fullmatch(r"[0-9a-f]{32}", nuevo)


def test_an_invalid_header_is_replaced_on_the_wire_too(client):
    r = client.get("/salud", HTTP_X_REQUEST_ID="x" * 65)
    assert re.fullmatch(r"[0-9a-f]{32}", r["X-Request-ID"])


def test_every_line_of_a_request_has_its_id_and_the_last_one_its_status_and_time(
    salida, contribuyente
):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    r = api.post(
        "/api/v1/solicitudes",
        aclaracion(),
        HTTP_X_REQUEST_ID="prueba-de-registro-1",
    )
    assert r.status_code == 201
    assert r["X-Request-ID"] == "prueba-de-registro-1"
    registradas = lineas(salida)
    assert len(registradas) >= 2  # the service's own line and the request's closing line
    for linea in registradas:
        assert set(linea) == CLAVES
        assert linea["request_id"] == "prueba-de-registro-1"
        assert linea["route"] == "promociones:api_solicitudes"
        assert linea["time"].endswith("Z")
        assert datetime.fromisoformat(linea["time"]).utcoffset() == timedelta(0)
    del_servicio = [x for x in registradas if x["logger"] == "promociones.services"]
    assert del_servicio and "registrada" in del_servicio[0]["message"]
    assert del_servicio[0]["status"] is None
    cierre = registradas[-1]
    assert cierre["logger"] == "operacion.peticiones"
    assert cierre["level"] == "INFO"
    assert cierre["status"] == 201
    assert isinstance(cierre["duration_ms"], float) and cierre["duration_ms"] > 0
    assert cierre["message"] == "POST promociones:api_solicitudes 201"


def test_djangos_own_warning_after_the_response_keeps_the_request_id(salida, client):
    r = client.get("/no/existe", HTTP_X_REQUEST_ID="id-del-404")
    assert r.status_code == 404
    advertencia = next(x for x in lineas(salida) if x["logger"] == "django.request")
    assert advertencia["request_id"] == "id-del-404"
    assert advertencia["status"] == 404 and advertencia["level"] == "WARNING"


def test_a_traceback_and_newlines_stay_inside_one_line():
    formato = FormatoJson()
    try:
        raise ValueError("falló\ncon dos líneas")
    except ValueError:
        registro = logging.getLogger("prueba").makeRecord(
            "prueba", logging.ERROR, __file__, 1, 'mensaje "raro"\n%s', ("ñ",), sys.exc_info()
        )
    texto = formato.format(registro)
    assert "\n" not in texto
    datos = json.loads(texto)
    assert datos["message"] == 'mensaje "raro"\nñ'
    assert "ValueError: falló\ncon dos líneas" in datos["exception"]
    assert datos["request_id"] is None and datos["route"] is None


def test_the_configured_logging_writes_json_lines(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import logging; logging.getLogger('buzon.prueba').warning('hola\\nmundo')",
        ],
        cwd=ROOT,
        env={**os.environ, "BUZON_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    (linea,) = [x for x in r.stderr.splitlines() if "buzon.prueba" in x]
    datos = json.loads(linea)
    assert set(datos) == CLAVES
    assert (datos["level"], datos["logger"], datos["message"]) == (
        "WARNING",
        "buzon.prueba",
        "hola\nmundo",
    )


def test_time_is_utc_with_milliseconds_whatever_the_local_zone():
    formato = FormatoJson()
    registro = logging.makeLogRecord({"msg": "x", "levelname": "INFO", "name": "prueba"})
    # 2026-03-02 10:00:00.123 in Mexico City is 16:00:00.123 UTC.
    for momento, texto in (
        (1772467200.123, "2026-03-02T16:00:00.123Z"),
        (1772467200.9999, "2026-03-02T16:00:00.999Z"),
        (1772467201.0, "2026-03-02T16:00:01.000Z"),
    ):
        registro.created = momento
        assert json.loads(formato.format(registro))["time"] == texto
