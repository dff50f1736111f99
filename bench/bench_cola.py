"""Staff queue benchmark: 1,000,000 requests over 8 areas, SQLite and PostgreSQL.

``.venv/bin/python -m bench cola [--motores sqlite,postgres] [--reseed] [--pg-url URL] ...``

For each database the parent process starts one child with that database's
environment, and the child:

1. migrates and seeds its own database (``bench/out/cola/<motor>``, or the PostgreSQL
   database ``buzon_bench_cola``): the catalogue's 4 areas plus 4 synthetic ones, 32
   analysts and one supervisor of all 8 areas, and 1,000,000 requests filed since
   2025-01-01 with the product's folios and business-day terms. Old requests are almost
   all answered; of those already due, 45 % of the last 5 days', 12 % of the last
   month's and 1.5 % of older ones are still open (a few percent overdue in all);
   answered ones were assigned to an analyst of their area, open ones mostly too. Rows
   go in through the bulk paths (executemany, COPY): the count triggers see each one;
2. measures in process, through Django's test client with the supervisor's real staff
   session (second factor passed) and a real personal token, the median server time and
   query count of the queue's first page and of a filtered page (vencidas + asunto), as
   HTML and API, with every count checked first against a plain ORM count;
3. starts gunicorn (2 sync workers) on loopback and loads, in alternating rounds of the
   same run, the bare view (``bench.urls_bench``) and the queue pages with ``wrk`` (16
   connections, a Lua check of every response's status and body) or a Python client,
   and reports the ratio of the queue's rate to the bare view's;
4. downloads the whole queue as CSV (1,000,000 rows) from that gunicorn and samples the
   workers' resident memory meanwhile: growth over the worker's memory before.

Targets (issue 10): median under 50 ms; queue rate at least a tenth of the bare view's;
CSV memory growth under 50 MB. Results: ``bench/out/cola-<motor>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.bench_tablero import _cronometro_bd, _get, _planes, _puerto_libre
from bench.carga import detener, preparar_base

RAIZ = Path(__file__).resolve().parent.parent
SALIDA = RAIZ / "bench" / "out"
DATOS = SALIDA / "cola"
MOTORES = ("sqlite", "postgres")
PG_URL = "postgres://postgres@127.0.0.1:54329/buzon_bench_cola"
META_MS = 50.0
META_PROPORCION = 0.1
META_MB = 50.0
SUPERVISORA = "bench_cola_supervisora"
FILTRO = {"vencidas": "true", "asunto": "emisiones"}
RUTA = "/atencion/"
RUTA_API = "/api/v1/atencion/solicitudes"
RUTA_CSV = "/api/v1/atencion/solicitudes.csv"
RUTA_MINIMA = "/bench/minima/"
AREAS_EXTRA = [
    ("carga-afiliacion", "Afiliación (área sintética de carga)"),
    ("carga-incapacidades", "Incapacidades (área sintética de carga)"),
    ("carga-guarderias", "Guarderías (área sintética de carga)"),
    ("carga-pensiones", "Pensiones (área sintética de carga)"),
]
ANALISTAS_POR_AREA = 4


# ---------------------------------------------------------------- parent process


def _argumentos(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench cola",
        description="Mide la cola del personal con 1,000,000 de solicitudes en 8 áreas.",
    )
    p.add_argument("--motores", default=",".join(MOTORES), help="sqlite,postgres")
    p.add_argument("--reseed", action="store_true", help="borra y vuelve a sembrar la base")
    p.add_argument("--total", type=int, default=1_000_000, help="solicitudes en total")
    p.add_argument("--otros", type=int, default=20_000, help="contribuyentes")
    p.add_argument("--iteraciones", type=int, default=100, help="peticiones medidas")
    p.add_argument("--calentamiento", type=int, default=10)
    p.add_argument("--segundos", type=int, default=8, help="duración de cada carga")
    p.add_argument("--rondas", type=int, default=3, help="rondas alternadas de carga")
    p.add_argument("--conexiones", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--sin-carga", action="store_true", help="omite gunicorn y el CSV")
    p.add_argument("--sin-csv", action="store_true", help="omite la descarga del CSV")
    p.add_argument("--solo-csv", action="store_true", help="solo la descarga del CSV")
    p.add_argument(
        "--timeout-csv",
        type=int,
        default=None,
        help="timeout del worker para el CSV (s); sin él, el de gunicorn.conf.py (30 s)",
    )
    p.add_argument("--planes", action="store_true", help="EXPLAIN de cada consulta")
    p.add_argument("--sin-trucos", action="store_true", help="omite cada truco con y sin")
    p.add_argument("--pg-url", default=os.environ.get("BUZON_BENCH_PG_URL", PG_URL))
    p.add_argument("--hijo", choices=MOTORES, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _entorno(motor: str, args: argparse.Namespace) -> dict[str, str]:
    entorno = dict(os.environ)
    entorno.pop("DATABASE_URL", None)
    entorno["BUZON_DATA_DIR"] = str(DATOS / motor)
    entorno["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    entorno["BUZON_LOG_LEVEL"] = "WARNING"
    entorno.pop("BUZON_DEBUG", None)
    entorno["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(RAIZ), entorno.get("PYTHONPATH", "")) if p
    )
    if motor == "postgres":
        entorno["DATABASE_URL"] = args.pg_url
    return entorno


def main(argv: list[str] | None = None) -> int:
    args = _argumentos(argv)
    if args.hijo:
        return _hijo(args)
    motores = [m.strip() for m in args.motores.split(",") if m.strip()]
    if set(motores) - set(MOTORES):
        print(f"Motor desconocido en {args.motores}", file=sys.stderr)
        return 2
    SALIDA.mkdir(parents=True, exist_ok=True)
    pasados = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "cola"]
    resultados = {}
    for motor in motores:
        print(f"\n=== {motor} ===", flush=True)
        archivo = SALIDA / f"cola-{motor}.json"
        archivo.unlink(missing_ok=True)
        orden = [sys.executable, "-m", "bench.bench_cola", *pasados, "--hijo", motor]
        subprocess.run(orden, env=_entorno(motor, args), cwd=RAIZ, timeout=7200, check=False)
        if archivo.exists():
            resultados[motor] = json.loads(archivo.read_text(encoding="utf-8"))
        else:
            print(f"{motor}: la medición no terminó (ver arriba).", flush=True)
    return _resumen(resultados, motores)


def _resumen(resultados: dict[str, Any], motores: list[str]) -> int:
    print("\n=== Resumen ===")
    cumple = len(resultados) == len(motores)
    for motor, r in resultados.items():
        s = r["siembra"]
        print(
            f"{motor}: {s['solicitudes']:,} solicitudes en {s['areas']} áreas, "
            f"{s['abiertas']:,} sin atender, {s['vencidas']:,} vencidas; carga "
            f"{r['carga_inicio']} → {r['carga_fin']}"
        )
        for e in r["escenarios"]:
            ok = e["mediana_ms"] < META_MS
            cumple &= ok or not e["meta"]
            marca = ("✓" if ok else "✗") if e["meta"] else " "
            print(
                f"  {e['nombre']:<30} mediana {e['mediana_ms']:7.2f} ms (BD "
                f"{e['bd_mediana_ms']:5.2f})  p90 {e['p90_ms']:7.2f}  consultas "
                f"{e['consultas']:2d}  {marca}"
            )
        carga = r.get("carga") or {}
        if carga.get("minima_rps"):
            for nombre in ("cola", "cola_filtrada", "api", "api_filtrada"):
                ok = carga[f"{nombre}_rps"] / carga["minima_rps"] >= META_PROPORCION
                cumple &= ok or nombre.startswith("api")
                print(
                    f"  gunicorn {nombre:<14} {carga[f'{nombre}_rps']:7.0f} rps; frente a la "
                    f"vista mínima ({carga['minima_rps']:.0f} rps) "
                    f"{carga[f'{nombre}_rps'] / carga['minima_rps']:.3f}; con la misma sesión "
                    f"({carga['minima_sesion_rps']:.0f}) "
                    f"{carga[f'{nombre}_rps'] / carga['minima_sesion_rps']:.3f}"
                    + ("" if nombre.startswith("api") else (" ✓" if ok else " ✗"))
                )
        csv = r.get("csv") or {}
        if csv.get("filas"):
            ok = csv["crecimiento_mb"] < META_MB
            cumple &= ok
            print(
                f"  CSV {csv['filas']:,} filas, {csv['mb']:.0f} MB en {csv['segundos']:.1f} s; "
                f"memoria del worker +{csv['crecimiento_mb']:.1f} MB {'✓' if ok else '✗'}"
            )
    print("Metas cumplidas." if cumple else "Alguna meta no se cumplió.")
    return 0 if cumple else 1


# ---------------------------------------------------------------- child process


def _carga_maquina() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _hijo(args: argparse.Namespace) -> int:
    motor = args.hijo
    preparar_base(DATOS / motor, motor, args.pg_url, reseed=args.reseed)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    inicio = _carga_maquina()
    print(f"Base: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    siembra = sembrar_cola(total=args.total, otros=args.otros)
    print(
        ("Base reutilizada: " if siembra["reutilizada"] else "Sembradas ")
        + f"{siembra['solicitudes']:,} solicitudes en {siembra['areas']} áreas, "
        f"{siembra['abiertas']:,} sin atender, {siembra['vencidas']:,} vencidas"
        + ("" if siembra["reutilizada"] else f", en {siembra['segundos']:.0f} s")
        + ".",
        flush=True,
    )
    medicion = Medicion(args)
    resultado: dict[str, Any] = {
        "motor": motor,
        "siembra": siembra,
        "escenarios": [] if args.solo_csv else medicion.escenarios(),
        "carga_inicio": inicio,
    }
    if not args.sin_trucos and not args.solo_csv:
        resultado["trucos"] = medicion.trucos()
    if not args.sin_carga and not args.solo_csv:
        with Gunicorn(args) as servidor:
            resultado["carga"] = Carga(args, medicion, servidor).medir()
    if not args.sin_csv:
        # Its own gunicorn, with the project's timeout unless told otherwise: the
        # threaded workers of gunicorn.conf.py stream the million rows past it (with
        # `sync` workers, 30 s cut the download midway; decision 0017).
        with Gunicorn(args, timeout=args.timeout_csv) as servidor:
            resultado["csv"] = descargar_csv(medicion, servidor)
    resultado["carga_fin"] = _carga_maquina()
    (SALIDA / f"cola-{motor}.json").write_text(
        json.dumps(resultado, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return 0


# ---------------------------------------------------------------- seeding


def _estatus(rng: random.Random, respuesta: date, hoy: date) -> str:
    """Answered when old; of those already due, the more recent the more likely open."""
    x = rng.random()
    if respuesta >= hoy:
        return (
            "recibido"
            if x < 0.80
            else "canalizado"
            if x < 0.92
            else ("en_prorroga" if x < 0.95 else "atendido")
        )
    dias = (hoy - respuesta).days
    abierta = 0.45 if dias <= 5 else 0.12 if dias <= 30 else 0.015
    if x >= abierta:
        return "atendido"
    y = rng.random()
    return "recibido" if y < 0.60 else "canalizado" if y < 0.85 else "en_prorroga"


def sembrar_cola(*, total: int, otros: int, semilla: int = 2027) -> dict[str, Any]:
    """Fills an empty database; one already seeded is reused as it is."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from atencion.models import Adscripcion, Area
    from bench import sembrar
    from buzon.lib import dias_habiles
    from buzon.lib.folio import formatear
    from calendario.models import DiaInhabil
    from calendario.services import ZONA_MEXICO
    from promociones.models import Asunto, FolioSecuencia, Solicitud

    hoy = timezone.now().astimezone(ZONA_MEXICO).date()

    def resumen(reutilizada: bool, segundos: float) -> dict[str, Any]:
        abiertas = Solicitud.objects.exclude(estatus="atendido")
        return {
            "solicitudes": Solicitud.objects.count(),
            "areas": Area.objects.count(),
            "abiertas": abiertas.count(),
            "vencidas": abiertas.filter(respuesta_a_partir_del__lt=hoy).count(),
            "segundos": segundos,
            "reutilizada": reutilizada,
        }

    if Solicitud.objects.count() >= total:
        return resumen(True, 0.0)
    if Solicitud.objects.exists():
        raise RuntimeError("La base tiene solicitudes pero no la siembra completa; usa --reseed.")
    inicio = time.perf_counter()
    rng = random.Random(semilla)
    ahora = timezone.now()
    usuarios = get_user_model().objects
    with transaction.atomic():
        servicios, asuntos = sembrar._catalogo()
        for orden, (clave, nombre) in enumerate(AREAS_EXTRA, start=100):
            area, _ = Area.objects.get_or_create(clave=clave, defaults={"nombre": nombre})
            asunto, creado = Asunto.objects.get_or_create(
                clave=clave,
                defaults={
                    "nombre": nombre.split(" (")[0],
                    "area": area,
                    "recomendaciones": "Asunto sintético de la prueba de carga.",
                    "orden": orden,
                },
            )
            if creado:
                asunto.servicios.set(servicios)
            asuntos.append(asunto)
        supervisora = usuarios.create_user(SUPERVISORA, first_name="Supervisora de carga")
        analistas: dict[int, list[int]] = {}
        for area in Area.objects.all():
            Adscripcion.objects.create(usuario=supervisora, area=area, rol="supervisor")
            for i in range(ANALISTAS_POR_AREA):
                u = usuarios.create_user(f"bench_cola_{area.clave}_{i}", first_name=f"Analista {i}")
                Adscripcion.objects.create(usuario=u, area=area, rol="analista")
                analistas.setdefault(area.pk, []).append(u.pk)
        contribuyentes = sembrar._sembrar_contribuyentes(otros + 1, rng, ahora)
        extras = set(DiaInhabil.objects.values_list("fecha", flat=True))
        momentos = sembrar._momentos(total, rng, ahora)
        pesos = [sembrar._PESO_ASUNTO.get(a.clave, 8) for a in asuntos]
        acumulados = [sum(pesos[: i + 1]) for i in range(len(pesos))]
        plazos: dict[tuple[date, int], tuple[date, date]] = {}
        secuencias: dict[tuple[str, int], int] = {}
        aclaracion = next(s for s in servicios if s.requiere_telefono)
        orientacion = next(s for s in servicios if not s.requiere_telefono)
        momento_bd = connection.ops.adapt_datetimefield_value
        fecha_bd = connection.ops.adapt_datefield_value

        def filas() -> Iterator[tuple[Any, ...]]:
            for recibida in momentos:
                servicio = aclaracion if rng.random() < 0.4 else orientacion
                asunto = asuntos[sembrar._elegir(acumulados, rng.random() * acumulados[-1])]
                dia = recibida.astimezone(ZONA_MEXICO).date()
                plazo = asunto.plazo_en(servicio)
                fechas = plazos.get((dia, plazo))
                if fechas is None:
                    desde = dias_habiles.siguiente_habil(dia, extras)
                    fechas = (desde, dias_habiles.sumar_habiles(desde, plazo, extras))
                    plazos[(dia, plazo)] = fechas
                desde, respuesta = fechas
                estatus = _estatus(rng, respuesta, hoy)
                if estatus == "atendido":
                    asignada: int | None = rng.choice(analistas[asunto.area_id])
                    resuelta: date | None = min(
                        desde + timedelta(days=rng.randrange(plazo + 4)), hoy
                    )
                else:
                    quota = 0.75 if respuesta < hoy else 0.5
                    asignada = (
                        rng.choice(analistas[asunto.area_id]) if rng.random() < quota else None
                    )
                    if asignada and rng.random() < 0.02:
                        asignada = supervisora.pk  # a few of her own: «Asignadas a mí»
                    resuelta = respuesta if estatus == "canalizado" else None
                clave = (servicio.inicial_folio, dia.year)
                secuencias[clave] = secuencias.get(clave, 0) + 1
                yield (
                    formatear(servicio.inicial_folio, dia.year, secuencias[clave]),
                    contribuyentes[rng.randrange(len(contribuyentes))],
                    servicio.pk,
                    asunto.pk,
                    "Solicitud sintética de la prueba de carga de la cola.",
                    "",
                    momento_bd(recibida.astimezone(UTC)),
                    fecha_bd(desde),
                    fecha_bd(respuesta),
                    estatus,
                    fecha_bd(resuelta),
                    asunto.area_id,
                    asignada,
                    "",
                )

        campos = [
            "folio", "contribuyente", "servicio", "asunto", "descripcion", "telefono",
            "recibida", "computo_desde", "respuesta_a_partir_del", "estatus",
            "fecha_respuesta_o_canalizacion", "area", "asignada_a", "huella_idempotencia",
        ]  # fmt: skip
        # COPY without the row triggers on PostgreSQL, then the counts they keep filled
        # from the rows; the queue's counts are checked against the ORM before timing.
        sembrar.insertar_solicitudes(campos, filas())
        for (inicial, anio), ultimo in secuencias.items():
            FolioSecuencia.objects.update_or_create(
                inicial=inicial, anio=anio, defaults={"ultimo": ultimo}
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return resumen(False, time.perf_counter() - inicio)


# ---------------------------------------------------------------- in process


class Medicion:
    """In-process measurements through Django's test client, with the supervisor's real
    staff session (second factor passed) and a real personal token."""

    def __init__(self, args: argparse.Namespace) -> None:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.utils import timezone

        from cuentas.middleware import SESSION_INICIO
        from cuentas.models import TokenApi

        self.args = args
        self.usuario = get_user_model().objects.get(username=SUPERVISORA)
        self.cliente = Client()
        self.cliente.force_login(self.usuario)
        sesion = self.cliente.session
        sesion[SESSION_INICIO] = time.time()
        _segundo_factor(sesion, self.usuario)
        sesion.save()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={sesion.session_key}"
        self.token = f"bench-cola-{os.getpid()}-{time.time_ns()}"
        ahora = timezone.now()
        TokenApi.objects.create(
            usuario=self.usuario,
            clave_sha256=TokenApi.hash_de(self.token),
            tipo=TokenApi.Tipo.PERSONAL,
            creado=ahora,
            ultimo_uso=ahora,
            expira=ahora + timedelta(hours=3),
        )
        self.cliente_api = Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        self.anonimo = Client()

    def esperado(self, filtro: dict[str, str], *, pagina: bool) -> dict[str, Any]:
        """Total, counts and first folio, counted by the ORM apart from the queue's code."""
        from django.db.models import Q
        from django.utils import timezone

        from calendario.services import fecha_en_mexico, sumar_habiles
        from promociones.models import Solicitud

        hoy = fecha_en_mexico(timezone.now())
        d2 = sumar_habiles(hoy, 2)
        base = Solicitud.objects.all()  # she supervises every area
        estatus = filtro.get("estatus", "abiertas" if pagina else "")
        if estatus == "abiertas":
            base = base.exclude(estatus="atendido")
        elif estatus:
            base = base.filter(estatus=estatus)
        if "asunto" in filtro:
            base = base.filter(asunto__clave=filtro["asunto"])
        abiertas = ~Q(estatus="atendido")
        vencidas = base.filter(abiertas, respuesta_a_partir_del__lt=hoy)
        lista = vencidas if filtro.get("vencidas") == "true" else base
        primera = lista.order_by("respuesta_a_partir_del", "id").values_list("folio", flat=True)
        return {
            "total": lista.count(),
            "vencidas": vencidas.count(),
            "por_vencer": base.filter(
                abiertas, respuesta_a_partir_del__gte=hoy, respuesta_a_partir_del__lte=d2
            ).count(),
            "sin_asignar": lista.filter(asignada_a__isnull=True).count(),
            "mias": lista.filter(asignada_a=self.usuario).count(),
            "primera": primera.first() or "",
        }

    def verificar(self, tipo: str, filtro: dict[str, str], respuesta: Any) -> None:
        """A fast wrong page is no result: the counts and the first row must be right."""
        if respuesta.status_code != 200:
            raise RuntimeError(f"{tipo} {filtro}: respondió {respuesta.status_code}")
        if tipo.startswith("minima"):
            return
        e = self.esperado(filtro, pagina=tipo == "html")
        if tipo == "api":
            datos = json.loads(respuesta.content)
            obtenido = {"total": datos["total"], **datos["conteos"]}
            primera = datos["resultados"][0]["folio"] if datos["resultados"] else ""
        else:
            texto = respuesta.content.decode()
            patrones = {
                "total": r'data-testid="conteo-total">([\d,]+) solicitud',
                "vencidas": r'data-testid="conteo-vencidas"[^>]*>[^<]*?([\d,]+)\s*<',
                "por_vencer": r'data-testid="conteo-por-vencer"[^>]*>[^<]*?([\d,]+)\s*<',
                "sin_asignar": r'data-testid="conteo-sin-asignar"[^>]*>[^<]*?([\d,]+)\s*<',
                "mias": r'data-testid="conteo-mias"[^>]*>[^<]*?([\d,]+)\s*<',
            }
            obtenido = {}
            for clave, patron in patrones.items():
                m = re.search(patron, texto)
                obtenido[clave] = int(m.group(1).replace(",", "")) if m else None
            primera = e["primera"] if e["primera"] in texto else ""
        esperado = {k: v for k, v in e.items() if k != "primera"}
        if obtenido != esperado or primera != e["primera"]:
            raise RuntimeError(f"{tipo} {filtro}: {obtenido} {primera}, se esperaba {e}")

    def peticion(self, tipo: str, filtro: dict[str, str]) -> Callable[[], Any]:
        if tipo == "minima":
            return lambda: self.anonimo.get(RUTA_MINIMA)
        if tipo == "minima_sesion":
            return lambda: self.cliente.get(RUTA_MINIMA)
        if tipo == "api":
            return lambda: self.cliente_api.get(RUTA_API, filtro)
        return lambda: self.cliente.get(RUTA, filtro)

    def escenarios(self) -> list[dict[str, Any]]:
        hoy = datetime.now(UTC).date()
        casos = [
            ("mínima anónima", "minima", {}, False),
            ("mínima con sesión de personal", "minima_sesion", {}, False),
            ("html primera página", "html", {}, True),
            ("html vencidas + asunto", "html", FILTRO, True),
            ("html todos los estatus", "html", {"estatus": ""}, False),
            ("api primera página", "api", {}, True),
            ("api vencidas + asunto", "api", FILTRO, True),
            (
                "html recibidas en 30 días",
                "html",
                {"recibida_desde": (hoy - timedelta(days=30)).isoformat()},
                False,
            ),
            ("html página 100", "html", {"pagina": "100"}, False),
        ]
        salida = []
        for nombre, tipo, filtro, meta in casos:
            peticion = self.peticion(tipo, filtro)
            primera = peticion()
            if (
                "pagina" not in filtro
                and "recibida_desde" not in filtro
                and filtro.get("estatus") != ""
            ):
                self.verificar(tipo, filtro, primera)
            r = self._medir(nombre, peticion)
            r["meta"] = meta
            salida.append(r)
        return salida

    def _medir(self, nombre: str, peticion: Callable[[], Any]) -> dict[str, Any]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(self.args.calentamiento):
            if peticion().status_code != 200:
                raise RuntimeError(f"{nombre}: no respondió 200")
        with CaptureQueriesContext(connection) as capturadas:
            respuesta = peticion()
        consultas = [q["sql"] for q in capturadas.captured_queries]
        tiempos, en_bd = [], []
        for _ in range(self.args.iteraciones):
            with _cronometro_bd() as bd:
                inicio = time.perf_counter()
                peticion()
                tiempos.append((time.perf_counter() - inicio) * 1000)
            en_bd.append(bd[0] * 1000)
        tiempos.sort()
        r = {
            "nombre": nombre,
            "ruta": respuesta.wsgi_request.get_full_path(),
            "bytes": len(respuesta.content),
            "mediana_ms": statistics.median(tiempos),
            "p90_ms": tiempos[max(0, int(len(tiempos) * 0.9) - 1)],
            "min_ms": tiempos[0],
            "bd_mediana_ms": statistics.median(en_bd),
            "consultas": len(consultas),
            "sql": consultas,
        }
        print(
            f"{nombre:<30} mediana {r['mediana_ms']:7.2f} ms (BD {r['bd_mediana_ms']:5.2f} ms)  "
            f"p90 {r['p90_ms']:7.2f} ms  consultas {r['consultas']}  {r['bytes']:,} bytes",
            flush=True,
        )
        if self.args.planes:
            _planes(consultas)
        return r

    def trucos(self) -> list[dict[str, Any]]:
        """Each speed trick of decisions 0016 and 0017 with and without, alternated in
        rounds."""
        from django.template import engines
        from django.utils import timezone

        from atencion import cola, consultas
        from calendario.services import fecha_en_mexico
        from promociones.models import ConteoVencimiento, Solicitud

        hoy = fecha_en_mexico(timezone.now())
        ctx = consultas.contexto(self.usuario, hoy)
        d2 = consultas.fin_de_plazo(hoy, consultas.DIAS_POR_VENCER)
        pagina = consultas.leer_filtros({}, ctx.areas, pagina_web=True)
        filtrada = consultas.leer_filtros(FILTRO, ctx.areas, pagina_web=True)
        todas = consultas.leer_filtros({}, ctx.areas)
        consulta = consultas.solicitudes_de_personal(self.usuario, pagina, hoy=hoy, ctx=ctx)
        filas = cola._filas(consulta, 0, ctx)
        jinja = engines["jinja2"].from_string(JINJA_FILAS)
        sin_mas_cero = (
            Solicitud.objects.filter(area_id__in=ctx.area_ids)
            .exclude(estatus="atendido")
            .order_by("respuesta_a_partir_del", "id")
        )
        pares: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            (
                "conteos, primera página: tablas / COUNT agrupado",
                lambda: consultas._por_tablas(ctx, pagina, d2, None),
                lambda: consultas._por_solicitudes(ctx, pagina, d2, None),
            ),
            (
                "conteos, vencidas + asunto: tablas / COUNT agrupado",
                lambda: consultas._por_tablas(ctx, filtrada, d2, None),
                lambda: consultas._por_solicitudes(ctx, filtrada, d2, None),
            ),
            (
                "conteos, todos los estatus: tablas / COUNT agrupado",
                lambda: consultas._por_tablas(ctx, todas, d2, None),
                lambda: consultas._por_solicitudes(ctx, todas, d2, None),
            ),
            (
                "50 filas: área + 0 / área con su índice",
                lambda: cola._filas(consulta, 0, ctx),
                lambda: cola._filas(sin_mas_cero, 0, ctx),
            ),
            (
                "cuerpo de la tabla: Python / bucle Jinja2",
                lambda: cola.cuerpo_html(filas, casillas=True),
                lambda: jinja.render({"filas": filas, "asignables": True}),
            ),
            (
                "página entera, vista de nuevo: recordada / sin memoria",
                lambda: self.cliente.get(RUTA),
                lambda: _sin_memoria(lambda: self.cliente.get(RUTA)),
            ),
            (
                "página filtrada, vista de nuevo: recordada / sin memoria",
                lambda: self.cliente.get(RUTA, FILTRO),
                lambda: _sin_memoria(lambda: self.cliente.get(RUTA, FILTRO)),
            ),
            (
                "página tras un cambio en sus áreas: fallo de memoria / sin memoria",
                lambda: _tras_un_cambio(lambda: self.cliente.get(RUTA)),
                lambda: _sin_memoria(lambda: self.cliente.get(RUTA)),
            ),
            (
                "personas asignables: recordadas / leídas",
                lambda: cola._asignables(ctx),
                lambda: cola._leer_asignables(
                    tuple(a.id for a in ctx.areas if a.rol == "supervisor")
                ),
            ),
        ]
        salida = []
        plegadas = ConteoVencimiento.objects.count()
        print(f"\n-- trucos (filas de ConteoVencimiento: {plegadas:,}) --", flush=True)
        for nombre, con, sin in pares:
            a: list[float] = []
            b: list[float] = []
            # The slow variants (a COUNT of the requests) once a round, three rounds.
            lento = "COUNT" in nombre or "su índice" in nombre
            repeticiones, rondas = (1, 3) if lento else (50, 5)
            for _ in range(rondas):
                for medida, f in ((a, con), (b, sin)):
                    if not lento:
                        f()
                    xs = []
                    for _ in range(repeticiones):
                        t = time.perf_counter()
                        f()
                        xs.append((time.perf_counter() - t) * 1000)
                    medida.append(statistics.median(xs))
            r = {"nombre": nombre, "con_ms": statistics.median(a), "sin_ms": statistics.median(b)}
            print(f"{nombre:<55} {r['con_ms']:9.3f} ms / {r['sin_ms']:9.3f} ms", flush=True)
            salida.append(r)
        salida.append({"nombre": "filas de ConteoVencimiento tras plegar", "valor": plegadas})
        return salida


def _sin_memoria(peticion: Callable[[], Any]) -> Any:
    """``peticion()`` with the queue's page memory off (BUZON_COLA_PAGINAS=0)."""
    from django.conf import settings

    antes = settings.BUZON_COLA_PAGINAS
    settings.BUZON_COLA_PAGINAS = 0
    try:
        return peticion()
    finally:
        settings.BUZON_COLA_PAGINAS = antes


def _tras_un_cambio(peticion: Callable[[], Any]) -> Any:
    """``peticion()`` as the first view after a change in her areas: a miss, plus the
    version read that found it (the memory is emptied, as a new version would)."""
    from atencion import memoria

    memoria.olvidar()
    return peticion()


JINJA_FILAS = """{% for s in filas %}
<tr{% if s.marca %} class="marca-{{ s.marca }}"{% endif %}>{% if asignables %}<td><input
 type="checkbox" name="folios" value="{{ s.folio }}" aria-label="Seleccionar {{ s.folio }}">
</td>{% endif %}<td><a
 href="{{ url('atencion:detalle', s.folio) }}">{{ s.folio }}</a></td><td>{{ s.rfc }}</td><td>{{
 s.servicio }}</td><td>{{ s.asunto }}</td><td>{{ s.area }}</td><td>{{ s.recibida|date("d/m/Y H:i")
 }}</td><td>{{ s.respuesta_a_partir_del|date("d/m/Y") }}{% if s.marca == "vencida" %} <span
 class="etiqueta vencida">Vencida</span>{% elif s.marca == "por_vencer" %} <span class="etiqueta
 por-vencer">Vence pronto</span>{% endif %}</td><td>{{ s.estatus_texto }}</td><td>{{ s.asignada_a
 or "Sin asignar" }}</td></tr>{% endfor %}"""


def _segundo_factor(sesion: Any, usuario: Any) -> None:
    """As the staff sign-in leaves a session once the code was right."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from atencion.segundo_factor import abrir_sesion

    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name="bench", confirmed=True)
    abrir_sesion(sesion, dispositivo)


# ---------------------------------------------------------------- under gunicorn


class Gunicorn:
    """gunicorn on loopback with the project's config (its worker class, threads and
    timeout; 2 workers by default)."""

    def __init__(self, args: argparse.Namespace, timeout: int | None = None) -> None:
        self.args = args
        self.timeout = timeout
        self.puerto = _puerto_libre()
        self.proceso: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.registro = (SALIDA / f"gunicorn-cola-{self.args.hijo}.log").open("w")
        orden = [
            sys.executable, "-m", "gunicorn", "buzon.wsgi:application",
            "--bind", f"127.0.0.1:{self.puerto}", "--workers", str(self.args.workers),
            "--graceful-timeout", "5",
        ]  # fmt: skip
        if self.timeout:
            orden += ["--timeout", str(self.timeout)]
        self.proceso = subprocess.Popen(orden, cwd=RAIZ, stdout=self.registro, stderr=self.registro)
        limite = time.monotonic() + 60
        while time.monotonic() < limite:
            try:
                if _get(self.puerto, RUTA_MINIMA, {})[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn no respondió en 60 s (ver bench/out/gunicorn-cola-*.log)")

    def __exit__(self, *exc: object) -> None:
        assert self.proceso is not None
        detener(self.proceso)
        self.registro.close()

    def workers(self) -> list[int]:
        assert self.proceso is not None
        hijos = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                campos = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(campos[1]) == self.proceso.pid:
                hijos.append(int(stat.parent.name))
        return hijos


def _rss_mb(pid: int) -> float:
    try:
        for linea in Path(f"/proc/{pid}/status").read_text().splitlines():
            if linea.startswith("VmRSS:"):
                return int(linea.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


LUA = """
local hilos = {}
function setup(thread) table.insert(hilos, thread) end
function init(args) malas = 0; marca = args[1] end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, marca, 1, true) then malas = malas + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(hilos) do total = total + t:get("malas") end
  io.write("RESPUESTAS_MALAS " .. total .. "\\n")
end
"""


class Carga:
    """The bare view and the queue, loaded in alternating rounds of the same run."""

    def __init__(self, args: argparse.Namespace, medicion: Medicion, servidor: Gunicorn) -> None:
        self.args = args
        self.medicion = medicion
        self.puerto = servidor.puerto

    def _cookies(self) -> str:
        cookie = self.medicion.cookie
        estado, _, nuevas = _get(self.puerto, RUTA, {"Cookie": cookie})
        if estado != 200:
            raise RuntimeError(f"gunicorn respondió {estado} a la cola")
        for c in nuevas:
            nombre_valor = c.split(";", 1)[0]
            if nombre_valor.startswith("csrftoken="):
                cookie += f"; {nombre_valor}"
        return cookie

    def medir(self) -> dict[str, Any]:
        cookie = self._cookies()
        api = {"Authorization": f"Bearer {self.medicion.token}"}
        html = {"Cookie": cookie}
        e1 = self.medicion.esperado({}, pagina=True)
        e2 = self.medicion.esperado(FILTRO, pagina=True)
        a1 = self.medicion.esperado({}, pagina=False)
        a2 = self.medicion.esperado(FILTRO, pagina=False)
        filtrada = f"{RUTA}?{urlencode(FILTRO)}"
        objetivos = [
            # (name, path, headers, text every answer must contain)
            ("minima", RUTA_MINIMA, {}, "ok"),
            ("minima_sesion", RUTA_MINIMA, html, "ok"),
            ("cola", RUTA, html, f"{e1['total']:,} solicitudes</strong>"),
            ("cola_filtrada", filtrada, html, f"{e2['total']:,} solicitudes</strong>"),
            ("api", RUTA_API, api, f'"folio": "{a1["primera"]}"'),
            ("api_filtrada", f"{RUTA_API}?{urlencode(FILTRO)}", api, f'"total": {a2["total"]}'),
        ]
        for nombre, ruta, cabeceras, marca in objetivos:
            estado, cuerpo, _ = _get(self.puerto, ruta, cabeceras)
            if estado != 200 or marca.encode() not in cuerpo:
                raise RuntimeError(f"{nombre}: {estado}, sin «{marca}»: {cuerpo[:300]!r}")
        rondas: dict[str, list[float]] = {n: [] for n, *_ in objetivos}
        for ronda in range(1, self.args.rondas + 1):
            for nombre, ruta, cabeceras, marca in objetivos:
                rps = self._cargar(ruta, cabeceras, marca)
                rondas[nombre].append(rps)
                print(
                    f"ronda {ronda}: {nombre:<14} {rps:8.0f} rps (carga {_carga_maquina()})",
                    flush=True,
                )
        mejor = {n: max(v) for n, v in rondas.items()}
        r: dict[str, Any] = {
            "herramienta": "wrk" if shutil.which("wrk") else "python",
            "conexiones": self.args.conexiones,
            "segundos": self.args.segundos,
            "workers": self.args.workers,
            "rondas": rondas,
            **{f"{n}_rps": v for n, v in mejor.items()},
        }
        print(
            f"gunicorn: mínima {mejor['minima']:.0f} rps, cola {mejor['cola']:.0f} "
            f"({mejor['cola'] / mejor['minima']:.3f}), filtrada {mejor['cola_filtrada']:.0f} "
            f"({mejor['cola_filtrada'] / mejor['minima']:.3f}), api {mejor['api']:.0f}, "
            f"api filtrada {mejor['api_filtrada']:.0f}",
            flush=True,
        )
        return r

    def _cargar(self, ruta: str, cabeceras: dict[str, str], marca: str) -> float:
        if not shutil.which("wrk"):
            return self._python(ruta, cabeceras, marca)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as guion:
            guion.write(LUA)
        try:
            orden = [
                "wrk", "-t", "2", "-c", str(self.args.conexiones),
                "-d", f"{self.args.segundos}s", "--timeout", "10s", "-s", guion.name,
            ]  # fmt: skip
            for k, v in cabeceras.items():
                orden += ["-H", f"{k}: {v}"]
            orden += [f"http://127.0.0.1:{self.puerto}{ruta}", "--", marca]
            salida = subprocess.run(
                orden, capture_output=True, text=True, timeout=self.args.segundos + 60, check=True
            ).stdout
        finally:
            os.unlink(guion.name)
        malas = re.search(r"RESPUESTAS_MALAS (\d+)", salida)
        agotadas = re.search(r"timeout (\d+)", salida)
        if (
            not malas
            or int(malas.group(1))
            or "Non-2xx" in salida
            or (agotadas and int(agotadas.group(1)))
        ):
            raise RuntimeError(f"wrk vio respuestas malas en {ruta}:\n{salida}")
        encontrado = re.search(r"Requests/sec:\s*([\d.]+)", salida)
        if not encontrado:
            raise RuntimeError(f"Salida de wrk inesperada:\n{salida}")
        return float(encontrado.group(1))

    def _python(self, ruta: str, cabeceras: dict[str, str], marca: str) -> float:
        fin = time.monotonic() + self.args.segundos
        cuentas = [0] * self.args.conexiones
        errores: list[str] = []

        def trabajador(i: int) -> None:
            conexion = http.client.HTTPConnection("127.0.0.1", self.puerto, timeout=10)
            while time.monotonic() < fin:
                conexion.request("GET", ruta, headers=cabeceras)
                respuesta = conexion.getresponse()
                cuerpo = respuesta.read()
                if respuesta.status != 200 or marca.encode() not in cuerpo:
                    errores.append(str(respuesta.status))
                    return
                cuentas[i] += 1
            conexion.close()

        hilos = [threading.Thread(target=trabajador, args=(i,)) for i in range(len(cuentas))]
        inicio = time.monotonic()
        for h in hilos:
            h.start()
        for h in hilos:
            h.join(self.args.segundos + 20)
        if errores:
            raise RuntimeError(f"Respuestas malas en {ruta}: {errores[:3]}")
        return sum(cuentas) / (time.monotonic() - inicio)


def descargar_csv(medicion: Medicion, servidor: Gunicorn) -> dict[str, Any]:
    """The whole queue (every estatus) as CSV from gunicorn, read as it streams, with the
    workers' resident memory sampled every 50 ms."""
    from promociones.models import Solicitud

    esperadas = Solicitud.objects.count()
    # Both workers warm first (imports, templates, connection): a cold worker grows by
    # ~55 MB on its first request of any kind, which is not the CSV's doing.
    muestra = Solicitud.objects.order_by("id").values_list("folio", flat=True).first()
    cabeceras = {"Authorization": f"Bearer {medicion.token}"}

    def calentar() -> None:
        for _ in range(5):
            _get(servidor.puerto, f"{RUTA_CSV}?q={muestra}", cabeceras)
            _get(servidor.puerto, f"{RUTA_API}?q={muestra}", cabeceras)

    hilos = [threading.Thread(target=calentar) for _ in range(4)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(120)
    workers = servidor.workers()
    antes = {pid: _rss_mb(pid) for pid in workers}
    picos = dict(antes)
    parar = threading.Event()

    def muestrear() -> None:
        while not parar.is_set():
            for pid in workers:
                picos[pid] = max(picos[pid], _rss_mb(pid))
            parar.wait(0.05)

    hilo = threading.Thread(target=muestrear)
    hilo.start()
    inicio = time.perf_counter()
    conexion = http.client.HTTPConnection("127.0.0.1", servidor.puerto, timeout=120)
    lineas = 0
    total = 0
    primero = b""
    try:
        conexion.request(
            "GET", RUTA_CSV + "?estatus=", headers={"Authorization": f"Bearer {medicion.token}"}
        )
        respuesta = conexion.getresponse()
        if respuesta.status != 200:
            raise RuntimeError(f"El CSV respondió {respuesta.status}: {respuesta.read(300)!r}")
        while True:
            parte = respuesta.read(1 << 16)
            if not parte:
                break
            if not primero:
                primero = parte[:3]
            total += len(parte)
            # Each row ends in CRLF; count the LF, which a read never splits from itself.
            lineas += parte.count(b"\n")
    finally:
        conexion.close()
        segundos = time.perf_counter() - inicio
        parar.set()
        hilo.join()
    crecimiento = max(picos[p] - antes[p] for p in workers)
    filas = lineas - 1  # the header
    if primero != b"\xef\xbb\xbf" or filas != esperadas:
        raise RuntimeError(f"CSV incompleto: {filas:,} filas de {esperadas:,}, inicio {primero!r}")
    r = {
        "timeout_worker_s": servidor.timeout,
        "filas": filas,
        "mb": total / 2**20,
        "segundos": segundos,
        "rss_antes_mb": antes,
        "rss_pico_mb": picos,
        "crecimiento_mb": crecimiento,
    }
    print(
        f"CSV: {filas:,} filas, {r['mb']:.0f} MB en {segundos:.1f} s; memoria del worker "
        f"+{crecimiento:.1f} MB (antes {antes}, pico {picos})",
        flush=True,
    )
    return r


if __name__ == "__main__":
    sys.exit(main())
