"""``manage.py efirma_inspect FILE…``: what a certificate says, one JSON line per file."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from efirma.certificados import leer_certificado
from efirma.errores import ErrorEfirma

_MOTIVOS = {
    errno.ENOENT: "no existe",
    errno.EACCES: "no hay permiso para leerlo",
    errno.EISDIR: "es una carpeta, no un archivo",
}


def inspeccionar(archivo: str) -> tuple[bool, dict[str, Any]]:
    """(read?, the JSON object CONTRACT.md describes for ``archivo``)."""
    try:
        data = Path(archivo).read_bytes()
    except OSError as exc:
        motivo = _MOTIVOS.get(exc.errno or 0, "no se pudo leer")
        return False, {
            "archivo": archivo,
            "error": "archivo_no_legible",
            "mensaje": f"No se pudo abrir el archivo: {motivo}. Revisa la ruta.",
        }
    try:
        certificado = leer_certificado(data)
    except ErrorEfirma as exc:
        return False, {"archivo": archivo, "error": exc.codigo, "mensaje": exc.mensaje}
    return True, {"archivo": archivo, **certificado.a_dict()}


class Command(BaseCommand):
    help = "Muestra, en una línea JSON por archivo, los datos de certificados .cer (DER o PEM)."
    # It only reads files: no database, no URLs, so the project's checks are not run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archivos", nargs="+", metavar="ARCHIVO")

    def handle(self, *args: Any, **options: Any) -> None:
        todos_leidos = True
        for archivo in options["archivos"]:
            leido, objeto = inspeccionar(archivo)
            todos_leidos = todos_leidos and leido
            self.stdout.write(json.dumps(objeto, ensure_ascii=False))
        if not todos_leidos:
            # Exit status 1 tells scripts that at least one file was not a certificate;
            # the JSON lines above say which and why.
            raise SystemExit(1)
