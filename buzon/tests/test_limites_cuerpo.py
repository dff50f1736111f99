"""Request bodies are refused from their Content-Length, before anything reads them,
by the limit of their route (buzon.middleware.limites_por_ruta)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from buzon.middleware import LIMITE_GENERAL, limites_por_ruta
from buzon.tests.ayudas import entorno_de_servidor, iniciar_gunicorn

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def sin_leer(cliente: Client, ruta: str, largo: int, **extra):
    """A POST that announces ``largo`` bytes but carries 10: the test client's input
    raises if anything reads past them, so an answer proves nothing read the body."""
    return cliente.generic(
        "POST",
        ruta,
        b"0123456789",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(largo),
        **extra,
    )


def test_80_mb_to_the_verification_api_is_a_413_before_reading(db):
    r = sin_leer(Client(), "/api/v1/verificar", 80 * MB)
    assert r.status_code == 413
    assert r.json() == {
        "codigo": "cuerpo_muy_grande",
        "mensaje": "El envío es demasiado grande para esta operación: el máximo es de 5 MB. "
        "Reduce el tamaño del archivo e inténtalo de nuevo.",
    }


def test_an_anonymous_form_post_with_any_csrf_cookie_is_a_short_spanish_page(db):
    cliente = Client()
    cliente.cookies["csrftoken"] = "a" * 32
    for ruta in ("/acceso/", "/promociones/aclaracion/nueva/", "/no-existe/"):
        r = sin_leer(cliente, ruta, LIMITE_GENERAL.bytes + 1)
        assert r.status_code == 413, ruta
        assert r["Content-Type"].startswith("text/html")
        assert "demasiado grande" in r.content.decode() and "64 KB" in r.content.decode()


def test_a_filing_route_takes_its_own_limit_only_from_a_signed_in_caller(db):
    evidencia = limites_por_ruta()["promociones:api_solicitudes"].bytes
    assert 10 * MB < evidencia <= 10 * MB + 64 * 1024
    anonimo = sin_leer(Client(), "/api/v1/solicitudes", 5 * MB)
    assert anonimo.status_code == 413 and anonimo.json()["codigo"] == "cuerpo_muy_grande"
    con_token = sin_leer(
        Client(HTTP_AUTHORIZATION="Bearer nada"), "/api/v1/solicitudes", evidencia + 1
    )
    assert con_token.status_code == 413
    assert "10 MB" in con_token.json()["mensaje"]


def test_a_file_where_the_route_takes_none_is_refused_with_demasiados_archivos(db):
    # The CSRF check parses the form: the file part is refused as its header arrives.
    cliente = Client(enforce_csrf_checks=True)
    cliente.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    r = cliente.post("/acceso/reto", {"adjunto": SimpleUploadedFile("a.bin", b"x" * 10)})
    assert r.status_code == 400
    assert "Esta operación no admite archivos adjuntos." in r.content.decode()


# --- over a real socket, against the production server ------------------------------


@pytest.fixture
def servidor(tmp_path):
    env = entorno_de_servidor(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    proceso = iniciar_gunicorn(env, tmp_path)
    puerto = int(env["BUZON_PORT"])
    yield puerto, tmp_path
    os.killpg(proceso.pid, signal.SIGTERM)
    proceso.wait(timeout=15)


def test_80_mb_over_a_socket_is_answered_413_before_the_client_sends_it(servidor):
    puerto, datos = servidor
    largo = 80 * MB
    with socket.create_connection(("127.0.0.1", puerto), timeout=10) as s:
        s.sendall(
            b"POST /api/v1/verificar HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {largo}\r\n\r\n".encode()
        )
        enviado = 0
        for _ in range(4):  # 256 KB of the 80 MB, then listen
            s.sendall(b"x" * 65536)
            enviado += 65536
        respuesta = b""
        while b"\r\n\r\n" not in respuesta:
            trozo = s.recv(65536)
            if not trozo:
                break
            respuesta += trozo
    assert respuesta.startswith(b"HTTP/1.1 413"), respuesta[:200]
    assert b"cuerpo_muy_grande" in respuesta or b"Content-Length" in respuesta
    assert enviado < largo // 100  # the answer came while 99% was still unsent
    assert list((datos / "tmp").iterdir()) == []  # nothing was spooled
