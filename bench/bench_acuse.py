"""The acuse: its download under gunicorn (stored PDFs), and render + sign of one.

``.venv/bin/python -m bench acuse [--veces N] [--motores sqlite,postgres] [--sin-descarga]``

1. Download (issue 12): the acuse de recepción of one request, as a taxpayer downloads it
   (``/solicitudes/<folio>/acuses/recepcion.pdf`` with a session cookie, and the API's
   ``/api/v1/solicitudes/<folio>/acuses/recepcion`` with a session token), loaded with
   ``wrk`` (16 connections, gunicorn with 2 sync workers, the database of ``bench
   tablero``) in rounds alternating with the bare view; every answer must be 200, a PDF,
   of exactly the stored file's length. Since ``acuses.archivo`` a download reads the PDF
   stored when the acuse was issued; before, each download rendered and signed it (41/s
   measured from outside). Reported, no target. Same machinery as ``bench detalle``.
2. Render + sign (issue 4): rendering and signing one acuse takes under 60 ms (median),
   what issuing one costs now (once, when it is issued). The acuse is an in-memory
   ``Acuse`` of kind recepción with typical facts (a 1,500 character description and one
   evidence file; synthetic data, labelled so) sealed by a pair generated for this run in
   a temporary folder, so neither the database nor the data directory is touched. Each
   run does ``acuses.pdf.pdf_de`` (platypus render, QR code, embedded fonts, info
   dictionary, pyHanko signature). The first call, which loads fonts and the key, is
   reported apart and excluded from the statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import objetivos
from bench.bench_detalle import ajustar, hijo, medir, opciones_de_carga

RAPIDO = ["--rapido"]
RAIZ = Path(__file__).resolve().parent.parent
OBJETIVO_MS = 60.0  # issue 4
ANTES_POR_SEGUNDO = 41.0  # issue 12: rendered and signed on every download…
ANTES_MINIMA = 3361.0  # …when the bare view served 3,361/s


def _preparar_django(carpeta: Path) -> None:
    sys.path.insert(0, str(RAIZ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buzon.settings")
    import django

    django.setup()
    from django.conf import settings

    from acuses.sello import generar_par

    cer, key, _ = generar_par(carpeta, nombre="IMSS Buzón — sello de acuses (BENCH)")
    settings.ACUSE_SELLO_CERT = cer
    settings.ACUSE_SELLO_KEY = key
    settings.ACUSE_SELLO_PASSWORD = ""
    settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR = carpeta / "anteriores"


def _acuse_de_ejemplo():  # type: ignore[no-untyped-def]
    from acuses import sello
    from acuses.models import nuevo_codigo_verificacion
    from acuses.services import sellar_hechos
    from buzon.lib import cadena

    descripcion = (
        "DATO SINTÉTICO DE BENCH. Solicito la aclaración de la emisión del bimestre; "
        "los movimientos afiliatorios se presentaron en tiempo en IDSE y el cálculo del "
        "SUA no coincide con la cédula de determinación. "
    ) * 7
    emitido = datetime(2026, 11, 30, 16, 15, 3, tzinfo=UTC)
    material = sello.material()
    codigo = nuevo_codigo_verificacion()
    hechos = {
        "version": cadena.VERSION,
        "tipo": "recepcion",
        "codigo_verificacion": codigo,
        "numero_certificado_sello": material.numero,
        "emitido": cadena.momento(emitido),
        "folio": "A-2026-000123",
        "rfc": "PENM800101AB1",
        "nombre": "MARÍA JOSÉ PEÑA NÚÑEZ (SINTÉTICO)",
        "servicio": "Aclaración",
        "asunto": "Emisiones",
        "recibida": cadena.momento(emitido),
        "computo_desde": "2026-11-30",
        "respuesta_a_partir_del": "2026-12-14",
        "descripcion_sha256": cadena.sha256_texto(descripcion),
        "evidencias": [{"nombre": "evidencias.zip", "bytes": 734_003, "sha256": "ab" * 32}],
        "descripcion": descripcion,
    }
    return sellar_hechos(hechos, material, emitido=emitido)


def _percentil(valores: list[float], p: float) -> float:
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, round(p / 100 * (len(ordenados) - 1)))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench acuse", description=__doc__)
    p.add_argument("--veces", type=int, default=50, help="acuses generados y firmados")
    p.add_argument("--sin-descarga", action="store_true", help="solo generar y firmar")
    p.add_argument("--sin-generar", action="store_true", help="solo la descarga")
    p.add_argument("--generar-aqui", action="store_true", help=argparse.SUPPRESS)
    opciones_de_carga(p, "minima,acuse_html,acuse_api")
    args = ajustar(p.parse_args(list(argv or [])))
    if args.hijo:
        return hijo(args)
    if args.generar_aqui:
        return _generar_y_firmar_aqui(args.veces)
    if args.rapido:
        args.veces = 10
    marca = len(objetivos.FILAS)
    if not args.sin_descarga:
        _descargas(args)
    if not args.sin_generar:
        _generar_y_firmar(args.veces)
    return objetivos.codigo_salida(objetivos.FILAS[marca:])


def _descargas(args: argparse.Namespace) -> None:
    for motor, r in medir(args, "acuse"):
        for tipo, nombre in (("acuse_html", "página"), ("acuse_api", "API")):
            cifra = f"descarga del acuse, {nombre} ({motor})"
            if isinstance(r, str):
                objetivos.omitir(cifra, r)
            elif r is None:
                objetivos.fallar(cifra, "la medición falló (ver arriba)")
            else:
                minima = r["minima"]["rps"]
                objetivos.informar(
                    f"{cifra}: {r[tipo]['rps'] / minima:.3f} de la vista mínima ({minima:,.0f}/s)",
                    r[tipo]["rps"],
                    unidad="/s",
                    decimales=0,
                    nota=(
                        f"antes {ANTES_POR_SEGUNDO:.0f}/s, {ANTES_POR_SEGUNDO / ANTES_MINIMA:.3f} "
                        f"de {ANTES_MINIMA:,.0f}/s, generado en cada descarga"
                    ),
                    carga=r["carga"],
                )


def _generar_y_firmar(veces: int) -> None:
    """Runs the measurement in a process of its own (Django set up there, never in the
    runner, whose other benches set up their own) and states its figure."""
    carga_inicio = objetivos.carga_actual()
    orden = [sys.executable, "-m", "bench.bench_acuse", "--generar-aqui", "--veces", str(veces)]
    hecho = subprocess.run(
        orden, cwd=RAIZ, capture_output=True, text=True, check=False, timeout=1800,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "buzon.settings"},
    )  # fmt: skip
    print(hecho.stdout, end="", flush=True)
    cifra = "acuse: generar y firmar uno, mediana (en proceso)"
    if hecho.returncode != 0:
        print(hecho.stderr, file=sys.stderr)
        objetivos.fallar(cifra, "la medición falló (ver arriba)")
        return
    mediana = json.loads(hecho.stdout.strip().splitlines()[-1])["mediana_ms"]
    objetivos.comparar(
        cifra, mediana, menor_que=OBJETIVO_MS, unidad=" ms", decimales=1,
        carga=f"{carga_inicio} → {objetivos.carga_actual()}",
    )  # fmt: skip


def _generar_y_firmar_aqui(veces: int) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-acuse-") as carpeta:
        os.environ["BUZON_DATA_DIR"] = carpeta
        _preparar_django(Path(carpeta))
        from acuses import pdf

        acuse = _acuse_de_ejemplo()
        inicio = time.perf_counter()
        tamano = len(pdf.pdf_de(acuse))
        primera_ms = (time.perf_counter() - inicio) * 1000

        render: list[float] = []
        total: list[float] = []
        for _ in range(veces):
            t0 = time.perf_counter()
            sin_firma = pdf.renderizar(acuse)
            t1 = time.perf_counter()
            pdf.firmar(sin_firma, acuse)
            t2 = time.perf_counter()
            render.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)

    firma = [t - r for t, r in zip(total, render, strict=True)]
    version = sys.version.split()[0]
    print(f"Acuse de recepción, {tamano:,} bytes, {veces} corridas (Python {version})")
    print(f"  primera llamada (carga fuentes y llave): {primera_ms:.1f} ms")
    for nombre, valores in (("render", render), ("firma", firma), ("render+firma", total)):
        print(
            f"  {nombre:<13} mediana {statistics.median(valores):6.1f} ms · "
            f"p95 {_percentil(valores, 95):6.1f} ms · mín {min(valores):6.1f} ms"
        )
    print(json.dumps({"mediana_ms": statistics.median(total)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
