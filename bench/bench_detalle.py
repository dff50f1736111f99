"""One request's Detalle (HTML and API) under gunicorn, against the bare view.

``.venv/bin/python -m bench detalle [--motores sqlite,postgres] [--segundos 8] [--rondas 3]``

Issue 12: requests per second of one request's Detalle as a ratio to the bare view's
(``bench.urls_bench``: the whole middleware stack and nothing else) in the same run;
target at least one fifth, HTML and API. The conditions of the issue's figures: the
database of ``bench tablero`` (1,000,000 requests; ``--base vacia`` for an empty one),
gunicorn with 2 sync workers, ``wrk`` with 16 connections, every answer's status and
body checked. The rounds alternate the three routes; the best round of each counts
(other processes on the machine only ever slow a round down).

The request shown is a real filing of the seeded taxpayer: an Aclaración with a 100 KB
zip, filed through the filing service once and reused by later runs (its description
starts with ``BENCH DETALLE``), with its acuse de recepción. The HTML page is asked with
a real session cookie (and the CSRF cookie the page sets, as a browser sends it back),
the API with a real session token. Every answer must contain the acuse's verification
code, which only this request's Detalle shows.

``bench acuse`` loads the acuse's download with the same machinery (``--rutas``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import objetivos
from bench.carga import (
    RAIZ,
    SALIDA,
    Gunicorn,
    asegurar_siembra,
    base_pg,
    datos_sembrados,
    pedir,
    pg_motivo,
    pg_url,
    url_sembrada,
    wrk,
)
from bench.presentar import entorno, preparar_django

RAPIDO = ["--rapido"]
MOTORES = ("sqlite", "postgres")
META_PROPORCION = 0.2
MARCA_DESCRIPCION = "BENCH DETALLE"
RUTA_MINIMA = "/bench/minima/"


def opciones_de_carga(p: argparse.ArgumentParser, rutas: str) -> None:
    """The options of a load under gunicorn (this bench's and ``bench acuse``'s)."""
    p.add_argument("--motores", default=",".join(MOTORES))
    p.add_argument("--base", choices=("sembrada", "vacia"), default=None)
    p.add_argument("--segundos", type=int, default=8, help="duración de cada carga")
    p.add_argument("--rondas", type=int, default=3)
    p.add_argument("--conexiones", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--rutas", default=rutas, help=argparse.SUPPRESS)
    p.add_argument("--rapido", action="store_true", help="2 s, 1 ronda, base vacía")
    p.add_argument("--hijo", help=argparse.SUPPRESS)


def ajustar(args: argparse.Namespace) -> argparse.Namespace:
    if args.rapido:
        args.segundos, args.rondas = 2, 1
        args.base = args.base or "vacia"
    args.base = args.base or "sembrada"
    return args


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench detalle", description=__doc__)
    opciones_de_carga(p, "minima,html,api")
    args = ajustar(p.parse_args(list(argv or [])))
    if args.hijo:
        return hijo(args)
    marca = len(objetivos.FILAS)
    for motor, r in medir(args, "detalle"):
        for tipo, nombre, antes in (("html", "HTML", 0.096), ("api", "API", 0.099)):
            cifra = f"Detalle {nombre} / vista mínima ({motor})"
            if isinstance(r, str):
                objetivos.omitir(cifra, r)
            elif r is None:
                objetivos.fallar(cifra, "la medición falló (ver arriba)")
            else:
                objetivos.comparar(
                    f"{cifra}: {r[tipo]['rps']:,.0f} frente a {r['minima']['rps']:,.0f}/s",
                    r[tipo]["rps"] / r["minima"]["rps"],
                    al_menos=META_PROPORCION,
                    nota=f"antes {antes}",
                    carga=r["carga"],
                )
    return objetivos.codigo_salida(objetivos.FILAS[marca:])


def medir(args: argparse.Namespace, nombre: str) -> list[tuple[str, dict[str, Any] | str | None]]:
    """Runs the child for each database: its results, a reason it was left out, or None
    when it failed."""
    salida: list[tuple[str, dict[str, Any] | str | None]] = []
    for motor in [m for m in args.motores.split(",") if m]:
        if motor not in MOTORES:
            raise SystemExit(f"Motor desconocido: {motor}")
        print(f"\n=== {motor} ===", flush=True)
        motivo = pg_motivo(pg_url("postgres")) if motor == "postgres" else ""
        if motivo:
            print(f"Omitido: {motivo}", flush=True)
            salida.append((motor, motivo))
            continue
        if args.base == "sembrada":
            print("Base: la de bench tablero (1,000,000 de solicitudes)…", flush=True)
            asegurar_siembra(motor)
            datos, base = datos_sembrados(motor), url_sembrada() if motor == "postgres" else ""
        else:
            datos = SALIDA / nombre / motor
            subprocess.run(["rm", "-rf", str(datos)], check=True)
            datos.mkdir(parents=True)
            base = pg_url(f"buzon_bench_{nombre}") if motor == "postgres" else ""
            if base:
                base_pg(base)
        archivo = SALIDA / f"{nombre}-{motor}.json"
        archivo.unlink(missing_ok=True)
        orden = [
            sys.executable, "-m", "bench.bench_detalle", "--hijo", str(archivo),
            "--rutas", args.rutas, "--base", args.base, "--segundos", str(args.segundos),
            "--rondas", str(args.rondas), "--conexiones", str(args.conexiones),
            "--workers", str(args.workers),
        ]  # fmt: skip
        hecho = subprocess.run(
            orden, env=entorno(datos, base=base), cwd=RAIZ, check=False, timeout=3600
        )
        if hecho.returncode != 0 or not archivo.exists():
            salida.append((motor, None))
            continue
        salida.append((motor, json.loads(archivo.read_text(encoding="utf-8"))))
    return salida


# ---------------------------------------------------------------- child


def _solicitud(args: argparse.Namespace) -> Any:
    """The bench's request (filed once, then reused) and its taxpayer's user."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.presentar import CAMPOS, contribuyentes_con_token, escribir_zip
    from bench.sembrar import RFC_PROPIO
    from cuentas.models import Contribuyente
    from promociones.models import Solicitud
    from promociones.services import registrar_solicitud

    contribuyente = Contribuyente.objects.filter(rfc=RFC_PROPIO).first()
    if contribuyente is None:
        if args.base == "sembrada":
            raise RuntimeError(f"La base sembrada no tiene al contribuyente {RFC_PROPIO}")
        rfc = contribuyentes_con_token(1, "BDE")[0][0]
        contribuyente = Contribuyente.objects.get(rfc=rfc)
    existente = (
        Solicitud.objects.filter(
            contribuyente=contribuyente, descripcion__startswith=MARCA_DESCRIPCION
        )
        .order_by("-id")
        .first()
    )
    if existente is not None:
        return existente, contribuyente.usuario
    zip_ = Path(SALIDA / f"detalle-{os.getpid()}.zip")
    try:
        escribir_zip(zip_, 100 * 1024)
        solicitud = registrar_solicitud(
            contribuyente=contribuyente,
            servicio=CAMPOS["servicio"],
            asunto=CAMPOS["asunto"],
            descripcion=f"{MARCA_DESCRIPCION}. {CAMPOS['descripcion']}",
            telefono=CAMPOS["telefono"],
            evidencia=SimpleUploadedFile("evidencia.zip", zip_.read_bytes(), "application/zip"),
        )
    finally:
        zip_.unlink(missing_ok=True)
    print(f"Solicitud del bench presentada: {solicitud.folio}", flush=True)
    return solicitud, contribuyente.usuario


def _credenciales(usuario: Any) -> tuple[str, str]:
    """A real browser session cookie and a real API session token of ``usuario``."""
    import secrets

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from cuentas.middleware import SESSION_INICIO
    from cuentas.models import TokenApi

    cliente = Client()
    cliente.force_login(usuario)
    sesion = cliente.session
    # The login view records when the session began; the absolute-limit middleware
    # signs out a session without it.
    sesion[SESSION_INICIO] = time.time()
    sesion.save()
    clave = secrets.token_urlsafe(32)
    ahora = timezone.now()
    TokenApi.objects.create(
        usuario=usuario,
        clave_sha256=TokenApi.hash_de(clave),
        tipo=TokenApi.Tipo.SESION,
        creado=ahora,
        ultimo_uso=ahora,
        expira=ahora + timedelta(hours=2),
    )
    return f"{settings.SESSION_COOKIE_NAME}={sesion.session_key}", clave


def hijo(args: argparse.Namespace) -> int:
    preparar_django()
    from django.db import connection

    from acuses.archivo import pdf_para_descargar
    from acuses.models import Acuse, PdfAcuse

    solicitud, usuario = _solicitud(args)
    acuse = Acuse.objects.get(solicitud=solicitud, tipo="recepcion")
    largo_pdf = len(pdf_para_descargar(acuse))  # stored by generar_acuses, or made and stored now
    guardado = PdfAcuse.objects.get(acuse=acuse)
    cookie, token = _credenciales(usuario)
    codigo = acuse.codigo_verificacion
    folio = solicitud.folio
    print(
        f"Base: {connection.vendor}; solicitud {folio}, acuse {codigo} ({guardado.bytes:,} "
        "bytes guardado)",
        flush=True,
    )
    connection.close()
    api = {"Authorization": f"Bearer {token}"}
    registro = SALIDA / f"gunicorn-{Path(args.hijo).stem}.log"
    with Gunicorn(os.environ, registro, workers=args.workers) as servidor:
        html = {"Cookie": _con_csrf(servidor.puerto, f"/solicitudes/{folio}/", cookie)}
        # (route, headers, text every answer contains, exact length or 0)
        todas: dict[str, tuple[str, dict[str, str], str, int]] = {
            "minima": (RUTA_MINIMA, {}, "ok", 2),
            "html": (f"/solicitudes/{folio}/", html, codigo, 0),
            "api": (f"/api/v1/solicitudes/{folio}", api, f'"codigo_verificacion": "{codigo}"', 0),
            "acuse_html": (f"/solicitudes/{folio}/acuses/recepcion.pdf", html, "%PDF-", largo_pdf),
            "acuse_api": (f"/api/v1/solicitudes/{folio}/acuses/recepcion", api, "%PDF-", largo_pdf),
        }
        elegidas = {n: todas[n] for n in args.rutas.split(",")}
        for nombre, (ruta, cabeceras, marca, largo) in elegidas.items():
            estado, cuerpo, _ = pedir(servidor.puerto, ruta, cabeceras=cabeceras)
            if estado != 200 or marca.encode() not in cuerpo or (largo and len(cuerpo) != largo):
                raise RuntimeError(f"{nombre}: {estado}, sin «{marca}»: {cuerpo[:300]!r}")
        rondas: dict[str, list[Any]] = {n: [] for n in elegidas}
        carga_inicio = objetivos.carga_actual()
        for ronda in range(1, args.rondas + 1):
            for nombre, (ruta, cabeceras, marca, largo) in elegidas.items():
                r = wrk(
                    servidor.puerto, ruta, marca=marca, largo=largo, cabeceras=cabeceras,
                    conexiones=args.conexiones, segundos=args.segundos,
                )  # fmt: skip
                rondas[nombre].append(r)
                print(
                    f"ronda {ronda}: {nombre:<10} {r.rps:8.1f}/s (p50 {r.p50_ms:.1f} ms, "
                    f"p99 {r.p99_ms:.1f} ms; carga {r.carga})",
                    flush=True,
                )
    resultado: dict[str, Any] = {
        "folio": folio,
        "carga": f"{carga_inicio} → {objetivos.carga_actual()}",
        "pdf_bytes": largo_pdf,
    }
    for nombre, lista in rondas.items():
        mejor = max(lista, key=lambda r: r.rps)
        resultado[nombre] = {"rps": mejor.rps, "rondas": [r.__dict__ for r in lista]}
    Path(args.hijo).write_text(json.dumps(resultado, indent=2), encoding="utf-8")
    return 0


def _con_csrf(puerto: int, ruta: str, cookie: str) -> str:
    """The session cookie plus the CSRF cookie the page sets, as a browser sends both back."""
    estado, _, encabezados = pedir(puerto, ruta, cabeceras={"Cookie": cookie})
    if estado != 200:
        raise RuntimeError(f"{ruta} respondió {estado} con la sesión del bench")
    for valor in encabezados.get_all("Set-Cookie") or []:
        nombre_valor = valor.split(";", 1)[0]
        if nombre_valor.startswith("csrftoken="):
            cookie += f"; {nombre_valor}"
    return cookie


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
