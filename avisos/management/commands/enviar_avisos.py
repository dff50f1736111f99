"""The outbox worker: ``manage.py enviar_avisos [--una-vez]``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from avisos.services import entregar_pendientes


class Command(BaseCommand):
    help = "Envía los avisos pendientes (SMS) y reintenta los que fallaron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--una-vez", action="store_true", help="Envía lo pendiente y termina.")
        parser.add_argument(
            "--pausa",
            type=float,
            default=2.0,
            help="Segundos de espera entre dos revisiones (por omisión 2).",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        while True:
            enviados = entregar_pendientes()
            if enviados:
                self.stdout.write(f"Avisos procesados: {enviados}")
            if opciones["una_vez"]:
                return
            time.sleep(opciones["pausa"])
