"""Server-side time of an e.firma login.

Three measurements, each over ``--veces`` runs (default 200) after one warm-up run:
``verificar_acceso`` alone (certificate, chain, RFC, signature; no database),
``cuentas.services.iniciar_sesion_efirma`` (attempt limit, reto consumed with one
conditional UPDATE, verification, taxpayer upserted, audit row), and the whole
``POST /api/v1/sesion`` through Django's test client (JSON, base64, token issued).
The client's work (asking for the reto and signing it) is outside the timed part.

Everything runs on a fresh SQLite database in a temporary data dir with a CA and an
e.firma made for the run (synthetic, labelled so). Revocation checking is off, as in
the embedded default; a CRL or OCSP check adds its own cost.

Usage, from the repository root: ``.venv/bin/python -m bench login [--veces N]`` or
``.venv/bin/python bench/bench_login.py``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

RAIZ = Path(__file__).resolve().parent.parent


def _preparar_django(carpeta: Path) -> None:
    # The settings read the data dir at import: set it before django.setup().
    os.environ["BUZON_DATA_DIR"] = str(carpeta)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(RAIZ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buzon.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _cifras(nombre: str, tiempos: list[float]) -> None:
    ms = sorted(t * 1000 for t in tiempos)
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) > 1 else ms[0]
    print(
        f"{nombre:<42} mediana {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   "
        f"mín {ms[0]:7.2f} ms   n={len(ms)}"
    )


def _medir(veces: int, preparar: Callable[[], T], hacer: Callable[[T], object]) -> list[float]:
    hacer(preparar())  # warm-up: imports, first connection, caches
    tiempos = []
    for _ in range(veces):
        datos = preparar()
        inicio = time.perf_counter()
        hacer(datos)
        tiempos.append(time.perf_counter() - inicio)
    return tiempos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench login", description=__doc__.splitlines()[0])
    parser.add_argument("--veces", type=int, default=200)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        carpeta = Path(tmp)
        _preparar_django(carpeta)
        from django.conf import settings
        from django.test import Client

        from cuentas import services
        from efirma import emision
        from efirma.llaves import firmar
        from efirma.verificacion import verificar_acceso

        ca = emision.crear_ca("AC de bench (SINTÉTICA)")
        (carpeta / "ca").mkdir()
        (carpeta / "ca" / "ca.cer").write_bytes(ca.certificado_der)
        settings.EFIRMA_CA_DIR = carpeta / "ca"
        settings.EFIRMA_REVOCACION = "none"
        rfc = "PEÑJ800101LM6"
        der, llave = emision.emitir_certificado(
            ca, rfc=rfc, nombre="MARÍA JOSÉ PEÑA NÚÑEZ (SINTÉTICO)"
        )

        # One client asking thousands of challenges a minute is exactly what the
        # per-address limit refuses; the bench measures the work, not the limit.
        settings.RETO_MAX_POR_DIRECCION = 10**9

        def firmado() -> tuple[str, bytes]:
            reto = services.crear_reto(sesion_key=None, direccion="127.0.0.1")
            return reto.reto_id, firmar(llave, reto.texto.encode("utf-8"))

        print(f"bench login: {args.veces} ejecuciones por medida, SQLite en {carpeta}")
        texto = b"BUZON-IMSS|bench"
        firma_fija = firmar(llave, texto)
        _cifras(
            "efirma.verificar_acceso",
            _medir(
                args.veces,
                lambda: None,
                lambda _: verificar_acceso(
                    rfc=rfc, certificado_der=der, mensaje=texto, firma=firma_fija
                ),
            ),
        )

        def iniciar(datos: tuple[str, bytes]) -> object:
            reto_id, firma = datos
            return services.iniciar_sesion_efirma(
                rfc=rfc,
                certificado_der=der,
                reto_id=reto_id,
                firma=firma,
                direccion="127.0.0.1",
                canal=services.CANAL_API,
                sesion_key=None,
            )

        _cifras("cuentas.services.iniciar_sesion_efirma", _medir(args.veces, firmado, iniciar))

        cliente = Client()

        def por_api(datos: tuple[str, bytes]) -> object:
            reto_id, firma = datos
            cuerpo = {
                "rfc": rfc,
                "certificado": base64.b64encode(der).decode(),
                "reto_id": reto_id,
                "firma": base64.b64encode(firma).decode(),
            }
            r = cliente.post("/api/v1/sesion", json.dumps(cuerpo), content_type="application/json")
            if r.status_code != 201:
                raise SystemExit(f"POST /api/v1/sesion respondió {r.status_code}: {r.content!r}")
            return r

        _cifras("POST /api/v1/sesion (cliente de pruebas)", _medir(args.veces, firmado, por_api))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
