"""Supervisor page benchmark: 1,000,000 requests over 8 areas, SQLite and PostgreSQL.

``.venv/bin/python -m bench supervision [--motores sqlite,postgres] [--reseed] ...``

For each database the parent process starts one child with that database's
environment, and the child:

1. migrates and seeds its own bench database (``bench/out/supervision/<motor>``, or the
   PostgreSQL database ``buzon_bench_supervision``) as the queue's benchmark seeds its
   own (``bench.bench_cola.sembrar_cola``, built on ``bench.sembrar``): the catalogue's
   4 areas plus 4 synthetic ones, 1,000,000 requests since 2025-01-01, old ones almost
   all answered, and a supervisor of all 8 areas; or reuses it;
2. measures in process, through Django's test client with a real staff session (second
   factor passed, as the staff sign-in leaves it) and a real personal token, the median
   server time and the query count of the supervisor page for each area
   (``?area=<clave>``), for all 8 areas together, and of the API for all areas; before
   timing, each page's open and overdue counts are checked against a plain ORM count;
3. with ``--indices ambos`` (default) measures with the indexes the migrations made
   (``actuales``), then drops the two that migration 0014 added for this page and puts
   back the one it replaced (``sin_0014``), measures again, and restores them, so both
   figures come from the same run and the database is left as the migrations made it;
4. starts gunicorn on loopback and times the all-areas page from outside, one request
   at a time (latency as a browser on the same machine sees it).

Target (issue 10): the supervisor page under 200 ms of server time. PostgreSQL: the URL
from ``--pg-url``, ``BUZON_BENCH_PG_URL`` or ``DATABASE_URL``; without one, a local
server is started (``initdb`` in a temporary directory, as the ``postgres`` user when
run as root, port 54360) and removed at the end. Everything is bounded in time and
listens on 127.0.0.1 only. Results go to ``bench/out/supervision-<motor>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench import objetivos
from bench.bench_cola import SUPERVISORA, sembrar_cola
from bench.bench_tablero import _cronometro_bd, _planes, _puerto_libre
from bench.carga import detener, preparar_base

RAIZ = Path(__file__).resolve().parent.parent
SALIDA = RAIZ / "bench" / "out"
DATOS = SALIDA / "supervision"
MOTORES = ("sqlite", "postgres")
META_MS = 200.0
# ``python -m bench --rapido``: SQLite only, in a database of its own with 20,000 requests
# (seeded once), few samples, no gunicorn.
RAPIDO = [
    "--motores", "sqlite", "--datos", str(SALIDA / "supervision-rapido"), "--total", "20000",
    "--otros", "500", "--iteraciones", "3", "--calentamiento", "1", "--sin-gunicorn",
]  # fmt: skip
PUERTO_PG_LOCAL = 54360
NOMBRE_PG = "buzon_bench_supervision"
RUTA = "/atencion/supervision/"
RUTA_API = "/api/v1/atencion/indicadores"


def de_0014() -> tuple[list[Any], list[Any]]:
    """(added, replaced): the indexes migration 0014 added on ``promociones_solicitud``
    for this page, and the one it replaced; the bench measures with and without them."""
    from django.db import models

    from promociones.models import Solicitud

    por_nombre = {i.name: i for i in Solicitud._meta.indexes}
    anadidos = [por_nombre["sol_recibida_area"], por_nombre["sol_area_respondidas"]]
    return anadidos, [models.Index(fields=["recibida"], name="sol_recibida")]


# ---------------------------------------------------------------- parent process


def _argumentos(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench supervision",
        description="Mide la página de supervisión con 1,000,000 de solicitudes en 8 áreas.",
    )
    p.add_argument("--motores", default=",".join(MOTORES), help="sqlite,postgres")
    p.add_argument("--datos", type=Path, default=DATOS, help="carpeta de las bases (una por motor)")
    p.add_argument("--reseed", action="store_true", help="borra y vuelve a sembrar la base")
    p.add_argument("--total", type=int, default=1_000_000, help="solicitudes en total")
    p.add_argument("--otros", type=int, default=20_000, help="contribuyentes")
    p.add_argument("--iteraciones", type=int, default=25, help="peticiones medidas")
    p.add_argument("--calentamiento", type=int, default=3)
    p.add_argument(
        "--presupuesto", type=float, default=30.0, help="segundos por escenario (mínimo 3 medidas)"
    )
    p.add_argument("--indices", choices=("actuales", "sin_0014", "ambos"), default="ambos")
    p.add_argument("--sin-gunicorn", action="store_true", help="omite la medición externa")
    p.add_argument("--planes", action="store_true", help="EXPLAIN de cada consulta")
    p.add_argument(
        "--pg-url",
        default=os.environ.get("BUZON_BENCH_PG_URL") or os.environ.get("DATABASE_URL") or "",
        help="PostgreSQL; sin él se inicia uno local temporal",
    )
    p.add_argument(
        "--pg-datos",
        type=Path,
        default=None,
        help="carpeta donde guardar el PostgreSQL local entre corridas (si no, uno temporal)",
    )
    p.add_argument("--hijo", choices=MOTORES, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _entorno(motor: str, pg_url: str, datos: Path) -> dict[str, str]:
    entorno = dict(os.environ)
    entorno.pop("DATABASE_URL", None)
    entorno["BUZON_DATA_DIR"] = str(datos / motor)
    entorno["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    entorno["BUZON_LOG_LEVEL"] = "WARNING"
    entorno.pop("BUZON_DEBUG", None)
    # The figures computed on every request: the target holds for a page made afresh
    # (after any change in her areas), not only for one remembered (atencion.memoria).
    entorno["BUZON_COLA_PAGINAS"] = "0"
    entorno["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(RAIZ), entorno.get("PYTHONPATH", "")) if p
    )
    if motor == "postgres":
        entorno["DATABASE_URL"] = pg_url
    return entorno


@contextmanager
def postgres_local(conservar: Path | None = None) -> Iterator[str]:
    """A PostgreSQL of its own on 127.0.0.1:54360: in a temporary directory removed at
    the end, or in ``conservar`` (made on first use and kept, so the 1,000,000 seeded
    requests are reused by the next run). Stopped at the end either way."""
    binarios = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not binarios:
        raise RuntimeError("No hay PostgreSQL instalado (/usr/lib/postgresql/*/bin).")
    bin_pg = binarios[-1]
    if conservar is not None:
        conservar = conservar.resolve()
        conservar.mkdir(parents=True, exist_ok=True)
    carpeta = conservar or Path(tempfile.mkdtemp(prefix="bench-supervision-pg-"))
    como: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(carpeta, "postgres", "postgres")
        como = ["runuser", "-u", "postgres", "--"]
    datos = carpeta / "datos"
    registro = carpeta / "registro.log"
    try:
        if not (datos / "PG_VERSION").exists():
            subprocess.run(
                [*como, str(bin_pg / "initdb"), "-D", str(datos), "-U", "postgres", "-A", "trust"],
                check=True,
                capture_output=True,
                timeout=120,
            )
        opciones = f"-p {PUERTO_PG_LOCAL} -c listen_addresses=127.0.0.1 -k {carpeta}"
        subprocess.run(
            [*como, str(bin_pg / "pg_ctl"), "-D", str(datos), "-o", opciones, "-l",
             str(registro), "-w", "start"],
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        try:
            yield f"postgres://postgres@127.0.0.1:{PUERTO_PG_LOCAL}/{NOMBRE_PG}"
        finally:
            subprocess.run(
                [*como, str(bin_pg / "pg_ctl"), "-D", str(datos), "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=120,
                check=False,
            )
    finally:
        if conservar is None:
            shutil.rmtree(carpeta, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = _argumentos(argv)
    if args.hijo:
        return _hijo(args)
    motores = [m.strip() for m in args.motores.split(",") if m.strip()]
    desconocidos = set(motores) - set(MOTORES)
    if desconocidos:
        print(f"Motor desconocido: {', '.join(sorted(desconocidos))}", file=sys.stderr)
        return 2
    SALIDA.mkdir(parents=True, exist_ok=True)
    pasados = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "supervision"]
    resultados: dict[str, Any] = {}
    for motor in motores:
        print(f"\n=== {motor} ===", flush=True)
        if motor == "postgres" and not args.pg_url:
            print(f"PostgreSQL local en 127.0.0.1:{PUERTO_PG_LOCAL}…", flush=True)
            try:
                with postgres_local(args.pg_datos) as url:
                    resultados |= _correr_hijo(motor, url, pasados, args)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"PostgreSQL: {exc}", flush=True)
                objetivos.omitir("supervisión (postgres)", f"sin PostgreSQL: {exc}")
                motores = [m for m in motores if m != "postgres"]
        else:
            resultados |= _correr_hijo(motor, args.pg_url, pasados, args)
    return _resumen(resultados, motores)


def _correr_hijo(
    motor: str, pg_url: str, pasados: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    archivo = SALIDA / f"supervision-{motor}.json"
    archivo.unlink(missing_ok=True)
    orden = [sys.executable, "-m", "bench.bench_supervision", *pasados, "--hijo", motor]
    if motor == "postgres":
        orden += ["--pg-url", pg_url]
    entorno = _entorno(motor, pg_url, args.datos.resolve())
    subprocess.run(orden, env=entorno, cwd=RAIZ, timeout=5400, check=False)
    if not archivo.exists():
        print(f"{motor}: la medición no terminó (ver arriba).", flush=True)
        return {}
    return {motor: json.loads(archivo.read_text(encoding="utf-8"))}


def _resumen(resultados: dict[str, Any], motores: list[str]) -> int:
    print(f"\n=== Resumen (meta: mediana < {META_MS:.0f} ms de servidor) ===")
    for motor in motores:
        r = resultados.get(motor)
        if r is None:
            objetivos.fallar(f"supervisión ({motor})", "la medición no terminó")
            continue
        s = r["siembra"]
        print(
            f"{motor}: {s['solicitudes']:,} solicitudes en {s['areas']} áreas ({s['abiertas']:,} "
            f"abiertas, {s['vencidas']:,} vencidas); carga "
            f"{r['carga_inicio']} → {r['carga_fin']} (1, 5, 15 min)"
        )
        for fase in r["fases"]:
            print(f"  índices {fase['indices']}:")
            for e in fase["escenarios"]:
                print(
                    f"    {e['nombre']:<34} mediana {e['mediana_ms']:7.1f} ms (BD "
                    f"{e['bd_mediana_ms']:6.1f})  p90 {e['p90_ms']:7.1f}  consultas "
                    f"{e['consultas']:2d}  carga {e['carga']}"
                )
            g = fase.get("gunicorn")
            if g:
                print(
                    f"    gunicorn, todas las áreas, de fuera: mediana {g['mediana_ms']:.1f} ms "
                    f"(p90 {g['p90_ms']:.1f}, {g['peticiones']} peticiones en serie)"
                )
        _objetivos(motor, r)
    cumple = all(
        e["mediana_ms"] < META_MS
        for r in resultados.values()
        for fase in r["fases"]
        if fase["indices"] == "actuales"
        for e in fase["escenarios"]
    )
    cumple &= bool(resultados) and len(resultados) == len(motores)
    print("Meta cumplida con los índices actuales." if cumple else "Alguna meta no se cumplió.")
    return 0 if cumple else 1


def _objetivos(motor: str, r: dict[str, Any]) -> None:
    """The rows of the bench table: per phase, the slowest single-area page, the
    all-areas page and API (each against the target) and gunicorn's latency."""
    for fase in r["fases"]:
        sufijo = f"({motor}, índices {fase['indices']})"
        por_area = [
            e
            for e in fase["escenarios"]
            if e["nombre"].startswith("página ") and "todas" not in e["nombre"]
        ]
        peor = max(por_area, key=lambda e: e["mediana_ms"])
        filas = [
            (f"supervisión: página de un área, la más lenta ({peor['nombre'][7:]}) {sufijo}", peor),
            *(
                (f"supervisión: {e['nombre']} {sufijo}", e)
                for e in fase["escenarios"]
                if "todas" in e["nombre"]
            ),
        ]
        for cifra, e in filas:
            if fase["indices"] != "actuales":  # the product as it was: what 0014 is worth
                objetivos.informar(
                    cifra,
                    e["mediana_ms"],
                    unidad=" ms",
                    decimales=1,
                    nota="sin los índices de 0014, para comparar",
                    carga=e["carga"],
                )
                continue
            objetivos.comparar(
                cifra,
                e["mediana_ms"],
                menor_que=META_MS,
                unidad=" ms",
                decimales=1,
                nota="mediana en proceso",
                carga=e["carga"],
            )
        g = fase.get("gunicorn")
        if g:
            objetivos.informar(
                f"supervisión: todas las áreas bajo gunicorn, de fuera {sufijo}",
                g["mediana_ms"],
                unidad=" ms",
                decimales=1,
                nota="latencia de una petición a la vez",
                carga=g["carga"],
            )


# ---------------------------------------------------------------- child process


def _carga() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _hijo(args: argparse.Namespace) -> int:
    motor = args.hijo
    preparar_base(args.datos / motor, motor, args.pg_url, reseed=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    carga_inicio = _carga()
    print(f"Base: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    siembra = sembrar_cola(total=args.total, otros=args.otros)
    print(
        ("Base reutilizada: " if siembra["reutilizada"] else "Sembradas ")
        + f"{siembra['solicitudes']:,} solicitudes en {siembra['areas']} áreas"
        + ("" if siembra["reutilizada"] else f" en {siembra['segundos']:.0f} s")
        + ".",
        flush=True,
    )
    indices_como_las_migraciones()
    medicion = Medicion(args)
    fases = []
    if args.indices in ("actuales", "ambos"):
        fases.append(medicion.fase("actuales"))
    if args.indices in ("sin_0014", "ambos"):
        with sin_indices_de_0014():
            fases.append(medicion.fase("sin_0014"))
    resultado = {
        "motor": motor,
        "siembra": siembra,
        "fases": fases,
        "carga_inicio": carga_inicio,
        "carga_fin": _carga(),
        "nucleos": os.cpu_count(),
    }
    SALIDA.mkdir(parents=True, exist_ok=True)
    (SALIDA / f"supervision-{motor}.json").write_text(
        json.dumps(resultado, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return 0


def indices_como_las_migraciones() -> None:
    """Puts back 0014's indexes if a run was stopped while it measured without them (the
    block below restores them on its way out, but not after a kill)."""
    from django.db import connection

    from promociones.models import Solicitud

    anadidos, reemplazado = de_0014()
    with connection.cursor() as cursor:
        nombres = set(connection.introspection.get_constraints(cursor, Solicitud._meta.db_table))
    faltan = [i for i in anadidos if i.name not in nombres]
    sobran = [i for i in reemplazado if i.name in nombres]
    if faltan or sobran:
        print("Restaurando los índices de la migración 0014 (corrida interrumpida)…", flush=True)
        with connection.schema_editor() as editor:
            for indice in sobran:
                editor.remove_index(Solicitud, indice)
            for indice in faltan:
                editor.add_index(Solicitud, indice)


@contextmanager
def sin_indices_de_0014() -> Iterator[None]:
    """The page's indexes as before migration 0014, for as long as the block runs."""
    from django.db import connection

    from promociones.models import Solicitud

    anadidos, reemplazado = de_0014()

    def cambiar(quitar: list[Any], poner: list[Any]) -> None:
        inicio = time.perf_counter()
        with connection.schema_editor() as editor:
            for indice in quitar:
                editor.remove_index(Solicitud, indice)
            for indice in poner:
                editor.add_index(Solicitud, indice)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Solicitud._meta.db_table}")
        print(f"Índices cambiados en {time.perf_counter() - inicio:.1f} s.", flush=True)

    cambiar(anadidos, reemplazado)
    try:
        yield
    finally:
        cambiar(reemplazado, anadidos)


class Medicion:
    """In-process measurements through Django's test client, with a real staff session
    and a real personal token, of a supervisor of all eight areas."""

    def __init__(self, args: argparse.Namespace) -> None:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.utils import timezone

        from atencion.models import Adscripcion, Area
        from cuentas.middleware import SESSION_INICIO
        from cuentas.models import TokenApi

        self.args = args
        usuario = get_user_model().objects.get(username=SUPERVISORA)
        self.areas = list(
            Area.objects.filter(
                adscripciones__usuario=usuario, adscripciones__rol=Adscripcion.Rol.SUPERVISOR
            ).order_by("nombre")
        )
        self.cliente = Client()
        self.cliente.force_login(usuario)
        sesion = self.cliente.session
        sesion[SESSION_INICIO] = time.time()
        _segundo_factor(sesion, usuario)
        sesion.save()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={sesion.session_key}"
        clave = f"bench-supervision-{os.getpid()}-{time.time_ns()}"
        ahora = timezone.now()
        TokenApi.objects.create(
            usuario=usuario,
            clave_sha256=TokenApi.hash_de(clave),
            tipo=TokenApi.Tipo.PERSONAL,
            creado=ahora,
            ultimo_uso=ahora,
            expira=ahora + timedelta(hours=2),
        )
        self.cliente_api = Client(HTTP_AUTHORIZATION=f"Bearer {clave}")

    def _esperado(self, clave: str | None) -> tuple[int, int]:
        """Open and overdue requests, counted by the ORM apart from the page's code."""
        from django.utils import timezone

        from calendario.services import fecha_en_mexico
        from promociones.models import Solicitud

        consulta = Solicitud.objects.exclude(estatus="atendido")
        if clave:
            consulta = consulta.filter(area__clave=clave)
        hoy = fecha_en_mexico(timezone.now())
        return consulta.count(), consulta.filter(respuesta_a_partir_del__lt=hoy).count()

    def _verificar(self, clave: str | None) -> None:
        datos = self.cliente_api.get(RUTA_API, {"area": clave} if clave else {})
        if datos.status_code != 200:
            raise RuntimeError(f"La API respondió {datos.status_code}: {datos.content[:200]!r}")
        cuerpo = datos.json()
        esperado = self._esperado(clave)
        if (cuerpo["abiertas"], cuerpo["vencidas"]) != esperado:
            raise RuntimeError(
                f"{clave or 'todas'}: la API dice {cuerpo['abiertas']}/{cuerpo['vencidas']}, "
                f"el ORM {esperado[0]}/{esperado[1]}"
            )
        pagina = self.cliente.get(RUTA, {"area": clave} if clave else {})
        texto = pagina.content.decode()
        if pagina.status_code != 200 or f'data-testid="abiertas">{esperado[0]}<' not in texto:
            raise RuntimeError(f"La página de {clave or 'todas'} no muestra {esperado[0]}")

    def fase(self, indices: str) -> dict[str, Any]:
        print(f"\n-- índices {indices} (carga {_carga()}) --", flush=True)
        escenarios = []
        casos: list[tuple[str, Callable[[], Any]]] = []
        for area in self.areas:
            casos.append(
                (f"página {area.clave}", partial(self.cliente.get, RUTA, {"area": area.clave}))
            )
        casos.append(("página todas las áreas", lambda: self.cliente.get(RUTA)))
        casos.append(("api todas las áreas", lambda: self.cliente_api.get(RUTA_API)))
        self._verificar(None)
        self._verificar(self.areas[0].clave)
        for nombre, peticion in casos:
            escenarios.append(self._medir(nombre, peticion))
        resultado: dict[str, Any] = {"indices": indices, "escenarios": escenarios}
        if not self.args.sin_gunicorn:
            resultado["gunicorn"] = self._gunicorn()
        return resultado

    def _medir(self, nombre: str, peticion: Callable[[], Any]) -> dict[str, Any]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(self.args.calentamiento):
            respuesta = peticion()
            if respuesta.status_code != 200:
                raise RuntimeError(f"{nombre}: respondió {respuesta.status_code}")
        with CaptureQueriesContext(connection) as capturadas:
            peticion()
        consultas = [q["sql"] for q in capturadas.captured_queries]
        tiempos: list[float] = []
        en_bd: list[float] = []
        # A page of seconds (no proposed indexes) would take minutes for 25 samples.
        limite = time.monotonic() + self.args.presupuesto
        for i in range(self.args.iteraciones):
            if i >= 3 and time.monotonic() > limite:
                break
            with _cronometro_bd() as bd:
                inicio = time.perf_counter()
                peticion()
                tiempos.append((time.perf_counter() - inicio) * 1000)
            en_bd.append(bd[0] * 1000)
        tiempos.sort()
        r = {
            "nombre": nombre,
            "mediana_ms": statistics.median(tiempos),
            "p90_ms": tiempos[max(0, int(len(tiempos) * 0.9) - 1)],
            "min_ms": tiempos[0],
            "muestras": len(tiempos),
            "bd_mediana_ms": statistics.median(en_bd),
            "consultas": len(consultas),
            "carga": objetivos.carga_actual(),
            "sql": consultas,
        }
        print(
            f"{nombre:<34} mediana {r['mediana_ms']:7.1f} ms (BD {r['bd_mediana_ms']:6.1f} ms)  "
            f"p90 {r['p90_ms']:7.1f} ms  consultas {r['consultas']}  ({r['muestras']} medidas)",
            flush=True,
        )
        if self.args.planes:
            _planes(consultas)
        return r

    def _gunicorn(self) -> dict[str, Any]:
        """The all-areas page from outside, through gunicorn (2 sync workers), one
        request at a time: what the supervisor's browser waits on this machine."""
        puerto = _puerto_libre()
        registro = (SALIDA / f"gunicorn-supervision-{self.args.hijo}.log").open("w")
        orden = [
            sys.executable, "-m", "gunicorn", "buzon.wsgi:application",
            "--bind", f"127.0.0.1:{puerto}", "--workers", "2", "--graceful-timeout", "5",
            "--timeout", "120",
        ]  # fmt: skip
        servidor = subprocess.Popen(orden, cwd=RAIZ, stdout=registro, stderr=registro)
        try:
            limite = time.monotonic() + 60
            while True:
                try:
                    estado = _get(puerto, RUTA, {"Cookie": self.cookie})
                    if estado == 200:
                        break
                    raise RuntimeError(f"gunicorn respondió {estado} a la página")
                except OSError:
                    if time.monotonic() > limite:
                        raise RuntimeError("gunicorn no respondió en 60 s") from None
                    time.sleep(0.3)
            for _ in range(self.args.calentamiento + 2):  # both workers warm
                _get(puerto, RUTA, {"Cookie": self.cookie})
            tiempos = []
            fin = time.monotonic() + self.args.presupuesto
            for i in range(self.args.iteraciones):
                if i >= 3 and time.monotonic() > fin:
                    break
                inicio = time.perf_counter()
                estado = _get(puerto, RUTA, {"Cookie": self.cookie})
                tiempos.append((time.perf_counter() - inicio) * 1000)
                if estado != 200:
                    raise RuntimeError(f"gunicorn respondió {estado}")
        finally:
            detener(servidor, espera=15)
            registro.close()
        tiempos.sort()
        r = {
            "mediana_ms": statistics.median(tiempos),
            "p90_ms": tiempos[max(0, int(len(tiempos) * 0.9) - 1)],
            "peticiones": len(tiempos),
            "carga": objetivos.carga_actual(),
        }
        print(
            f"gunicorn, todas las áreas, de fuera: mediana {r['mediana_ms']:.1f} ms "
            f"(p90 {r['p90_ms']:.1f})",
            flush=True,
        )
        return r


def _get(puerto: int, ruta: str, cabeceras: dict[str, str]) -> int:
    """One GET on loopback; its status. Patient: the page without the proposed indexes
    takes seconds."""
    conexion = http.client.HTTPConnection("127.0.0.1", puerto, timeout=120)
    try:
        conexion.request("GET", ruta, headers=cabeceras)
        respuesta = conexion.getresponse()
        respuesta.read()
        return respuesta.status
    finally:
        conexion.close()


def _segundo_factor(sesion: Any, usuario: Any) -> None:
    """As the staff sign-in leaves a session once the code was right, when the project
    has the second factor (atencion.segundo_factor); nothing before it."""
    try:
        from atencion.segundo_factor import abrir_sesion
    except ImportError:
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name="bench", confirmed=True)
    abrir_sesion(sesion, dispositivo)


if __name__ == "__main__":
    sys.exit(main())
