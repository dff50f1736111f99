"""Outbox delivery throughput: notices per second with the console gateway.

Requirement (issue 11): with the console gateway and 4 workers on PostgreSQL, at least
1,000 notices per second with none sent twice; and the SQLite figure, with its single
worker (SQLite has one writer at a time: the embedded install runs one).

What it does, per engine, on a database of its own (a temporary SQLite file, or a fresh
database on the PostgreSQL server of ``--pg-url``, else ``DATABASE_URL``, else the
benches' own server, ``bench.carga.pg_url``: ``BUZON_BENCH_PG_URL``'s or 127.0.0.1:54329;
dropped afterwards). A PostgreSQL that does not answer leaves its figure out, saying why
(a failure under ``python -m bench --estricto``):

1. migrates and seeds one request and ``--avisos`` pending SMS notices (default 10,000),
   each to its own number;
2. starts the workers as separate processes (``bench.bench_avisos --trabajador``), each
   a real ``avisos.services.entregar_pendientes`` with the claim protocol and the
   console gateway (log at WARNING, one JSON line per message in the data dir's
   ``avisos/enviados.jsonl``); they start together after Django is loaded, so the
   figure is delivery, not interpreter start-up;
3. notices/s = notices ÷ (last worker's end − first worker's start); then checks that
   every row is ``enviado`` with one attempt and that the console file holds each
   number exactly once (none lost, none doubled).

Usage: ``.venv/bin/python -m bench avisos [--motores sqlite,postgres] [--avisos N]
[--trabajadores-pg 4]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from bench import objetivos
from bench.carga import pg_motivo, pg_url

RAIZ = Path(__file__).resolve().parent.parent
META_PG = 1000.0  # issue 11: notices per second, 4 workers on PostgreSQL

SEMBRAR = """
import sys
from datetime import date
from django.contrib.auth import get_user_model
from django.utils import timezone
from avisos.models import Aviso
from cuentas.models import Contribuyente, TipoPersona
from promociones.models import Asunto, Servicio, Solicitud
n = int(sys.argv[-1])
u = get_user_model().objects.create_user(username="BENCH800101AB1")
c = Contribuyente.objects.create(usuario=u, rfc="BENCH800101AB1"[:13], nombre="BENCH",
    tipo=TipoPersona.FISICA)
asunto = Asunto.objects.get(clave="emisiones")
hoy = date.today()
s = Solicitud.objects.create(folio="IMSS-BENCH-0001", contribuyente=c,
    servicio=Servicio.objects.get(clave="aclaracion"), asunto=asunto, area=asunto.area,
    descripcion="Bench", telefono="5512345678", recibida=timezone.now(), computo_desde=hoy,
    respuesta_a_partir_del=hoy)
ahora = timezone.now()
Aviso.objects.bulk_create([Aviso(solicitud=s, evento="respuesta", canal="sms",
    destino=f"55{i:08d}", texto=f"IMSS Buzón: tu solicitud IMSS-BENCH-0001 fue atendida ({i}).",
    segmentos=1, siguiente_intento=ahora, creado=ahora) for i in range(n)], batch_size=2000)
"""

REVISAR = """
from django.db.models import Count
from avisos.models import Aviso
import json
print(json.dumps({
    "estados": dict(Aviso.objects.values_list("estado").annotate(n=Count("id"))),
    "intentos": dict(Aviso.objects.values_list("intentos").annotate(n=Count("id"))),
}))
"""


def _entorno(datos: Path, url: str | None) -> dict[str, str]:
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_", "DATABASE_"))}
    entorno.update(
        BUZON_DATA_DIR=str(datos),
        BUZON_AVISOS_EN_PROCESO="0",
        BUZON_SMS_GATEWAY="console",
        BUZON_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="buzon.settings",
        PYTHONPATH=str(RAIZ),
    )
    if url:
        entorno["DATABASE_URL"] = url
    return entorno


def _manage(entorno: dict[str, str], *args: str) -> str:
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    return r.stdout


def trabajador(inicio: float) -> None:
    """One worker process: loads Django, waits for the common start, delivers, reports."""
    import django

    django.setup()
    from django.db import connection

    from avisos.services import entregar_pendientes

    connection.ensure_connection()
    time.sleep(max(inicio - time.time(), 0))
    t0 = time.time()
    hechos = entregar_pendientes()
    print(json.dumps({"inicio": t0, "fin": time.time(), "avisos": hechos}), flush=True)


def medir(motor: str, avisos: int, trabajadores: int, pg_url: str | None) -> bool:
    with tempfile.TemporaryDirectory(prefix=f"bench-avisos-{motor}-") as carpeta:
        datos = Path(carpeta)
        url = None
        base_pg = None
        if motor == "postgres":
            import psycopg

            assert pg_url, "PostgreSQL: --pg-url, BUZON_BENCH_PG_URL o DATABASE_URL"
            base_pg = f"avisos_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(pg_url, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{base_pg}"')
            url = f"{pg_url.rpartition('/')[0]}/{base_pg}"
        entorno = _entorno(datos, url)
        try:
            _manage(entorno, "migrate", "--noinput", "-v0")
            _manage(entorno, "shell", "-c", SEMBRAR.replace("sys.argv[-1]", str(avisos)))
            # Start together, once every process has loaded Django and connected.
            inicio = time.time() + 3.0
            procesos = [
                subprocess.Popen(
                    [sys.executable, "-m", "bench.bench_avisos", "--trabajador", str(inicio)],
                    cwd=RAIZ,
                    env=entorno,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(trabajadores)
            ]
            informes = []
            for p in procesos:
                salida, _ = p.communicate(timeout=1800)
                if p.returncode != 0:
                    raise SystemExit(f"un trabajador terminó con {p.returncode}")
                informes.append(json.loads(salida.strip().splitlines()[-1]))
            duracion = max(i["fin"] for i in informes) - min(i["inicio"] for i in informes)
            revision = json.loads(_manage(entorno, "shell", "-c", REVISAR).strip().splitlines()[-1])
        finally:
            if base_pg:
                import psycopg

                assert pg_url
                with psycopg.connect(pg_url, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{base_pg}" WITH (FORCE)')
        lineas = (datos / "avisos" / "enviados.jsonl").read_text(encoding="utf-8").splitlines()
        por_numero = Counter(json.loads(x)["destino"] for x in lineas)
    dobles = sum(1 for n in por_numero.values() if n > 1)
    perdidos = avisos - len(por_numero)
    ok = (
        revision["estados"] == {"enviado": avisos}
        and revision["intentos"] == {"1": avisos}
        and dobles == 0
        and perdidos == 0
    )
    por_trabajador = ", ".join(str(i["avisos"]) for i in informes)
    print(
        f"{motor:<9} {trabajadores} trabajador(es)  {avisos:>6} avisos en {duracion:6.2f} s  "
        f"= {avisos / duracion:7.0f} avisos/s   dobles={dobles} perdidos={perdidos}  "
        f"estados={revision['estados']}  por trabajador: {por_trabajador}  "
        f"{'OK' if ok else 'FALLA'}",
        flush=True,
    )
    por_segundo = avisos / duracion
    cifra = f"avisos/s, {trabajadores} trabajador(es), pasarela de consola ({motor})"
    if not ok:
        objetivos.fallar(
            cifra, f"dobles={dobles} perdidos={perdidos} estados={revision['estados']}"
        )
    elif motor == "postgres":
        objetivos.comparar(cifra, por_segundo, al_menos=META_PG, unidad="/s", decimales=0)
    else:
        objetivos.informar(cifra, por_segundo, unidad="/s", decimales=0, nota="un solo escritor")
    return ok and (motor != "postgres" or por_segundo >= META_PG)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench avisos")
    parser.add_argument("--trabajador", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--motores", default="sqlite,postgres")
    parser.add_argument("--avisos", type=int, default=10_000)
    parser.add_argument("--trabajadores-pg", type=int, default=4)
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL") or pg_url("postgres"))
    args = parser.parse_args(argv)
    if args.trabajador is not None:
        trabajador(args.trabajador)
        return 0
    ok = True
    for motor in args.motores.split(","):
        motivo = pg_motivo(args.pg_url) if motor == "postgres" else ""
        if motivo:
            print(f"postgres: {motivo}; se omite", flush=True)
            objetivos.omitir(f"avisos/s ({motor})", motivo)
            continue
        n = args.trabajadores_pg if motor == "postgres" else 1
        ok &= medir(motor, args.avisos, n, args.pg_url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
