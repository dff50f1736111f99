"""The production server command, ``gunicorn buzon.wsgi`` from the project root, serves
pages with the project's gunicorn.conf.py (preloaded app, frozen collector, workers
that close the master's database connections)."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from buzon.tests.ayudas import puerto_libre

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_sirve_con_la_configuracion_del_proyecto(tmp_path):
    puerto = puerto_libre()
    env = {
        **os.environ,
        "BUZON_DATA_DIR": str(tmp_path),
        "BUZON_PORT": str(puerto),
        "BUZON_WORKERS": "2",
        "DJANGO_SETTINGS_MODULE": "buzon.settings",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, not the suite's database
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    registro = (tmp_path / "gunicorn.log").open("w")
    servidor = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "buzon.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=registro,
        stderr=registro,
    )
    try:
        limite = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{puerto}/acceso/", timeout=5) as r:
                    cuerpo = r.read().decode()
                    cabeceras = r.headers
                break
            except OSError:
                assert servidor.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < limite, "gunicorn no respondió en 30 s"
                time.sleep(0.2)
        assert "Validar" in cuerpo and "Contraseña de la llave privada" in cuerpo
        assert "Content-Security-Policy" in cabeceras
    finally:
        servidor.terminate()
        servidor.wait(timeout=15)
        registro.close()
    log = (tmp_path / "gunicorn.log").read_text()
    assert log.count("Booting worker") == 2, log


def _configuracion(**entorno: str) -> dict[str, str]:
    """What gunicorn would run with the project's gunicorn.conf.py and ``entorno``, as
    gunicorn itself prints it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUZON_")}
    env.update(entorno, DJANGO_SETTINGS_MODULE="buzon.settings")
    salida = subprocess.run(
        [sys.executable, "-m", "gunicorn", "buzon.wsgi", "--print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    valores = {}
    for linea in salida.splitlines():
        clave, _, valor = linea.partition("=")
        valores[clave.strip()] = valor.strip()
    return valores


def test_la_clase_de_worker_pedida_es_la_que_corre():
    # gunicorn runs a `sync` worker with more than one thread as gthread: asking for
    # sync must also bring one thread, or the request is silently ignored.
    por_omision = _configuracion()
    assert (por_omision["worker_class"], por_omision["threads"]) == ("gthread", "4")
    sync = _configuracion(BUZON_WORKER_CLASS="sync")
    assert (sync["worker_class"], sync["threads"]) == ("sync", "1")
    hilos = _configuracion(BUZON_HILOS="8")
    assert (hilos["worker_class"], hilos["threads"]) == ("gthread", "8")
