"""The production shape on one machine, as separate processes: a database of the test's
own on the suite's PostgreSQL, a bucket on the storage suite's S3 server, gunicorn app
servers behind no shared memory (each its own data dir: static files, temporary
uploads, metrics) and notice workers; and an HTTP client that talks to the servers as
the load balancer in front of them would.

Nothing here reaches into a server: the servers share the database and the bucket, the
secret key and the sealing key (as a deployment mounts them on every machine), and
nothing else.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from buzon.tests.ayudas import (
    CABECERAS_DEL_BALANCEADOR,
    HOST_PUBLICO,
    ROOT,
    detener,
    entorno_de_produccion,
    iniciar_gunicorn_tras_balanceador,
    manage_en,
)
from efirma import emision
from efirma.llaves import firmar

# --- HTTP, as the load balancer passes requests on ---


@dataclass(frozen=True)
class Respuesta:
    status: int
    cabeceras: http.client.HTTPMessage
    cuerpo: bytes

    def json(self) -> Any:
        return json.loads(self.cuerpo)

    @property
    def texto(self) -> str:
        return self.cuerpo.decode("utf-8")

    def cookies(self) -> dict[str, str]:
        """The cookies it sets (name → value); an emptied one maps to ""."""
        galletas = {}
        for linea in self.cabeceras.get_all("Set-Cookie") or []:
            nombre, _, resto = linea.partition("=")
            galletas[nombre.strip()] = resto.split(";", 1)[0].strip().strip('"')
        return galletas


def pedir(
    puerto: int,
    metodo: str,
    ruta: str,
    *,
    cuerpo: bytes | None = None,
    cabeceras: Mapping[str, str] | None = None,
    galletas: Mapping[str, str] | None = None,
    espera: float = 120,
) -> Respuesta:
    """One request on a connection of its own, with the load balancer's headers."""
    todas = {**CABECERAS_DEL_BALANCEADOR, **(cabeceras or {})}
    if galletas:
        todas["Cookie"] = "; ".join(f"{k}={v}" for k, v in galletas.items())
    conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=espera)
    try:
        conexion.request(metodo, ruta, body=cuerpo, headers=todas)
        r = conexion.getresponse()
        return Respuesta(r.status, r.headers, r.read())
    finally:
        conexion.close()


def multipart(
    campos: Mapping[str, str], archivos: Mapping[str, tuple[str, bytes, str]] | None = None
) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body and its Content-Type header."""
    limite = f"limite-{uuid.uuid4().hex}"
    partes = [
        f'--{limite}\r\nContent-Disposition: form-data; name="{nombre}"\r\n\r\n{valor}\r\n'.encode()
        for nombre, valor in campos.items()
    ]
    for nombre, (archivo, datos, tipo) in (archivos or {}).items():
        partes.append(
            f'--{limite}\r\nContent-Disposition: form-data; name="{nombre}"; '
            f'filename="{archivo}"\r\nContent-Type: {tipo}\r\n\r\n'.encode()
            + datos
            + b"\r\n"
        )
    partes.append(f"--{limite}--\r\n".encode())
    return b"".join(partes), {"Content-Type": f"multipart/form-data; boundary={limite}"}


def json_de(datos: Any) -> tuple[bytes, dict[str, str]]:
    return json.dumps(datos).encode(), {"Content-Type": "application/json"}


def con_token(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- an e.firma under a CA every server trusts, and the two ways to sign in with it ---


@dataclass(frozen=True)
class Efirma:
    der: bytes
    llave: rsa.RSAPrivateKey
    rfc: str
    nombre: str

    def datos_de_acceso(self, reto: Mapping[str, str]) -> dict[str, str]:
        return {
            "rfc": self.rfc,
            "certificado": base64.b64encode(self.der).decode(),
            "reto_id": reto["reto_id"],
            "firma": base64.b64encode(firmar(self.llave, reto["reto"].encode())).decode(),
        }


def autoridad_y_efirma(carpeta_confianza: Path) -> Efirma:
    """A CA written where BUZON_EFIRMA_CA_DIR points, and an e.firma it issued."""
    ca = emision.crear_ca("AC de Pruebas de la Forma de Producción")
    carpeta_confianza.mkdir(parents=True, exist_ok=True)
    (carpeta_confianza / "ca.cer").write_bytes(ca.certificado_der)
    rfc, nombre = "PEÑJ800101LM6", "MARÍA JOSÉ PEÑA NÚÑEZ"
    der, llave = emision.emitir_certificado(ca, rfc=rfc, nombre=nombre, curp="PENJ800101MGTXXR05")
    return Efirma(der, llave, rfc, nombre)


def entrar_api(efirma: Efirma, puerto_reto: int, puerto_sesion: int) -> str:
    """``POST /api/v1/sesion/reto`` on one server, the signed challenge to
    ``POST /api/v1/sesion`` on another: the bearer token."""
    reto = pedir(puerto_reto, "POST", "/api/v1/sesion/reto")
    assert reto.status == 201, reto.cuerpo
    cuerpo, cabeceras = json_de(efirma.datos_de_acceso(reto.json()))
    sesion = pedir(puerto_sesion, "POST", "/api/v1/sesion", cuerpo=cuerpo, cabeceras=cabeceras)
    assert sesion.status == 201, sesion.cuerpo
    return str(sesion.json()["token"])


CSRF_EN_PAGINA = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORIGEN = {"Origin": f"https://{HOST_PUBLICO}", "Referer": f"https://{HOST_PUBLICO}/acceso/"}


def token_csrf(pagina: Respuesta) -> str:
    encontrado = CSRF_EN_PAGINA.search(pagina.texto)
    assert encontrado, pagina.texto[:500]
    return encontrado.group(1)


def entrar_navegador(
    efirma: Efirma, puerto_pagina: int, puerto_reto: int, puerto_entrada: int
) -> dict[str, str]:
    """The login page's own steps, each on the server given: the page (its CSRF cookie
    and token), the challenge bound to the browser session (``POST /acceso/reto``), the
    signed challenge (``POST /acceso/``). The browser's cookies after login."""
    pagina = pedir(puerto_pagina, "GET", "/acceso/")
    assert pagina.status == 200, pagina.cuerpo[:300]
    galletas = pagina.cookies()
    csrf = {"X-CSRFToken": token_csrf(pagina), **ORIGEN}
    reto = pedir(puerto_reto, "POST", "/acceso/reto", cabeceras=csrf, galletas=galletas)
    assert reto.status == 201, reto.cuerpo
    galletas |= reto.cookies()
    cuerpo, cabeceras = json_de(efirma.datos_de_acceso(reto.json()))
    entrada = pedir(
        puerto_entrada,
        "POST",
        "/acceso/",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **csrf},
        galletas=galletas,
    )
    assert entrada.status == 200, entrada.cuerpo
    assert entrada.json()["redirigir"] == "/tablero/", entrada.cuerpo
    return galletas | entrada.cookies()


# --- PostgreSQL: databases of the test's own on the suite's server ---


@dataclass
class Postgres:
    """The server DATABASE_URL names; each test makes (and drops) databases of its own."""

    url: str
    creadas: list[str] = field(default_factory=list)

    def _conectar(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def url_de(self, nombre: str) -> str:
        partes = urlsplit(self.url)
        return urlunsplit(partes._replace(path=f"/{nombre}"))

    def base_nueva(self, prefijo: str = "buzon_prod", *, copia_de: str | None = None) -> str:
        """A new database, empty or a copy of the database ``copia_de`` (a URL of this
        server, to which nothing may be connected); its DATABASE_URL."""
        nombre = f"{prefijo}_{uuid.uuid4().hex[:12]}"
        plantilla = f' TEMPLATE "{urlsplit(copia_de).path.lstrip("/")}"' if copia_de else ""
        with self._conectar() as conexion:
            conexion.execute(f'CREATE DATABASE "{nombre}"{plantilla}')
        self.creadas.append(nombre)
        return self.url_de(nombre)

    def borrar(self, url: str) -> None:
        nombre = urlsplit(url).path.lstrip("/")
        with self._conectar() as conexion:
            conexion.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        if nombre in self.creadas:
            self.creadas.remove(nombre)

    def borrar_todas(self) -> None:
        for nombre in list(self.creadas):
            self.borrar(self.url_de(nombre))

    def consultar(
        self, url: str, sql: str, parametros: Iterable[Any] = ()
    ) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conexion:
            return list(conexion.execute(sql, tuple(parametros)).fetchall())

    def version_mayor(self) -> int:
        with self._conectar() as conexion:
            fila = conexion.execute("SHOW server_version_num").fetchone()
        return int(fila[0]) // 10000

    def binario(self, nombre: str) -> Path | None:
        """``pg_dump``/``pg_restore`` of the server's major version or newer (an older one
        refuses the server's dumps): Debian's /usr/lib/postgresql/N/bin, then PATH."""
        mayor = self.version_mayor()
        candidatos = sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{nombre}"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
            reverse=True,
        )
        en_path = shutil.which(nombre)
        for ruta in [*candidatos, *([Path(en_path)] if en_path else [])]:
            salida = subprocess.run(
                [str(ruta), "--version"], capture_output=True, text=True, check=False
            ).stdout
            version = re.search(r"(\d+)(?:\.\d+)?", salida)
            if version and int(version.group(1)) >= mayor:
                return ruta
        return None


# --- CPU time, read from /proc: what each part of the shape spends per request ---

_TICS = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> list[str] | None:
    try:
        texto = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # After the command name (in parentheses, which may hold spaces): state, ppid, pgrp…
    return texto.rsplit(")", 1)[1].split()


def _cpu(campos: list[str]) -> float:
    return (int(campos[11]) + int(campos[12])) / _TICS  # utime + stime


def cpu_de_grupos(pgids: Iterable[int]) -> dict[int, float]:
    """CPU seconds so far of each live process of these process groups (a gunicorn
    master and its workers, the S3 server), by pid."""
    grupos, vistos = set(pgids), {}
    for entrada in Path("/proc").iterdir():
        campos = _stat(entrada.name) if entrada.name.isdigit() else None
        if campos is not None and int(campos[2]) in grupos:
            vistos[int(entrada.name)] = _cpu(campos)
    return vistos


def cpu_de_postgres(base: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to the database of
    ``base`` (a URL), by pid; empty when the server's processes are not visible here."""
    nombre = urlsplit(base).path.lstrip("/")
    vistos = {}
    for entrada in Path("/proc").iterdir():
        if not entrada.name.isdigit():
            continue
        try:
            titulo = (
                (entrada / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        if titulo.startswith("postgres: ") and f" {nombre} " in titulo:
            campos = _stat(entrada.name)
            if campos is not None:
                vistos[int(entrada.name)] = _cpu(campos)
    return vistos


def memoria_de_workers(pgid: int) -> list[float]:
    """Resident memory (MB) of each gunicorn worker of the master ``pgid``."""
    memoria = []
    for entrada in Path("/proc").iterdir():
        campos = _stat(entrada.name) if entrada.name.isdigit() else None
        if campos is None or int(campos[2]) != pgid or int(entrada.name) == pgid:
            continue
        for linea in (entrada / "status").read_text().splitlines():
            if linea.startswith("VmRSS:"):
                memoria.append(int(linea.split()[1]) / 1024)
    return memoria


@dataclass
class Contador:
    """CPU milliseconds per operation of each part of the shape (app servers, S3 server,
    PostgreSQL), sampled five times a second while the operations run: a database
    connection closed on the way (CONN_MAX_AGE) keeps what it spent until its last
    sample, one begun on the way counts from zero."""

    grupos: dict[str, list[int]]  # part → process groups
    base: str

    def _lectura(self) -> dict[str, dict[int, float]]:
        lectura = {parte: cpu_de_grupos(grupos) for parte, grupos in self.grupos.items()}
        lectura["PostgreSQL"] = cpu_de_postgres(self.base)
        return lectura

    def medir(self, operacion: Callable[[], object], cuantas: int) -> dict[str, float]:
        inicio = self._lectura()
        ultimo = {parte: dict(pids) for parte, pids in inicio.items()}
        fin = threading.Event()

        def muestrear() -> None:
            while not fin.wait(0.2):
                for parte, pids in self._lectura().items():
                    ultimo[parte].update(pids)

        hilo = threading.Thread(target=muestrear, daemon=True)
        hilo.start()
        try:
            operacion()
        finally:
            fin.set()
            hilo.join()
        for parte, pids in self._lectura().items():
            ultimo[parte].update(pids)
        gasto = {}
        for parte, pids in ultimo.items():
            if pids:
                segundos = sum(cpu - inicio[parte].get(pid, 0.0) for pid, cpu in pids.items())
                gasto[parte] = round(1000 * segundos / cuantas, 1)
        return gasto


# --- the deployment ---

# Taxpayers and staff made straight in the database (an e.firma login per taxpayer would
# be most of the test's time): the shared personas' own helpers, a session token each.
SEMBRAR = """
import json, os
from datetime import date, timedelta
from django.db import transaction
from cuentas.autenticacion import crear_token_personal, crear_token_sesion
from tests.personas import SUPERVISOR, crear_contribuyente

with transaction.atomic():
    supervisor = SUPERVISOR.crear()
    contribuyentes = []
    for i in range(int(os.environ["PRUEBA_CONTRIBUYENTES"])):
        rfc = "PRO" + (date(1990, 1, 1) + timedelta(days=i)).strftime("%y%m%d") + f"A{i % 10}Z"
        c = crear_contribuyente(rfc, f"PATRÓN DE PRUEBA {i:03d} SA DE CV")
        contribuyentes.append({"rfc": rfc, "token": crear_token_sesion(c.usuario)})
print(json.dumps({"personal": crear_token_personal(supervisor), "contribuyentes": contribuyentes}))
"""


@dataclass
class Servidor:
    nombre: str
    datos: Path
    env: dict[str, str]
    proceso: subprocess.Popen[bytes]

    @property
    def puerto(self) -> int:
        return int(self.env["BUZON_PORT"])

    def registro(self) -> str:
        return (self.datos / "gunicorn.log").read_text(errors="replace")


@dataclass
class Trabajador:
    datos: Path
    proceso: subprocess.Popen[bytes]

    def enviados(self) -> list[dict[str, Any]]:
        """The console gateway's lines (avisos.pasarelas: one JSON line per message)."""
        archivo = self.datos / "avisos" / "enviados.jsonl"
        if not archivo.exists():
            return []
        return [json.loads(linea) for linea in archivo.read_text().splitlines() if linea]

    def registro(self) -> str:
        return (self.datos / "trabajador.log").read_text(errors="replace")


@dataclass
class Despliegue:
    """One database, one bucket, the environment every process shares, and the processes."""

    base: str
    bucket: str
    comun: dict[str, str]
    raiz: Path
    # Static files collected once, as an image build does, and copied to each server.
    estaticos: Path
    servidores: list[Servidor] = field(default_factory=list)
    trabajadores: list[Trabajador] = field(default_factory=list)

    def entorno(self, datos: Path, *, trabajadores: int = 1, **extra: str) -> dict[str, str]:
        datos.mkdir(parents=True, exist_ok=True)
        return entorno_de_produccion(
            datos, database_url=self.base, trabajadores=trabajadores, **self.comun, **extra
        )

    def manage(self, *args: str, **extra: str) -> str:
        """A one-off ``manage.py`` (a release step, an operator's shell) on the deployment."""
        return manage_en({**self.entorno(self.raiz / "operador"), **extra}, *args).stdout

    def iniciar_servidor(self, nombre: str, *, trabajadores: int) -> Servidor:
        """An app server as a machine of the fleet runs one: the collected static files in
        its own data dir, then gunicorn, in service once /salud/lista says ready."""
        datos = self.raiz / nombre
        env = self.entorno(datos, trabajadores=trabajadores)
        shutil.copytree(self.estaticos, datos / "static", dirs_exist_ok=True)
        servidor = Servidor(nombre, datos, env, iniciar_gunicorn_tras_balanceador(env, datos))
        self.servidores.append(servidor)
        return servidor

    def iniciar_trabajador(self, nombre: str, *, pausa: float = 0.5) -> Trabajador:
        """``manage.py enviar_avisos``, the notice worker, with the console gateway
        writing into its own data dir."""
        datos = self.raiz / nombre
        env = self.entorno(datos)
        registro = (datos / "trabajador.log").open("ab")
        proceso = subprocess.Popen(
            [sys.executable, "manage.py", "enviar_avisos", "--pausa", str(pausa)],
            cwd=ROOT,
            env=env,
            stdout=registro,
            stderr=registro,
            start_new_session=True,
        )
        registro.close()
        trabajador = Trabajador(datos, proceso)
        self.trabajadores.append(trabajador)
        return trabajador

    def sembrar(self, contribuyentes: int) -> dict[str, Any]:
        salida = self.manage("shell", "-c", SEMBRAR, PRUEBA_CONTRIBUYENTES=str(contribuyentes))
        return dict(json.loads(salida.strip().splitlines()[-1]))

    def detener(self) -> None:
        """Every process at once (each stops gracefully in parallel), then waits for each."""
        procesos = [*(s.proceso for s in self.servidores), *(t.proceso for t in self.trabajadores)]
        for proceso in procesos:
            if proceso.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proceso.pid, signal.SIGTERM)
        for proceso in procesos:
            detener(proceso)


def entorno_comun(
    *, s3: Mapping[str, str], sello: Path, confianza: Path, **extra: str
) -> dict[str, str]:
    """What every process of a deployment is given besides the database: the bucket, the
    sealing key and certificate (the test run's pair, with its sello.password beside the
    key), the CAs trusted for e.firma, and notices left to the workers."""
    return {
        **s3,
        "BUZON_SELLO_CERT": str(sello / "sello.cer"),
        "BUZON_SELLO_KEY": str(sello / "sello.key"),
        "BUZON_SELLO_CERTS_ANTERIORES_DIR": str(sello / "anteriores"),
        "BUZON_EFIRMA_CA_DIR": str(confianza),
        "BUZON_AVISOS_EN_PROCESO": "0",
        "BUZON_ANTIVIRUS": "null",
        **extra,
    }


def errores_en(registro: str) -> list[str]:
    """The lines of a process's log that tell of an error: JSON lines (operacion.registro)
    at ERROR or worse or of a 5xx answer, and gunicorn's own error lines."""
    malas = []
    for linea in registro.splitlines():
        try:
            datos = json.loads(linea)
        except ValueError:
            if "[ERROR]" in linea or "[CRITICAL]" in linea or "Traceback" in linea:
                malas.append(linea)
            continue
        status = datos.get("status")
        if datos.get("level") in ("ERROR", "CRITICAL") or (
            isinstance(status, int) and status >= 500
        ):
            malas.append(linea)
    return malas
