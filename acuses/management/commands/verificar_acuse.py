"""``manage.py verificar_acuse FILE.pdf…``: is each PDF an unaltered acuse? Offline.

Needs only the sealing certificates (current and rotated-out, from settings), never the
database: the signature, the signer and the cadena original with its sello are all in
the file. One JSON line per file; exit status 0 only when every file is a valid acuse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from acuses.verificacion import verificar_pdf


def verificar_archivo(archivo: str) -> tuple[bool, dict[str, Any]]:
    try:
        datos = Path(archivo).read_bytes()
    except OSError as exc:
        return False, {
            "archivo": archivo,
            "valido": False,
            "motivo": "archivo_no_legible",
            "mensaje": f"No se pudo abrir el archivo: {exc.strerror or exc}.",
        }
    resultado = verificar_pdf(datos, consultar_registro=False)
    objeto: dict[str, Any] = {
        "archivo": archivo,
        "valido": resultado.valido,
        "motivo": resultado.motivo,
        "mensaje": resultado.mensaje,
    }
    if resultado.valido:
        # Offline, for whoever holds the file: the facts exactly as sealed in it.
        objeto["hechos"] = resultado.hechos
    return resultado.valido, objeto


class Command(BaseCommand):
    help = (
        "Verifica sin conexión ni base de datos que cada PDF sea un acuse del Buzón IMSS "
        "sin alteraciones (firma PAdES, certificado de sello, cadena original y sello)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archivos", nargs="+", metavar="ARCHIVO.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        todos_validos = True
        for archivo in options["archivos"]:
            valido, objeto = verificar_archivo(archivo)
            todos_validos = todos_validos and valido
            self.stdout.write(json.dumps(objeto, ensure_ascii=False))
        if not todos_validos:
            raise SystemExit(1)
