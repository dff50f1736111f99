"""The acuse PDF worker: ``manage.py generar_acuses [--una-vez]``.

Renders and stores the PDFs of issued acuses, oldest first, so that filing and the other
steps that issue an acuse never render one inside their request (``acuses.archivo``).
Any number may run at once, on any machine that reaches the database and the storage.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections

from acuses.archivo import LOTE, generar_pendientes

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Genera y guarda los PDF de los acuses emitidos que aún no lo tienen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--una-vez", action="store_true", help="Genera lo pendiente y termina.")
        parser.add_argument(
            "--pausa",
            type=float,
            default=1.0,
            help="Segundos de espera entre dos revisiones de la cola (por omisión 1).",
        )
        parser.add_argument(
            "--lote",
            type=int,
            default=LOTE,
            help=f"Acuses que toma a la vez (por omisión {LOTE}).",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        while True:
            try:
                generados = generar_pendientes(limite=opciones["lote"])
            except DatabaseError:
                if opciones["una_vez"]:
                    raise
                # The database restarted or is busy: a new connection at the next round.
                logger.exception("No se pudo leer la cola de PDF de acuses")
                connections.close_all()
                generados = 0
            if generados:
                self.stdout.write(f"PDF de acuses guardados: {generados}")
            if opciones["una_vez"]:
                return
            time.sleep(opciones["pausa"])
