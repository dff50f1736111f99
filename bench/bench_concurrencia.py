"""Many taxpayers filing at the same moment: 0 errors.

``.venv/bin/python -m bench concurrencia [--motores sqlite,postgres] [--sqlite N] [--postgres N]``

Issue 12: 36 simultaneous filers on SQLite, 200 on PostgreSQL over two app servers, 0
errors. Each filer is a taxpayer of its own with a session token and a zip of its own
(100 KB, distinct content); all of them wait at one barrier and post their Aclaración
at once (one thread and one connection each) to ``POST /api/v1/solicitudes``.

- SQLite: one gunicorn with the product's config (workers: the config's own count,
  2 × cores + 1, unless ``--workers``), files in the data dir: the embedded default.
- PostgreSQL (skipped, with the reason, when no server answers at 127.0.0.1:54329 or
  BUZON_BENCH_PG_URL): two gunicorn servers sharing nothing but the database and an S3
  bucket (moto's server on loopback, started with the storage suite's helper), each with
  its own data dir and the same sealing key; filers alternate between them.

Beside each server runs an acuse PDF worker (``manage.py generar_acuses``), as
deployed; after the burst the bench waits for the queue to empty before it checks
that every filing has its stored PDF.

Before the burst every worker is warmed by filings of other taxpayers (its first request
imports the URLs and views, loads fonts and the sealing key and makes the year's
holidays); ``--en-frio`` skips that and measures the burst right after start.

An error is anything but a 201 whose body names a folio, the evidence's SHA-256 as sent
and the acuse de recepción; a folio given twice; a filing missing from the database, or
without its evidence, acuse or stored PDF; an evidence that the other server does not
give back with the same SHA-256. Every one is counted and the first ones printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import objetivos
from bench.carga import RAIZ, SALIDA, Gunicorn, base_pg, pedir, pg_motivo, pg_url, tics_cpu
from bench.presentar import (
    MARCA_ACUSE,
    RUTA,
    GeneradorDeAcuses,
    cabeceras,
    contribuyentes_con_token,
    entorno,
    escribir_cuerpo,
    escribir_zip,
    esperar_pdfs,
    preparar_django,
)

RAPIDO: list[str] = []  # already short: one burst per database
MOTORES = ("sqlite", "postgres")
DATOS = SALIDA / "concurrencia"
SECRETO = "bench-concurrencia-" + "s" * 40  # the same on every server, as deployed
RAFAGA = "bench-rafaga-"  # X-Request-ID prefix of the burst's filings


def _argumentos(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench concurrencia", description=__doc__)
    p.add_argument("--motores", default=",".join(MOTORES))
    p.add_argument("--sqlite", type=int, default=36, help="presentaciones a la vez en SQLite")
    p.add_argument("--postgres", type=int, default=200, help="a la vez en PostgreSQL")
    p.add_argument("--servidores", type=int, default=2, help="servidores con PostgreSQL")
    p.add_argument("--workers", type=int, default=None, help="por servidor (config: 2×núcleos+1)")
    p.add_argument(
        "--en-frio", action="store_true", help="sin calentar los workers antes de la ráfaga"
    )
    p.add_argument("--hijo", help=argparse.SUPPRESS)
    p.add_argument("--motor", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# ---------------------------------------------------------------- parent


def main(argv: list[str] | None = None) -> int:
    args = _argumentos(list(argv or []))
    if args.hijo:
        return _hijo(args)
    marca = len(objetivos.FILAS)
    for motor in [m for m in args.motores.split(",") if m]:
        if motor not in MOTORES:
            print(f"Motor desconocido: {motor}", file=sys.stderr)
            return 2
        cuantas = args.sqlite if motor == "sqlite" else args.postgres
        servidores = 1 if motor == "sqlite" else args.servidores
        cifra = f"{cuantas} presentaciones a la vez, {motor}, {servidores} servidor(es): errores"
        print(f"\n=== {cifra.rsplit(':', 1)[0]} ===", flush=True)
        motivo = pg_motivo(pg_url("postgres")) if motor == "postgres" else ""
        if motivo:
            objetivos.omitir(cifra, motivo)
            continue
        with tempfile.TemporaryDirectory(prefix="bench-concurrencia-") as carpeta:
            r = _correr(args, motor, Path(carpeta))
        if isinstance(r, str):
            objetivos.omitir(cifra, r)
        elif r is None:
            objetivos.fallar(cifra, "la medición no terminó (ver arriba)")
        else:
            objetivos.comparar(
                f"{cifra} ({r['workers']} workers por servidor; todas en "
                f"{r['segundos']:.0f} s; servidor: mediana {_mediana(r['servidor_ms']):.0f} ms, "
                f"máxima {max(r['servidor_ms'], default=0):.0f} ms)",
                r["errores"],
                como_mucho=0,
                decimales=0,
                carga=r["carga"],
            )
    return objetivos.codigo_salida(objetivos.FILAS[marca:])


def _mediana(valores: list[float]) -> float:
    return statistics.median(valores) if valores else 0.0


def _correr(args: argparse.Namespace, motor: str, carpeta: Path) -> dict[str, Any] | str | None:
    subprocess.run(["rm", "-rf", str(DATOS / motor)], check=True)
    (DATOS / motor).mkdir(parents=True)
    base, s3, servidor_s3 = "", None, None
    if motor == "postgres":
        base = pg_url("buzon_bench_concurrencia")
        base_pg(base)
        try:
            from archivos.tests.servidor_s3 import iniciar_servidor_s3

            servidor_s3 = iniciar_servidor_s3(carpeta)
        except (ImportError, RuntimeError, OSError) as exc:
            return f"no arrancó el servidor S3 de prueba (moto): {str(exc).splitlines()[0]}"
        s3 = servidor_s3.entorno(servidor_s3.bucket_nuevo())
    archivo = SALIDA / f"concurrencia-{motor}.json"
    archivo.unlink(missing_ok=True)
    orden = [sys.executable, "-m", "bench.bench_concurrencia", "--hijo", str(archivo)]
    orden += ["--motor", motor, "--sqlite", str(args.sqlite), "--postgres", str(args.postgres)]
    orden += ["--servidores", str(args.servidores)]
    if args.workers:
        orden += ["--workers", str(args.workers)]
    if args.en_frio:
        orden.append("--en-frio")
    # INFO, the product's level: each request's line gives its server time.
    env = entorno(DATOS / motor / "servidor-1", base=base, s3=s3, registro="INFO")
    env["BUZON_SECRET_KEY"] = SECRETO
    try:
        hecho = subprocess.run(orden, env=env, cwd=RAIZ, check=False, timeout=3600)
    finally:
        if servidor_s3 is not None:
            servidor_s3.detener()
    if hecho.returncode != 0 or not archivo.exists():
        return None
    resultado: dict[str, Any] = json.loads(archivo.read_text(encoding="utf-8"))
    return resultado


# ---------------------------------------------------------------- child


def _hijo(args: argparse.Namespace) -> int:
    preparar_django()
    from django.conf import settings
    from django.db import connection

    cuantas = args.sqlite if args.motor == "sqlite" else args.postgres
    servidores = 1 if args.motor == "sqlite" else args.servidores
    contribuyentes = contribuyentes_con_token(cuantas, "BCC")
    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-concurrencia-") as carpeta:
        tmp = Path(carpeta)
        cuerpos, shas = [], []
        for i in range(cuantas):
            zip_, cuerpo = tmp / f"{i}.zip", tmp / f"{i}.bin"
            shas.append(escribir_zip(zip_, 100 * 1024, semilla=f"presentante {i}\n".encode()))
            escribir_cuerpo(cuerpo, zip_)
            cuerpos.append(cuerpo.read_bytes())
        # Every server seals with the same key (the first one's) and knows the same secret.
        sello = {
            "BUZON_SELLO_CERT": str(settings.ACUSE_SELLO_CERT),
            "BUZON_SELLO_KEY": str(settings.ACUSE_SELLO_KEY),
            "BUZON_SELLO_CERTS_ANTERIORES_DIR": str(settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR),
        }
        registros = []
        with ExitStack() as pila:
            puertos, servidores_ = [], []
            for n in range(1, servidores + 1):
                datos = DATOS / args.motor / f"servidor-{n}"
                env = {**os.environ, **sello, "BUZON_DATA_DIR": str(datos)}
                registro = SALIDA / f"gunicorn-concurrencia-{args.motor}-{n}.log"
                registros.append(registro)
                servidor = pila.enter_context(Gunicorn(env, registro, workers=args.workers))
                puertos.append(servidor.puerto)
                servidores_.append(servidor)
                # Each server's machine runs an acuse PDF worker too: with PostgreSQL, two
                # of them share one queue.
                generador = SALIDA / f"generar-acuses-concurrencia-{args.motor}-{n}.log"
                pila.enter_context(GeneradorDeAcuses(env, generador))
            if not args.en_frio:
                _calentar(servidores_, tmp)
            carga_inicio = objetivos.carga_actual()
            respuestas, segundos = _a_la_vez(puertos, cuerpos, [t for _, t in contribuyentes])
            # Counted after the burst: the master forks its workers once it is warm, so
            # right after the first one answers the others may still be coming.
            workers = len(servidor.workers())
            carga = f"{carga_inicio} → {objetivos.carga_actual()}"
            errores = _revisar_respuestas(respuestas, shas)
            try:
                en_cola, vaciada = esperar_pdfs()
                print(f"Cola de PDF tras la ráfaga: {en_cola} acuses, vacía en {vaciada:.1f} s")
            except RuntimeError as exc:
                errores.append(str(exc))
            folios = [r["folio"] for r in respuestas if r.get("folio")]
            errores += _revisar_base(folios, shas, [rfc for rfc, _ in contribuyentes])
            errores += _leer_de_vuelta(puertos, respuestas, shas, contribuyentes)
    esperas = sorted(r["segundos"] for r in respuestas)
    servidor_ms = _tiempos_del_servidor(registros)
    if servidor_ms:
        print(
            f"Tiempo del servidor por presentación: mediana {statistics.median(servidor_ms):.0f} "
            f"ms, máxima {servidor_ms[-1]:.0f} ms ({len(servidor_ms)} respondidas)",
            flush=True,
        )
    for registro in registros:
        texto = registro.read_text(encoding="utf-8", errors="replace")
        for aviso in ("WORKER TIMEOUT", "Traceback"):
            if aviso in texto:
                print(f"{registro.name}: {texto.count(aviso)} × {aviso}", flush=True)
    for error in errores[:10]:
        print(f"ERROR: {error}", flush=True)
    print(
        f"{cuantas} a la vez en {servidores} servidor(es) de {workers} workers: "
        f"{len(errores)} errores; todas en {segundos:.1f} s, espera mediana "
        f"{statistics.median(esperas):.1f} s, máxima {esperas[-1]:.1f} s",
        flush=True,
    )
    resultado = {
        "errores": len(errores),
        "primeros_errores": errores[:20],
        "segundos": segundos,
        "mediana_s": statistics.median(esperas),
        "maxima_s": esperas[-1],
        "workers": workers,
        "servidor_ms": servidor_ms,
        "carga": carga,
    }
    Path(args.hijo).write_text(json.dumps(resultado, indent=2), encoding="utf-8")
    return 0


def _calentar(servidores: list[Gunicorn], tmp: Path) -> None:
    """Filings of other taxpayers, as many at once as each server has workers, until
    every worker has served some: a worker's first request imports the URLs and views,
    loads fonts and the sealing key and makes the year's holidays, which under a load
    like this one can take most of gunicorn's 30 s (``--en-frio`` skips this)."""
    zip_, cuerpo = tmp / "calentar.zip", tmp / "calentar.bin"
    escribir_zip(zip_, 100 * 1024, semilla=b"calentamiento\n")
    escribir_cuerpo(cuerpo, zip_)
    datos = cuerpo.read_bytes()
    for servidor in servidores:
        pids = servidor.workers()
        antes = {pid: tics_cpu(pid) for pid in pids}
        tokens = [t for _, t in contribuyentes_con_token(len(pids), "BCW")]
        for _ in range(4):
            hilos = [
                threading.Thread(
                    target=pedir,
                    args=(servidor.puerto, RUTA),
                    kwargs={"metodo": "POST", "cuerpo": datos, "cabeceras": cabeceras(t)},
                )
                for t in tokens
            ]
            for h in hilos:
                h.start()
            for h in hilos:
                h.join(300)
            if all(tics_cpu(pid) - antes[pid] > 5 for pid in pids):
                break
        frios = [pid for pid in pids if tics_cpu(pid) - antes[pid] <= 5]
        print(
            f"Servidor {servidor.puerto}: {len(pids) - len(frios)} de {len(pids)} workers "
            "calentados" + (f" (sin atender aún: {frios})" if frios else ""),
            flush=True,
        )


def _tiempos_del_servidor(registros: list[Path]) -> list[float]:
    """Each burst filing's server time (``duration_ms`` of its JSON log line), sorted."""
    tiempos = []
    for registro in registros:
        for linea in registro.read_text(encoding="utf-8", errors="replace").splitlines():
            if linea.startswith("{") and RAFAGA in linea:
                datos = json.loads(linea)
                if datos.get("duration_ms") is not None and datos.get("status") == 201:
                    tiempos.append(float(datos["duration_ms"]))
    return sorted(tiempos)


def _a_la_vez(
    puertos: list[int], cuerpos: list[bytes], tokens: list[str]
) -> tuple[list[dict[str, Any]], float]:
    """Every filer waits at one barrier, then posts on a connection of its own."""
    barrera = threading.Barrier(len(cuerpos))
    respuestas: list[dict[str, Any]] = [{} for _ in cuerpos]

    def presentar(i: int) -> None:
        barrera.wait()
        inicio = time.perf_counter()
        try:
            estado, cuerpo, _ = pedir(
                puertos[i % len(puertos)], RUTA, metodo="POST", cuerpo=cuerpos[i],
                cabeceras={**cabeceras(tokens[i]), "X-Request-ID": f"{RAFAGA}{i}"}, tiempo=300,
            )  # fmt: skip
            respuestas[i] = {"estado": estado, "cuerpo": cuerpo.decode("utf-8", "replace")}
        except OSError as exc:
            respuestas[i] = {"estado": 0, "cuerpo": f"{type(exc).__name__}: {exc}"}
        respuestas[i]["segundos"] = time.perf_counter() - inicio

    hilos = [threading.Thread(target=presentar, args=(i,)) for i in range(len(cuerpos))]
    inicio = time.perf_counter()
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(600)
    return respuestas, time.perf_counter() - inicio


def _revisar_respuestas(respuestas: list[dict[str, Any]], shas: list[str]) -> list[str]:
    errores = []
    for i, r in enumerate(respuestas):
        if r["estado"] != 201 or MARCA_ACUSE not in r["cuerpo"]:
            errores.append(f"presentante {i}: {r['estado']} {r['cuerpo'][:300]}")
            continue
        datos = json.loads(r["cuerpo"])
        r["folio"] = datos["folio"]
        if datos["evidencia"]["sha256"] != shas[i]:
            errores.append(f"presentante {i}: evidencia con otro SHA-256 ({datos['folio']})")
    folios = [r["folio"] for r in respuestas if r.get("folio")]
    if len(set(folios)) != len(folios):
        errores.append(f"folios repetidos: {len(folios) - len(set(folios))}")
    return errores


def _revisar_base(folios: list[str], shas: list[str], rfcs: list[str]) -> list[str]:
    """What the database holds for these taxpayers: one filing each, with its evidence
    (the hash sent), its acuse de recepción and the acuse's stored PDF."""
    from acuses.models import Acuse, PdfAcuse
    from promociones.models import Evidencia, Solicitud

    errores = []
    filas = {
        s.contribuyente.rfc: s
        for s in Solicitud.objects.filter(contribuyente__rfc__in=rfcs).select_related(
            "contribuyente"
        )
    }
    if len(filas) != len(rfcs) or Solicitud.objects.filter(
        contribuyente__rfc__in=rfcs
    ).count() != len(rfcs):
        errores.append(f"la base tiene {len(filas)} solicitudes de {len(rfcs)} presentantes")
    evidencias = dict(
        Evidencia.objects.filter(solicitud__in=filas.values()).values_list("solicitud_id", "sha256")
    )
    acuses = dict(
        Acuse.objects.filter(solicitud__in=filas.values(), tipo="recepcion").values_list(
            "solicitud_id", "id"
        )
    )
    con_pdf = set(
        PdfAcuse.objects.filter(acuse_id__in=acuses.values()).values_list("acuse_id", flat=True)
    )
    for i, rfc in enumerate(rfcs):
        s = filas.get(rfc)
        if s is None:
            continue
        if evidencias.get(s.id) != shas[i]:
            errores.append(f"{s.folio}: la evidencia guardada no tiene el SHA-256 enviado")
        if s.id not in acuses or acuses[s.id] not in con_pdf:
            errores.append(f"{s.folio}: sin acuse de recepción o sin su PDF guardado")
    if set(folios) - {s.folio for s in filas.values()}:
        errores.append("folios respondidos que la base no tiene")
    return errores


def _leer_de_vuelta(
    puertos: list[int],
    respuestas: list[dict[str, Any]],
    shas: list[str],
    contribuyentes: list[tuple[str, str]],
) -> list[str]:
    """Each evidence downloaded from the server the filer did not use (the same one when
    there is only one), compared with what was sent."""
    errores = []
    for i, r in enumerate(respuestas):
        if not r.get("folio"):
            continue
        puerto = puertos[(i + 1) % len(puertos)]
        ruta = f"{RUTA}/{r['folio']}/evidencia"
        token = contribuyentes[i][1]
        estado, cuerpo, _ = pedir(puerto, ruta, cabeceras={"Authorization": f"Bearer {token}"})
        if estado != 200 or hashlib.sha256(cuerpo).hexdigest() != shas[i]:
            errores.append(f"{r['folio']}: el otro servidor dio {estado} o un archivo distinto")
    return errores


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
