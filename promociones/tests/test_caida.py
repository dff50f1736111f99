"""A real server killed with SIGKILL mid-upload, and a file stored by a filing killed
before its commit: after a restart the sweep leaves no orphan file, no partial
temporary upload, no row without its file, and the filed data intact."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from buzon.tests.ayudas import entorno_de_servidor, iniciar_gunicorn
from promociones.tests.conftest import zip_bytes

ROOT = Path(__file__).resolve().parents[2]
HACE_DOS_HORAS = time.time() - 2 * 3600
LIMITE = "boundary-caida"

CREAR_TOKEN = """
from django.contrib.auth import get_user_model
from cuentas.autenticacion import crear_token_sesion
from cuentas.models import Contribuyente, TipoPersona
u = get_user_model().objects.create_user(username="EKU9003173C9")
Contribuyente.objects.create(usuario=u, rfc="EKU9003173C9", nombre="ESCUELA KEMPER URGATE",
                             tipo=TipoPersona.MORAL)
print(crear_token_sesion(u))
"""
ARCHIVOS_NOMBRADOS = """
import json
from promociones.models import Evidencia
print(json.dumps([e.archivo.name for e in Evidencia.objects.all()]))
"""


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _cuerpo(zip_: bytes) -> bytes:
    partes = []
    for nombre, valor in (
        ("servicio", "aclaracion"),
        ("asunto", "emisiones"),
        ("descripcion", "No se refleja mi pago del periodo 2026-02."),
        ("telefono", "5512345678"),
    ):
        partes.append(
            f'--{LIMITE}\r\nContent-Disposition: form-data; name="{nombre}"\r\n\r\n{valor}\r\n'
        )
    cabecera = (
        f'--{LIMITE}\r\nContent-Disposition: form-data; name="evidencia"; '
        f'filename="evidencia.zip"\r\nContent-Type: application/zip\r\n\r\n'
    )
    return "".join(partes).encode() + cabecera.encode() + zip_ + f"\r\n--{LIMITE}--\r\n".encode()


def _peticion(puerto: int, token: str, cuerpo: bytes) -> bytes:
    return (
        f"POST /api/v1/solicitudes HTTP/1.1\r\nHost: 127.0.0.1:{puerto}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={LIMITE}\r\n"
        f"Content-Length: {len(cuerpo)}\r\nConnection: close\r\n\r\n"
    ).encode()


def _presentar(puerto: int, token: str, zip_: bytes) -> dict[str, object]:
    cuerpo = _cuerpo(zip_)
    with socket.create_connection(("127.0.0.1", puerto), timeout=30) as s:
        s.sendall(_peticion(puerto, token, cuerpo) + cuerpo)
        respuesta = b""
        while trozo := s.recv(65536):
            respuesta += trozo
    cabeceras, _, json_ = respuesta.partition(b"\r\n\r\n")
    assert cabeceras.startswith(b"HTTP/1.1 201"), respuesta[:500]
    return json.loads(json_)


def _archivos(carpeta: Path) -> list[str]:
    return sorted(str(p.relative_to(carpeta)) for p in carpeta.rglob("*") if p.is_file())


def test_after_sigkill_mid_upload_and_between_store_and_commit_nothing_is_left(tmp_path):
    env = entorno_de_servidor(tmp_path, BUZON_ANTIVIRUS="null")
    puerto = int(env["BUZON_PORT"])
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "sello_demo")
    token = _manage(env, "shell", "-c", CREAR_TOKEN).strip().splitlines()[-1]
    archivos, temporales = tmp_path / "archivos", tmp_path / "tmp"

    servidor = iniciar_gunicorn(env, tmp_path)
    try:
        evidencia = zip_bytes(b"Comprobante de pago.\n" * 50)
        filed = _presentar(puerto, token, evidencia)
        assert filed["evidencia"]["sha256"] == hashlib.sha256(evidencia).hexdigest()  # type: ignore[index]
        guardados = _archivos(archivos)

        # 1. Killed mid-upload: 2 MB of a ~9 MB body sent, then SIGKILL to the group.
        grande = os.urandom(9 * 1024 * 1024)
        cuerpo = _cuerpo(grande)
        s = socket.create_connection(("127.0.0.1", puerto), timeout=30)
        s.sendall(_peticion(puerto, token, cuerpo) + cuerpo[: 2 * 1024 * 1024])
        limite = time.monotonic() + 10
        while not list(temporales.glob("*.upload*")):
            assert time.monotonic() < limite, "la subida nunca llegó a un temporal"
            time.sleep(0.05)
        os.killpg(servidor.pid, signal.SIGKILL)
        servidor.wait(timeout=10)
        s.close()
        parciales = list(temporales.glob("*.upload*"))
        assert parciales, "SIGKILL dejó el temporal a medias (lo que la limpieza debe quitar)"
    finally:
        if servidor.poll() is None:
            os.killpg(servidor.pid, signal.SIGKILL)
            servidor.wait(timeout=10)

    # 2. Killed between storing and committing: the stored file exists, no row names it,
    # in this month's folder (where a write goes, and where the servers' sweep looks).
    mes = datetime.now(UTC).strftime("%Y/%m")
    huerfano = archivos / f"evidencias/{mes}/0123456789abcdef0123456789abcdef.zip"
    huerfano.parent.mkdir(parents=True, exist_ok=True)
    huerfano.write_bytes(evidencia)
    # Both died more than an hour before the restart.
    for ruta in [huerfano, *parciales]:
        os.utime(ruta, (HACE_DOS_HORAS, HACE_DOS_HORAS))

    # The restarted server sweeps on its first request, in the background.
    servidor = iniciar_gunicorn(env, tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", puerto), timeout=10) as c:
            c.sendall(b"GET /acceso/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert c.recv(65536).startswith(b"HTTP/1.1 200")
        limite = time.monotonic() + 30
        while huerfano.exists() or list(temporales.glob("*.upload*")):
            assert time.monotonic() < limite, (
                _archivos(tmp_path),
                (tmp_path / "gunicorn.log").read_text()[-3000:],
            )
            time.sleep(0.1)
        # The filed request still downloads, byte for byte.
        with socket.create_connection(("127.0.0.1", puerto), timeout=10) as c:
            c.sendall(
                f"GET /api/v1/solicitudes/{filed['folio']}/evidencia HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            descarga = b""
            while trozo := c.recv(65536):
                descarga += trozo
        assert descarga.startswith(b"HTTP/1.1 200")
        assert descarga.partition(b"\r\n\r\n")[2] == evidencia
    finally:
        os.killpg(servidor.pid, signal.SIGTERM)
        servidor.wait(timeout=15)

    assert _archivos(archivos) == guardados  # no orphan, nothing of ours lost
    nombrados = json.loads(_manage(env, "shell", "-c", ARCHIVOS_NOMBRADOS).splitlines()[-1])
    assert nombrados and all((archivos / n).is_file() for n in nombrados)  # no row without file
    assert list(temporales.glob("*.upload*")) == []
    assert "0 archivos y 0 temporales borrados." in _manage(env, "limpiar_huerfanos")
