"""Running manage.py and the production server as separate processes."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# What production settings need, as a deployment sets it: a real-looking secret key (the
# same on every server, or their sessions and CSRF tokens would not be each other's), the
# public host and the https address acuses print.
HOST_PUBLICO = "buzon.example.mx"
PRODUCCION = {
    "BUZON_PRODUCTION": "1",
    "BUZON_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-test-" + "y" * 20,
    "BUZON_ALLOWED_HOSTS": HOST_PUBLICO,
    "BUZON_PUBLIC_BASE_URL": f"https://{HOST_PUBLICO}",
}


def manage_en_produccion(
    datos: Path, *args: str, **entorno: str
) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` with BUZON_PRODUCTION=1, a real-looking secret key and host, and
    ``datos`` as the data dir; ``entorno`` adds or overrides variables. Fails the test
    with its output if the command fails."""
    env = {**os.environ, **PRODUCCION, "BUZON_DATA_DIR": str(datos), **entorno}
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
    sonda = b"GET /acceso/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    return _gunicorn_listo(env, datos, sonda)


def _gunicorn_listo(env: dict[str, str], datos: Path, sonda: bytes) -> subprocess.Popen[bytes]:
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
                c.sendall(sonda)
                if c.recv(65536).startswith(b"HTTP/1.1 200"):
                    return proceso
        except OSError:
            pass
        assert proceso.poll() is None, (datos / "gunicorn.log").read_text()
        assert time.monotonic() < limite, "gunicorn no respondió en 30 s"
        time.sleep(0.2)


# --- the production shape: servers behind a load balancer, on PostgreSQL and S3 ---

# What the load balancer in front adds to every request it passes on: the public host
# and the scheme it terminated (production settings trust X-Forwarded-Proto).
CABECERAS_DEL_BALANCEADOR = {"Host": HOST_PUBLICO, "X-Forwarded-Proto": "https"}


def entorno_de_produccion(
    datos: Path, *, database_url: str, trabajadores: int = 1, **extra: str
) -> dict[str, str]:
    """A production server's environment (``PRODUCCION``) with its own data dir and free
    port, on the database ``database_url`` (a database of the test's own, never the
    suite's); ``extra`` adds the bucket, the sealing key and the like."""
    return {
        **os.environ,
        **PRODUCCION,
        "BUZON_DATA_DIR": str(datos),
        "BUZON_PORT": str(puerto_libre()),
        "BUZON_WORKERS": str(trabajadores),
        "DJANGO_SETTINGS_MODULE": "buzon.settings",
        "DATABASE_URL": database_url,
        # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn): two
        # servers on one machine would share it.
        "GUNICORN_CMD_ARGS": f"--control-socket {datos / 'gunicorn.ctl'}",
        **extra,
    }


def manage_en(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` with exactly the environment ``env`` (a server's); fails the
    test with its output if the command fails."""
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


def iniciar_gunicorn_tras_balanceador(env: dict[str, str], datos: Path) -> subprocess.Popen[bytes]:
    """gunicorn as :func:`iniciar_gunicorn` starts it, ready once ``/salud/lista`` answers
    200 to a request as the load balancer passes it on: the database answers, the
    storage takes a write and every migration is applied."""
    cabeceras = "".join(f"{k}: {v}\r\n" for k, v in CABECERAS_DEL_BALANCEADOR.items())
    sonda = f"GET /salud/lista HTTP/1.1\r\n{cabeceras}Connection: close\r\n\r\n".encode()
    return _gunicorn_listo(env, datos, sonda)


def detener(proceso: subprocess.Popen[bytes], espera: float = 15) -> None:
    """Stops a process started in a group of its own (a gunicorn master and its workers,
    a notice worker): SIGTERM to the group, SIGKILL if it is still there after ``espera``."""
    if proceso.poll() is not None:
        return
    try:
        os.killpg(proceso.pid, signal.SIGTERM)
        proceso.wait(timeout=espera)
    except subprocess.TimeoutExpired:
        os.killpg(proceso.pid, signal.SIGKILL)
        proceso.wait(timeout=espera)
    except ProcessLookupError:
        pass
