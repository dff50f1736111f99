"""Solicitud.canalizada: the day a request was canalized, apart from the date the Tablero
shows (guide VIII.3).

Until now a canalización wrote its own day into fecha_respuesta_o_canalizacion; the
guide reads the new response date there. For requests canalized before this migration
the history has both: the CANALIZADA event's moment (its Mexico City day is
``canalizada``) and the date it set (``datos["respuesta_a_partir_del"]``), which becomes
the Tablero's date unless the request was answered since (then it keeps the day it was
answered). Rows are read and written in batches, so a large table is never held whole.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.db import migrations, models

MEXICO = ZoneInfo("America/Mexico_City")
LOTE = 2000


def _fecha(valor: object) -> date | None:
    try:
        return date.fromisoformat(valor) if isinstance(valor, str) else None
    except ValueError:
        return None


def separar_fechas(apps, schema_editor):
    Solicitud = apps.get_model("promociones", "Solicitud")
    Evento = apps.get_model("promociones", "Evento")
    eventos = (
        Evento.objects.filter(tipo="canalizada")
        .order_by("solicitud_id", "creado", "id")
        .values_list("solicitud_id", "creado", "datos")
    )
    vistas: set[int] = set()
    lote: dict[int, tuple[date, date | None]] = {}

    def escribir() -> None:
        filas = list(
            Solicitud.objects.filter(pk__in=lote).only(
                "id", "estatus", "fecha_respuesta_o_canalizacion"
            )
        )
        for s in filas:
            dia, nueva = lote[s.pk]
            s.canalizada = dia
            if s.estatus != "atendido" and nueva is not None:
                s.fecha_respuesta_o_canalizacion = nueva
        Solicitud.objects.bulk_update(
            filas, ["canalizada", "fecha_respuesta_o_canalizacion"], batch_size=LOTE
        )
        lote.clear()

    for solicitud_id, creado, datos in eventos.iterator(chunk_size=LOTE):
        if solicitud_id in vistas:  # only one canalización per request; the first counts
            continue
        vistas.add(solicitud_id)
        nueva = _fecha((datos or {}).get("respuesta_a_partir_del"))
        lote[solicitud_id] = (creado.astimezone(MEXICO).date(), nueva)
        if len(lote) >= LOTE:
            escribir()
    if lote:
        escribir()


def juntar_fechas(apps, schema_editor):
    """Backwards: the canalization day goes back where it was."""
    Solicitud = apps.get_model("promociones", "Solicitud")
    Solicitud.objects.filter(canalizada__isnull=False).exclude(estatus="atendido").update(
        fecha_respuesta_o_canalizacion=models.F("canalizada")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0010_cola_de_personal"),
    ]

    operations = [
        migrations.AddField(
            model_name="solicitud",
            name="canalizada",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(separar_fechas, juntar_fechas),
    ]
