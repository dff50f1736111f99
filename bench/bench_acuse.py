"""Render + PAdES-sign time of one acuse.

Requirement (issue 4): rendering and signing one acuse takes under 60 ms (median).

The acuse is an in-memory ``Acuse`` of kind recepción with typical facts (a 1,500
character description and one evidence file; synthetic data, labelled so) sealed by a
sealing pair generated for this run in a temporary folder, so neither the database nor
the data directory is touched. Each run does what a download does: ``acuses.pdf.pdf_de``
(platypus render, QR code, embedded fonts, info dictionary, pyHanko signature). The first
call, which loads fonts and the key, is reported apart and excluded from the statistics.

Usage, from the repository root: ``.venv/bin/python -m bench acuse [--veces N]``
(exit status 1 if the median is not under the target).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
OBJETIVO_MS = 60.0


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


def main(argv: list[str]) -> int:
    opciones = argparse.ArgumentParser(prog="bench acuse")
    opciones.add_argument("--veces", type=int, default=50)
    args = opciones.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-acuse-") as carpeta:
        _preparar_django(Path(carpeta))
        from acuses import pdf

        acuse = _acuse_de_ejemplo()
        inicio = time.perf_counter()
        tamano = len(pdf.pdf_de(acuse))
        primera_ms = (time.perf_counter() - inicio) * 1000

        render: list[float] = []
        total: list[float] = []
        for _ in range(args.veces):
            t0 = time.perf_counter()
            sin_firma = pdf.renderizar(acuse)
            t1 = time.perf_counter()
            pdf.firmar(sin_firma, acuse)
            t2 = time.perf_counter()
            render.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)

    firma = [t - r for t, r in zip(total, render, strict=True)]
    pico_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mediana = statistics.median(total)
    version = sys.version.split()[0]
    print(f"Acuse de recepción, {tamano:,} bytes, {args.veces} corridas (Python {version})")
    print(f"  primera llamada (carga fuentes y llave): {primera_ms:.1f} ms")
    for nombre, valores in (("render", render), ("firma", firma), ("render+firma", total)):
        print(
            f"  {nombre:<13} mediana {statistics.median(valores):6.1f} ms · "
            f"p95 {_percentil(valores, 95):6.1f} ms · mín {min(valores):6.1f} ms"
        )
    print(f"  memoria máxima del proceso (RSS): {pico_mb:.0f} MB")
    cumple = mediana < OBJETIVO_MS
    print(f"  objetivo: mediana < {OBJETIVO_MS:.0f} ms → {'cumple' if cumple else 'NO cumple'}")
    return 0 if cumple else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
