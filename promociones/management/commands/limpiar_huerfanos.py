"""``manage.py limpiar_huerfanos``: the crash sweep (promociones.limpieza) on demand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from promociones.limpieza import ANTIGUEDAD, limpiar_huerfanos


class Command(BaseCommand):
    help = (
        "Borra los archivos guardados que ninguna fila nombra y los temporales de "
        "subidas interrumpidas, con más de una hora de antigüedad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutos",
            type=int,
            default=int(ANTIGUEDAD.total_seconds() // 60),
            help="Antigüedad mínima, en minutos, de lo que se borra (60 por omisión).",
        )

    def handle(self, *args: Any, **opciones: Any) -> None:
        barrido = limpiar_huerfanos(antiguedad=timedelta(minutes=opciones["minutos"]))
        for nombre in barrido.archivos:
            self.stdout.write(f"archivo sin fila borrado: {nombre}")
        for nombre in barrido.temporales:
            self.stdout.write(f"temporal borrado: {nombre}")
        self.stdout.write(
            f"{len(barrido.archivos)} archivos y {len(barrido.temporales)} temporales borrados."
        )
