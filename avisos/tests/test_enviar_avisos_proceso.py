"""A real ``manage.py enviar_avisos`` killed with SIGKILL in the middle of a batch, right
after the gateway delivered a notice and before the row says so; a second worker then
finishes the outbox. Both processes share one database of their own (a SQLite file in
a fresh BUZON_DATA_DIR, or a fresh database on the PostgreSQL server of DATABASE_URL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
AVISOS = 12
# The 5th call hangs: 4 notices are marked enviado, the 5th is on the phone but its row
# is not, and 7 more are claimed by the killed worker and never started.
COLGAR_EN = 5

PREPARAR = f"""
from datetime import date
from django.contrib.auth import get_user_model
from django.utils import timezone
from cuentas.models import Contribuyente, TipoPersona
from promociones.models import Asunto, Servicio, Solicitud
from avisos.services import encolar_sms
u = get_user_model().objects.create_user(username="PENM800101AB1")
c = Contribuyente.objects.create(
    usuario=u, rfc="PENM800101AB1", nombre="MARÍA PEÑA", tipo=TipoPersona.FISICA
)
asunto = Asunto.objects.get(clave="emisiones")
hoy = date.today()
s = Solicitud.objects.create(
    folio="IMSS-PRUEBA-0001", contribuyente=c, servicio=Servicio.objects.get(clave="aclaracion"),
    asunto=asunto, area=asunto.area, descripcion="Prueba", telefono="5512345678",
    recibida=timezone.now(), computo_desde=hoy, respuesta_a_partir_del=hoy,
)
for i in range({AVISOS}):
    encolar_sms(solicitud=s, evento="respuesta", destino=f"55000000{{i:02d}}", contexto={{}})
"""

ESTADO = """
from avisos.models import Aviso
for a in Aviso.objects.order_by("id"):
    print("aviso", a.clave_idempotencia, a.destino, a.estado, a.intentos)
"""


@pytest.fixture
def base_de_datos(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of the worker processes: their own database and data dir."""
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_", "DATABASE_"))}
    entorno.update(
        BUZON_DATA_DIR=str(tmp_path / "datos"),
        BUZON_AVISOS_EN_PROCESO="0",
        BUZON_SMS_GATEWAY="avisos.tests.pasarela_archivo.PasarelaArchivo",
        DJANGO_SETTINGS_MODULE="avisos.tests.ajustes_subproceso",
        AVISOS_PRUEBA_TELEFONO=str(tmp_path),
        AVISOS_PRUEBA_RESERVA="1",
        AVISOS_PRUEBA_TIEMPO_LIMITE="1",
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield entorno
        return
    import psycopg

    nombre = f"avisos_proceso_{uuid.uuid4().hex[:12]}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    entorno["DATABASE_URL"] = f"{base}/{nombre}"
    try:
        yield entorno
    finally:
        with psycopg.connect(url, autocommit=True) as c:
            c.execute(f'DROP DATABASE "{nombre}" WITH (FORCE)')


def manage(entorno: dict[str, str], *args: str) -> str:
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def avisos(entorno: dict[str, str]) -> list[list[str]]:
    """[clave, destino, estado, intentos] of every notice, read by another process."""
    salida = manage(entorno, "shell", "-c", ESTADO).splitlines()
    return [linea.split()[1:] for linea in salida if linea.startswith("aviso ")]


def lineas(archivo: Path) -> list[list[str]]:
    return [x.split(" ") for x in archivo.read_text().splitlines()] if archivo.exists() else []


def test_a_worker_killed_mid_send_loses_nothing_and_no_phone_gets_an_sms_twice(
    base_de_datos, tmp_path
):
    entorno = base_de_datos
    manage(entorno, "migrate", "--noinput", "-v0")
    manage(entorno, "shell", "-c", PREPARAR)

    registro = (tmp_path / "primero.log").open("w")
    primero = subprocess.Popen(
        [sys.executable, "manage.py", "enviar_avisos"],
        cwd=RAIZ,
        env={**entorno, "AVISOS_PRUEBA_COLGAR_EN": str(COLGAR_EN)},
        stdout=registro,
        stderr=registro,
    )
    try:
        limite = time.monotonic() + 30
        while not (tmp_path / "colgado").exists():
            assert primero.poll() is None, (tmp_path / "primero.log").read_text()
            assert time.monotonic() < limite, "el primer trabajador no llegó al envío colgado"
            time.sleep(0.01)
        primero.send_signal(signal.SIGKILL)
    finally:
        primero.kill()
        primero.wait(timeout=10)
        registro.close()

    antes = {clave: estado for clave, _, estado, _ in avisos(entorno)}
    assert Counter(antes.values()) == {
        "enviado": COLGAR_EN - 1,
        "pendiente": AVISOS - COLGAR_EN + 1,
    }
    # The killed worker's claims (1 s, and 1 s more for the call in flight) lapse.
    time.sleep(2.2)
    manage(entorno, "enviar_avisos", "--una-vez")

    filas = avisos(entorno)
    claves = {clave: destino for clave, destino, _, _ in filas}
    assert {estado for _, _, estado, _ in filas} == {"enviado"}, filas
    telefono = lineas(tmp_path / "telefono.log")
    presentaciones = lineas(tmp_path / "presentaciones.log")
    # Each notice reached the phone exactly once, under its own key and number.
    assert sorted((c, d) for c, d in telefono) == sorted(claves.items())
    # Nothing was presented under a key that is not a notice's (no second key for one
    # notice), and the send cut by the kill was presented again under the same key.
    assert {c for c, _, _ in presentaciones} == set(claves)
    repetidas = [c for c, n in Counter(c for c, _, _ in presentaciones).items() if n > 1]
    assert len(repetidas) == 1
    assert antes[repetidas[0]] == "pendiente"
