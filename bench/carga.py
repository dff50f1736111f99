"""What the load benches share: gunicorn on loopback, ``wrk`` that checks every answer,
and where PostgreSQL is.

- :class:`Gunicorn` starts the product's server (``gunicorn.conf.py``; workers, port and
  environment given) on 127.0.0.1, waits until it answers and stops it with SIGTERM.
- :func:`wrk` loads one route and checks every response's status and body in Lua (a
  text it must contain, and optionally its exact length); one bad answer is an error,
  not a slower figure. It can send a body (a filing) and rotate a header per request (a
  token per taxpayer).
- :func:`pg_motivo` says why PostgreSQL cannot be used (or nothing when it can);
  :func:`base_pg` makes a fresh database, empty or a copy of another.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.objetivos import carga_actual

RAIZ = Path(__file__).resolve().parent.parent
SALIDA = RAIZ / "bench" / "out"
# The bench's PostgreSQL (bench/README): this server, or BUZON_BENCH_PG_URL.
PG_SERVIDOR = "postgres://postgres@127.0.0.1:54329"


def pg_url(base: str) -> str:
    """The URL of database ``base`` on the bench's server (BUZON_BENCH_PG_URL's, if set)."""
    configurada = os.environ.get("BUZON_BENCH_PG_URL")
    if configurada:
        return urlsplit(configurada)._replace(path=f"/{base}").geturl()
    return f"{PG_SERVIDOR}/{base}"


def pg_motivo(url: str) -> str:
    """Why the PostgreSQL of ``url`` cannot be used, or "" when it answers."""
    try:
        import psycopg
    except ImportError:
        return "psycopg no está instalado"
    mantenimiento = urlsplit(url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(mantenimiento, connect_timeout=3) as conexion:
            conexion.execute("SELECT 1")
    except psycopg.Error as exc:
        partes = urlsplit(url)
        primera = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"no hay PostgreSQL en {partes.hostname}:{partes.port} ({primera})"
    return ""


def base_pg(url: str, *, plantilla: str | None = None) -> None:
    """Drops the database of ``url`` if it exists and makes it again: empty, or a copy of
    database ``plantilla`` (which must have no other connections)."""
    import psycopg
    from psycopg import sql

    partes = urlsplit(url)
    nombre = partes.path.lstrip("/")
    mantenimiento = partes._replace(path="/postgres").geturl()
    with psycopg.connect(mantenimiento, autocommit=True) as conexion:
        conexion.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nombre))
        )
        crear = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nombre))
        if plantilla:
            crear = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(nombre), sql.Identifier(plantilla)
            )
        conexion.execute(crear)


def preparar_base(carpeta: Path, motor: str, pg_url: str, *, reseed: bool) -> None:
    """A bench database ready to migrate: SQLite's file in ``carpeta`` (removed first to
    reseed), or ``pg_url``'s database, created when missing (dropped first to reseed)."""
    carpeta.mkdir(parents=True, exist_ok=True)
    if motor == "sqlite":
        if reseed:
            for sufijo in ("", "-wal", "-shm"):
                (carpeta / f"buzon.sqlite3{sufijo}").unlink(missing_ok=True)
        return
    import psycopg

    nombre = urlsplit(pg_url).path.lstrip("/")
    with psycopg.connect(urlsplit(pg_url)._replace(path="/postgres").geturl()) as conexion:
        existe = conexion.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [nombre]
        ).fetchone()
    if reseed or not existe:
        base_pg(pg_url)


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pedir(
    puerto: int,
    ruta: str,
    *,
    metodo: str = "GET",
    cabeceras: Mapping[str, str] | None = None,
    cuerpo: Any = None,
    tiempo: float = 60,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One request on a new connection: status, body and headers. ``cuerpo`` may be bytes
    or an open file (sent in 1 MB blocks; give Content-Length in ``cabeceras``)."""
    conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=tiempo, blocksize=1 << 20)
    try:
        conexion.request(metodo, ruta, body=cuerpo, headers=dict(cabeceras or {}))
        respuesta = conexion.getresponse()
        return respuesta.status, respuesta.read(), respuesta.headers
    finally:
        conexion.close()


def detener(proceso: subprocess.Popen[Any], *, espera: float = 20) -> None:
    """Stops a child as a process manager would: SIGTERM (gunicorn and the workers
    finish what they were doing), then SIGKILL after ``espera`` seconds."""
    if proceso.poll() is not None:
        return
    proceso.send_signal(signal.SIGTERM)
    try:
        proceso.wait(timeout=espera)
    except subprocess.TimeoutExpired:
        proceso.kill()
        proceso.wait()


class Gunicorn:
    """The product's gunicorn (``gunicorn.conf.py``) on 127.0.0.1 with ``entorno``.

    ``workers`` None keeps the config's own count (BUZON_WORKERS, else 2 × cores + 1).
    Its workers are ``sync`` ones, one request at a time each, as the issue's figures
    were measured (before this stop gunicorn quietly ran them as the config's gthread of
    4 threads); :meth:`clase` says which class ran.
    Everything it writes goes to ``registro``.
    """

    def __init__(
        self,
        entorno: Mapping[str, str],
        registro: Path,
        *,
        workers: int | None = 2,
        listo: str = "/salud",
        espera: float = 90,
    ) -> None:
        self.entorno = dict(entorno)
        self.registro = registro
        self.workers_pedidos = workers
        self.listo = listo
        self.espera = espera
        self.puerto = puerto_libre()
        self.proceso: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        orden = [
            sys.executable, "-m", "gunicorn", "buzon.wsgi:application",
            "--bind", f"127.0.0.1:{self.puerto}",
            # sync workers, as the figures were measured; gunicorn runs sync with
            # the config's 4 threads as gthread, hence the threads too.
            "--worker-class", "sync", "--threads", "1",
            "--graceful-timeout", "20",
            # gunicorn 27's control socket has one default path: two servers (or another
            # bench's) would take it from each other. The bench never uses it.
            "--no-control-socket",
        ]  # fmt: skip
        if self.workers_pedidos is not None:
            orden += ["--workers", str(self.workers_pedidos)]
        self.registro.parent.mkdir(parents=True, exist_ok=True)
        with self.registro.open("wb") as salida:
            self.proceso = subprocess.Popen(
                orden, cwd=RAIZ, env=self.entorno, stdout=salida, stderr=subprocess.STDOUT
            )
        limite = time.monotonic() + self.espera
        while time.monotonic() < limite:
            if self.proceso.poll() is not None:
                break
            try:
                # Ready once it answers and every worker asked for is forked: one worker
                # answers before the others exist, and a figure taken over workers()
                # would then miss them.
                if pedir(self.puerto, self.listo, tiempo=5)[0] == 200 and (
                    self.workers_pedidos is None or len(self.workers()) >= self.workers_pedidos
                ):
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn no respondió en {self.espera:.0f} s (ver {self.registro})")

    def __exit__(self, *exc: object) -> None:
        if self.proceso is not None:
            detener(self.proceso, espera=40)

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        assert self.proceso is not None
        hijos = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                campos = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(campos[1]) == self.proceso.pid:
                hijos.append(int(stat.parent.name))
        return sorted(hijos)

    def clase(self) -> str:
        """The worker class gunicorn says it runs ("gthread", "sync")."""
        m = re.search(r"Using worker: (\S+)", self.texto_registro())
        return m.group(1) if m else "?"

    def texto_registro(self) -> str:
        return self.registro.read_text(encoding="utf-8", errors="replace")


def memoria_kb(pid: int, campo: str) -> int:
    """``VmRSS``, ``VmHWM``… of a process, in KB."""
    for linea in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linea.startswith(campo + ":"):
            return int(linea.split()[1])
    raise RuntimeError(f"{campo} no está en /proc/{pid}/status")


def tics_cpu(pid: int) -> int:
    """User plus system CPU time of a process so far, in clock ticks (10 ms)."""
    campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(campos[11]) + int(campos[12])


def tics_maquina() -> tuple[int, int]:
    """CPU time of the whole machine so far, in clock ticks: (busy, total). Busy is all
    but idle and I/O wait."""
    campos = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(campos[:8])  # guest times are already inside user and nice
    return total - campos[3] - campos[4], total


def reiniciar_pico(pid: int) -> None:
    # "5" resets the peak resident set (VmHWM) to the current one (Linux >= 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


LUA = """
local hilos = {}
function setup(thread) table.insert(hilos, thread) end
function init(args)
  buenas = 0; malas = 0; muestra = ""
  estado = tonumber(args[1]); marca = args[2]; largo = tonumber(args[3])
  if args[4] ~= "" then
    local f = assert(io.open(args[4], "rb")); wrk.body = f:read("*all"); f:close()
    wrk.method = "POST"
  end
  cabecera = args[5]; valores = {}
  for i = 6, #args do table.insert(valores, args[i]) end
  n = 0
end
function response(status, headers, body)
  if status == estado and string.find(body, marca, 1, true) and (largo == 0 or #body == largo) then
    buenas = buenas + 1
  else
    malas = malas + 1
    if muestra == "" then muestra = status .. " " .. string.sub(body, 1, 300):gsub("%s+", " ") end
  end
end
function done(summary, latency, requests)
  local b, m, s = 0, 0, ""
  for _, t in ipairs(hilos) do
    b = b + t:get("buenas"); m = m + t:get("malas")
    if s == "" then s = t:get("muestra") end
  end
  io.write(string.format("RESPUESTAS_BUENAS %d\\nRESPUESTAS_MALAS %d\\n", b, m))
  io.write(string.format("LATENCIA_P50_MS %.2f\\n", latency:percentile(50) / 1000))
  io.write(string.format("LATENCIA_P99_MS %.2f\\n", latency:percentile(99) / 1000))
  if s ~= "" then io.write("MUESTRA " .. s .. "\\n") end
end
"""
# Only when a header changes per request: wrk then builds each request in Lua.
LUA_ROTAR = """
function request()
  n = n + 1
  wrk.headers[cabecera] = valores[(n % #valores) + 1]
  return wrk.format()
end
"""


@dataclass(frozen=True)
class Resultado:
    rps: float
    buenas: int
    malas: int
    p50_ms: float
    p99_ms: float
    carga: str  # load average when the load ended


def wrk(
    puerto: int,
    ruta: str,
    *,
    marca: str,
    conexiones: int,
    segundos: float,
    hilos: int = 2,
    estado: int = 200,
    largo: int = 0,
    cabeceras: Mapping[str, str] | None = None,
    cuerpo: Path | None = None,
    rotar: tuple[str, list[str]] | None = None,
) -> Resultado:
    """Loads ``ruta`` for ``segundos``; every answer must be ``estado`` and contain
    ``marca`` (and be ``largo`` bytes, when given). Raises RuntimeError on any other
    answer, a timeout or a socket error; returns the rate of good answers."""
    if not shutil.which("wrk"):
        raise RuntimeError("falta wrk (apt-get install wrk)")
    cabecera, valores = rotar or ("", [])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as guion:
        guion.write(LUA + (LUA_ROTAR if rotar else ""))
    try:
        orden = [
            "wrk", "-t", str(min(hilos, conexiones)), "-c", str(conexiones),
            "-d", f"{max(1, round(segundos))}s", "--timeout", "30s", "-s", guion.name,
        ]  # fmt: skip
        for k, v in (cabeceras or {}).items():
            orden += ["-H", f"{k}: {v}"]
        orden += [f"http://127.0.0.1:{puerto}{ruta}", "--", str(estado), marca, str(largo)]
        orden += [str(cuerpo) if cuerpo else "", cabecera, *valores]
        salida = subprocess.run(
            orden, capture_output=True, text=True, timeout=segundos + 90, check=True
        ).stdout
    finally:
        os.unlink(guion.name)
    cifras = {
        clave: float(m.group(1))
        for clave in ("RESPUESTAS_BUENAS", "RESPUESTAS_MALAS", "LATENCIA_P50_MS", "LATENCIA_P99_MS")
        if (m := re.search(rf"{clave} ([\d.]+)", salida))
    }
    errores = re.search(r"Socket errors: (.*)", salida)
    segundos_reales = re.search(r"requests in ([\d.]+)(us|ms|s|m|h),", salida)
    if (
        len(cifras) != 4
        or cifras["RESPUESTAS_MALAS"]
        or not cifras["RESPUESTAS_BUENAS"]
        or errores
        or not segundos_reales
    ):
        raise RuntimeError(f"wrk vio respuestas malas o errores en {ruta}:\n{salida}")
    unidad = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}[segundos_reales.group(2)]
    duracion = float(segundos_reales.group(1)) * unidad
    return Resultado(
        rps=cifras["RESPUESTAS_BUENAS"] / duracion,
        buenas=int(cifras["RESPUESTAS_BUENAS"]),
        malas=0,
        p50_ms=cifras["LATENCIA_P50_MS"],
        p99_ms=cifras["LATENCIA_P99_MS"],
        carga=carga_actual(),
    )


# ---------------------------------------------------------------- the seeded database


def datos_sembrados(motor: str) -> Path:
    """The data dir of ``bench tablero``'s database of 1,000,000 requests."""
    return SALIDA / motor


def url_sembrada() -> str:
    """The PostgreSQL database of ``bench tablero``'s 1,000,000 requests."""
    from bench.bench_tablero import PG_URL

    return os.environ.get("BUZON_BENCH_PG_URL", PG_URL)


def asegurar_siembra(motor: str) -> None:
    """Makes sure ``bench tablero``'s database exists, migrated and seeded (1,000,000
    requests; minutes the first time, reused after): the benches that measure "under
    the same conditions" use it or a copy of it."""
    from argparse import Namespace

    from bench.bench_tablero import _entorno

    opciones = Namespace(reseed=False, pg_url=url_sembrada(), ajustes="bench.settings_bench")
    preparar_base(SALIDA / motor, motor, opciones.pg_url, reseed=False)
    subprocess.run(
        [sys.executable, "-m", "bench.carga", "sembrar"],
        env=_entorno(motor, opciones),
        cwd=RAIZ,
        check=True,
        timeout=3 * 3600,
    )


def _sembrar_aqui() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.sembrar import sembrar

    call_command("migrate", verbosity=0, interactive=False)
    siembra = sembrar()
    print(
        f"Base sembrada {'reutilizada' if siembra.reutilizada else 'nueva'}: "
        f"{siembra.solicitudes:,} solicitudes.",
        flush=True,
    )


if __name__ == "__main__" and sys.argv[1:] == ["sembrar"]:
    _sembrar_aqui()
