"""Peak memory of a worker receiving a 10 MB evidence POST.

Requirement (issue 3): the worker's peak memory grows by less than 15 MB while it
receives an evidence file just under the 10 MB limit.

Each measurement runs in a fresh process that serves one request through Django's
own WSGI handler with the project's settings and whole middleware stack. The view
does what the filing endpoint does with the file (install the capped hashing
handler, check the limit flag, validate, scan, store) without the database rows.
The request body is read from a file on disk, as a WSGI server hands it over, so the
client side holds nothing in the worker.

Figures, per mode:
- VmHWM growth: the kernel's peak resident set after the request minus the resident
  set before it; the peak is reset first through /proc/self/clear_refs.
- tracemalloc peak: Python allocations during the request (separate run, since
  tracing itself costs memory).
A contrast mode reads the whole upload into memory, to show the method sees 10 MB
when 10 MB are held.

Usage, from the repository root: ``.venv/bin/python bench/bench_evidencia.py``
(exit status 1 if the requirement is not met).
"""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from pathlib import Path
from typing import Any

RAIZ = Path(__file__).resolve().parent.parent
LIMITE_CRECIMIENTO = 15 * 1024 * 1024
TAMANO_EVIDENCIA = 10 * 1024 * 1024 - 1  # 10,485,759 bytes: the largest accepted
FRONTERA = "----buzonbenchfrontera7MA4YWxkTrZu0gW"


# --- the parent: builds the request bodies, runs each mode in a fresh process -------


def escribir_zip(destino: Path, total: int) -> None:
    """A valid zip of exactly ``total`` bytes: CSV and incompressible data, stored."""
    fila = b"2025-11-14,AAA010101AAA,Cuota obrero patronal,1234.56\n"

    def construir(archivo: Any, largo: int) -> None:
        with (
            zipfile.ZipFile(archivo, "w", compression=zipfile.ZIP_STORED) as z,
            z.open(zipfile.ZipInfo("evidencias/nomina.csv"), "w") as entrada,
        ):
            escritos = 0
            bloque = fila * 1200
            while escritos < largo:
                parte = bloque[: largo - escritos]
                entrada.write(parte)
                escritos += len(parte)

    prueba = io.BytesIO()
    construir(prueba, 1000)
    encabezados = len(prueba.getvalue()) - 1000
    with destino.open("wb") as archivo:
        construir(archivo, total - encabezados)
    assert destino.stat().st_size == total, destino.stat().st_size


def escribir_cuerpo(destino: Path, evidencia: Path) -> None:
    """The multipart body a browser sends, streamed from the zip file on disk."""
    with destino.open("wb") as cuerpo, evidencia.open("rb") as archivo:
        cuerpo.write(
            (
                f"--{FRONTERA}\r\n"
                'Content-Disposition: form-data; name="descripcion"\r\n\r\n'
                "Aclaración de cuotas de noviembre\r\n"
                f"--{FRONTERA}\r\n"
                'Content-Disposition: form-data; name="evidencia"; filename="evidencia.zip"\r\n'
                "Content-Type: application/zip\r\n\r\n"
            ).encode()
        )
        shutil.copyfileobj(archivo, cuerpo, 1024 * 1024)
        cuerpo.write(f"\r\n--{FRONTERA}--\r\n".encode())


def medir(modo: str, cuerpo: Path, calentamiento: Path, datos: Path) -> dict[str, Any]:
    entorno = {**os.environ, "BUZON_DATA_DIR": str(datos), "BUZON_ANTIVIRUS": "null"}
    entorno.setdefault("DJANGO_SETTINGS_MODULE", "buzon.settings")
    salida = subprocess.run(
        [sys.executable, __file__, "--hijo", modo, str(cuerpo), str(calentamiento)],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        check=False,
    )
    if salida.returncode != 0:
        raise SystemExit(f"el proceso de medición falló ({modo}):\n{salida.stderr}")
    resultado: dict[str, Any] = json.loads(salida.stdout.strip().splitlines()[-1])
    return resultado


def mb(valor: float) -> str:
    return f"{valor / (1024 * 1024):6.2f} MB"


def principal() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-evidencia-") as carpeta:
        tmp = Path(carpeta)
        zip_grande, zip_chico = tmp / "grande.zip", tmp / "chico.zip"
        escribir_zip(zip_grande, TAMANO_EVIDENCIA)
        escribir_zip(zip_chico, 4096)
        cuerpo, calentamiento = tmp / "cuerpo.bin", tmp / "calentamiento.bin"
        escribir_cuerpo(cuerpo, zip_grande)
        escribir_cuerpo(calentamiento, zip_chico)
        print(
            f"Evidencia: {TAMANO_EVIDENCIA:,} bytes; cuerpo POST: {cuerpo.stat().st_size:,} bytes"
        )
        print(f"Python {sys.version.split()[0]}, medición en procesos nuevos, 3 repeticiones\n")
        filas = []
        for modo in ("manejador", "tracemalloc", "contraste"):
            corridas: list[dict[str, Any]] = []
            for _ in range(3):
                datos = tmp / f"datos-{modo}-{len(corridas)}"
                corridas.append(medir(modo, cuerpo, calentamiento, datos))
                shutil.rmtree(datos, ignore_errors=True)
            filas.append((modo, corridas))
        cumple = True
        for modo, corridas in filas:
            estados = {c["estado"] for c in corridas}
            if modo == "tracemalloc":
                picos = [c["tracemalloc_pico"] for c in corridas]
                print(
                    f"{modo:12} tracemalloc pico: máx {mb(max(picos))}  "
                    f"(corridas: {', '.join(mb(p).strip() for p in picos)})  estado {estados}"
                )
                continue
            crec = [c["crecimiento_hwm"] for c in corridas]
            print(
                f"{modo:12} crecimiento VmHWM: máx {mb(max(crec))}  "
                f"(corridas: {', '.join(mb(c).strip() for c in crec)})  "
                f"RSS antes {mb(corridas[0]['rss_antes']).strip()}  "
                f"{corridas[0]['segundos'] * 1000:.0f} ms  estado {estados}"
            )
            if modo == "manejador":
                recibidos = {c["respuesta"]["bytes"] for c in corridas}
                cumple = (
                    max(crec) < LIMITE_CRECIMIENTO
                    and estados == {201}
                    and recibidos == {TAMANO_EVIDENCIA}
                )
        print(
            f"\nRequisito: crecimiento < {mb(LIMITE_CRECIMIENTO).strip()} con el manejador: "
            + ("CUMPLE" if cumple else "NO CUMPLE")
        )
        return 0 if cumple else 1


# --- the child: one fresh worker process, one measured request ---------------------


def _kb_de_status(campo: str) -> int:
    for linea in Path("/proc/self/status").read_text().splitlines():
        if linea.startswith(campo + ":"):
            return int(linea.split()[1]) * 1024
    raise RuntimeError(f"{campo} no está en /proc/self/status")


def _urlconf(modo: str) -> types.ModuleType:
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.urls import path

    from buzon.api import endpoint
    from promociones.evidencias import validar_y_guardar_evidencia
    from promociones.subidas import instalar_manejadores, revisar_subida

    @endpoint
    def recibir(request: HttpRequest) -> HttpResponse:
        if modo != "contraste":
            instalar_manejadores(request)
            revisar_subida(request)
        archivo = request.FILES.get("evidencia")
        assert archivo is not None
        if modo == "contraste":
            # What the requirement forbids: the whole file in the worker's memory.
            contenido = archivo.read()
            return JsonResponse({"bytes": len(contenido)}, status=201)
        guardada = validar_y_guardar_evidencia(archivo)
        return JsonResponse({"bytes": guardada.bytes, "sha256": guardada.sha256}, status=201)

    modulo = types.ModuleType("urls_bench_evidencia")
    modulo.urlpatterns = [  # type: ignore[attr-defined]
        path("evidencia/", recibir, name="bench_evidencia")
    ]
    return modulo


def _peticion(handler: Any, cuerpo: Path) -> tuple[int, bytes]:
    estado: list[int] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        estado.append(int(status.split()[0]))
        return lambda _datos: None

    with cuerpo.open("rb") as entrada:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/evidencia/",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": f"multipart/form-data; boundary={FRONTERA}",
            "CONTENT_LENGTH": str(cuerpo.stat().st_size),
            "wsgi.input": entrada,
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        respuesta = handler(environ, start_response)
        try:
            contenido = b"".join(respuesta)
        finally:
            respuesta.close()
    return estado[0], contenido


def hijo(modo: str, cuerpo: Path, calentamiento: Path) -> None:
    sys.path.insert(0, str(RAIZ))
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    settings.ROOT_URLCONF = _urlconf(modo)
    # The filing route's body limit (buzon.middleware's table, by URL name) for the
    # bench's route, without its sign-in condition: this measures the upload, not the
    # session, and the general limit would refuse 10 MB with a 413 before any reading.
    from dataclasses import replace

    from buzon.middleware import limites_por_ruta

    limites = limites_por_ruta()
    limites["bench_evidencia"] = replace(limites["promociones:nueva"], requiere_sesion=False)
    handler = WSGIHandler()
    # One small request first, so that lazy imports and caches are not counted.
    estado, contenido = _peticion(handler, calentamiento)
    if estado != 201:
        raise SystemExit(f"calentamiento: {estado} {contenido!r}")
    gc.collect()
    resultado: dict[str, Any] = {"modo": modo}
    if modo == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        inicio = time.perf_counter()
        estado, contenido = _peticion(handler, cuerpo)
        resultado["segundos"] = time.perf_counter() - inicio
        resultado["tracemalloc_pico"] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    else:
        rss_antes = _kb_de_status("VmRSS")
        # "5" resets the peak resident set (VmHWM) to the current one (Linux >= 4.0).
        Path("/proc/self/clear_refs").write_text("5")
        inicio = time.perf_counter()
        estado, contenido = _peticion(handler, cuerpo)
        resultado["segundos"] = time.perf_counter() - inicio
        resultado["rss_antes"] = rss_antes
        resultado["crecimiento_hwm"] = _kb_de_status("VmHWM") - rss_antes
    resultado["estado"] = estado
    resultado["respuesta"] = json.loads(contenido)
    print(json.dumps(resultado))


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m bench evidencia`` (the runner passes no options)."""
    return principal()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--hijo":
        hijo(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        sys.exit(principal())
