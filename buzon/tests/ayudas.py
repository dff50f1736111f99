"""Running manage.py and the production server as separate processes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage_en_produccion(
    datos: Path, *args: str, **entorno: str
) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` with BUZON_PRODUCTION=1, a real-looking secret key and host, and
    ``datos`` as the data dir; ``entorno`` adds or overrides variables. Fails the test
    with its output if the command fails."""
    env = {
        **os.environ,
        "BUZON_PRODUCTION": "1",
        "BUZON_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-test-" + "y" * 20,
        "BUZON_ALLOWED_HOSTS": "buzon.example.mx",
        "BUZON_PUBLIC_BASE_URL": "https://buzon.example.mx",
        "BUZON_DATA_DIR": str(datos),
        **entorno,
    }
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r


# --- the production server, as separate processes, for tests that need real sockets ---


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def entorno_de_servidor(datos: Path, *, trabajadores: int = 1, **extra: str) -> dict[str, str]:
    """The environment of a server with its own data dir, SQLite file and free port."""
    env = {
        **os.environ,
        "BUZON_DATA_DIR": str(datos),
        "BUZON_PORT": str(puerto_libre()),
        "BUZON_WORKERS": str(trabajadores),
        "DJANGO_SETTINGS_MODULE": "buzon.settings",
        **extra,
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, not the suite's database
    return env


def iniciar_gunicorn(env: dict[str, str], datos: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the project's configuration, in a process group of its own (master
    and workers die together), once a worker answers a page: right after a SIGKILL of
    a previous server the port can accept a connection and then reset it."""
    registro = (datos / "gunicorn.log").open("a")
    proceso = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "buzon.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=registro,
        stderr=registro,
        start_new_session=True,
    )
    limite = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", int(env["BUZON_PORT"])), timeout=5) as c:
                c.sendall(b"GET /acceso/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if c.recv(65536).startswith(b"HTTP/1.1 200"):
                    return proceso
        except OSError:
            pass
        assert proceso.poll() is None, (datos / "gunicorn.log").read_text()
        assert time.monotonic() < limite, "gunicorn no respondió en 30 s"
        time.sleep(0.2)
