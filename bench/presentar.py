"""Filings as a client sends them, for the benches that file: zips, multipart bodies,
taxpayers with API tokens, and the environment of a server process.

The zips are real (a CSV of payroll-like rows and incompressible bytes, stored), the
bodies are what ``POST /api/v1/solicitudes`` takes (Aclaración, Emisiones, a phone, the
zip), and the taxpayers and tokens are rows made the way the login leaves them. The data
is synthetic and says so.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.carga import RAIZ, detener

FRONTERA = "----buzonbenchfrontera7MA4YWxkTrZu0gW"
RUTA = "/api/v1/solicitudes"
CAMPOS = {
    "servicio": "aclaracion",
    "asunto": "emisiones",
    "descripcion": (
        "DATO SINTÉTICO DE BENCH. Aclaración de cuotas de noviembre: la emisión incluye "
        "trabajadores dados de baja; adjunto los movimientos afiliatorios."
    ),
    "telefono": "5512345678",
}
# What every good answer to a filing contains: its acuse de recepción was sealed.
MARCA_ACUSE = '"tipo": "recepcion"'


def escribir_zip(destino: Path, total: int, *, semilla: bytes = b"") -> str:
    """A valid zip of exactly ``total`` bytes (a CSV, then incompressible bytes, stored);
    ``semilla`` makes its content distinct. Returns its SHA-256."""
    fila = b"2025-11-14,AAA010101AAA,Cuota obrero patronal,1234.56\n"

    def construir(archivo: Any, largo: int) -> None:
        with (
            zipfile.ZipFile(archivo, "w", compression=zipfile.ZIP_STORED) as z,
            z.open(zipfile.ZipInfo("evidencias/nomina.csv"), "w") as entrada,
        ):
            bloque = semilla + fila * 1200
            escritos = 0
            while escritos < largo:
                parte = bloque[: largo - escritos]
                entrada.write(parte)
                escritos += len(parte)

    prueba = io.BytesIO()
    construir(prueba, 1000)
    encabezados = len(prueba.getvalue()) - 1000
    with destino.open("wb") as archivo:
        construir(archivo, total - encabezados)
    if destino.stat().st_size != total:
        raise RuntimeError(f"zip de {destino.stat().st_size} bytes, se pedían {total}")
    return hashlib.sha256(destino.read_bytes()).hexdigest()


def escribir_cuerpo(destino: Path, evidencia: Path, campos: dict[str, str] | None = None) -> None:
    """The multipart body of a filing, the zip copied in from disk."""
    with destino.open("wb") as cuerpo, evidencia.open("rb") as archivo:
        for nombre, valor in (campos or CAMPOS).items():
            cuerpo.write(
                f'--{FRONTERA}\r\nContent-Disposition: form-data; name="{nombre}"\r\n\r\n'
                f"{valor}\r\n".encode()
            )
        cuerpo.write(
            (
                f"--{FRONTERA}\r\n"
                'Content-Disposition: form-data; name="evidencia"; filename="evidencia.zip"\r\n'
                "Content-Type: application/zip\r\n\r\n"
            ).encode()
        )
        shutil.copyfileobj(archivo, cuerpo, 1024 * 1024)
        cuerpo.write(f"\r\n--{FRONTERA}--\r\n".encode())


def cabeceras(token: str, largo: int | None = None) -> dict[str, str]:
    resultado = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={FRONTERA}",
    }
    if largo is not None:
        resultado["Content-Length"] = str(largo)
    return resultado


def entorno(
    datos: Path,
    *,
    base: str = "",
    s3: dict[str, str] | None = None,
    registro: str = "WARNING",
) -> dict[str, str]:
    """The environment of a server (or a child that prepares its data): data dir,
    database (``base``, a PostgreSQL URL, or "" for SQLite in the data dir), bucket
    (``s3``, the BUZON_S3_* variables, or None for files in the data dir) and the bench
    settings (the product's plus the bare view)."""
    valores = dict(os.environ)
    for clave in list(valores):
        if clave.startswith(("BUZON_S3_", "AWS_")) or clave == "DATABASE_URL":
            del valores[clave]
    valores.pop("BUZON_DEBUG", None)
    valores.update(
        BUZON_DATA_DIR=str(datos),
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        BUZON_LOG_LEVEL=registro,
        PYTHONPATH=os.pathsep.join(p for p in (str(RAIZ), valores.get("PYTHONPATH", "")) if p),
    )
    if base:
        valores["DATABASE_URL"] = base
    valores.update(s3 or {})
    return valores


def contribuyentes_con_token(cuantos: int, prefijo: str) -> list[tuple[str, str]]:
    """``cuantos`` taxpayers (personas morales: RFC ``<prefijo>`` of 3 letters, 250101 and
    the number in base 36) with a new session token each, valid two hours; returns
    (RFC, token). Needs Django set up."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from cuentas.models import Contribuyente, TokenApi

    ahora = timezone.now()
    salida = []
    with transaction.atomic():
        for i in range(cuantos):
            digitos = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            rfc = f"{prefijo[:3]}250101" + "".join(digitos[(i // 36**k) % 36] for k in (2, 1, 0))
            usuario, _ = get_user_model().objects.get_or_create(username=rfc)
            Contribuyente.objects.get_or_create(
                usuario=usuario,
                defaults={"rfc": rfc, "nombre": f"EMPRESA SINTÉTICA DE BENCH {i}", "tipo": "moral"},
            )
            clave = secrets.token_urlsafe(32)
            TokenApi.objects.create(
                usuario=usuario,
                clave_sha256=TokenApi.hash_de(clave),
                tipo=TokenApi.Tipo.SESION,
                creado=ahora,
                ultimo_uso=ahora,
                expira=ahora + timedelta(hours=2),
            )
            salida.append((rfc, clave))
    return salida


def preparar_django() -> None:
    """Django set up against the environment's database: migrated, with a sealing key
    (the demo one, in the data dir, unless BUZON_SELLO_* name another)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("sello_demo", verbosity=0)


class GeneradorDeAcuses:
    """``manage.py generar_acuses``, the acuse PDF worker, beside the server as deployed:
    filings queue their acuse's PDF and this process renders them. Started with the
    server's environment; stopped with SIGTERM. Everything it writes goes to
    ``registro``."""

    def __init__(self, entorno: dict[str, str] | os._Environ[str], registro: Path) -> None:
        self.entorno = dict(entorno)
        self.registro = registro
        self.proceso: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> GeneradorDeAcuses:
        self.registro.parent.mkdir(parents=True, exist_ok=True)
        with self.registro.open("wb") as salida:
            self.proceso = subprocess.Popen(
                [sys.executable, "manage.py", "generar_acuses", "--pausa", "0.5"],
                cwd=RAIZ, env=self.entorno, stdout=salida, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proceso is not None:
            detener(self.proceso)


def esperar_pdfs(limite: float = 900) -> tuple[int, float]:
    """Waits until no acuse waits for its PDF; returns (how many waited at the start,
    seconds until none did). Raises RuntimeError after ``limite`` seconds. Needs Django
    set up."""
    from acuses.models import PdfPendiente

    inicio = time.perf_counter()
    al_empezar = PdfPendiente.objects.count()
    quedan = al_empezar
    while quedan:
        if time.perf_counter() - inicio > limite:
            raise RuntimeError(f"{quedan} acuses siguen sin PDF tras {limite:.0f} s")
        time.sleep(0.2)
        quedan = PdfPendiente.objects.count()
    return al_empezar, time.perf_counter() - inicio
