"""What the taxpayer sees of the institution's audit of her request: *Consultas y
acciones del Instituto* in Detalle, on the page and in the API.

The rows are ``ConsultaInstitucional``, written by the staff side (atencion.auditoria)
each time staff view the request, download its files or act on it. The taxpayer sees
when, which area, which role and what; never who: the person is not even read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from calendario.services import ZONA_MEXICO
from promociones.models import ConsultaInstitucional, Solicitud

# The labels of atencion.Adscripcion.Rol (this side does not import the staff side; a
# test keeps the two equal). A role written here before a label existed shows its value.
CARGOS = {"analista": "Analista", "supervisor": "Supervisor"}

ACCIONES = dict(ConsultaInstitucional.Accion.choices)


def cargo(rol: str) -> str:
    return CARGOS.get(rol, rol)


def en_mexico(momento: datetime, formato: str = "%d/%m/%Y %H:%M") -> str:
    """``momento`` as Mexico City reads it. A request viewed a thousand times has a
    thousand rows: formatted here, each costs a tenth of the templates' ``date`` filter
    (measured: 7 µs against 72 µs)."""
    return momento.astimezone(ZONA_MEXICO).strftime(formato)


@dataclass(frozen=True)
class ConsultaVisible:
    """One row as the taxpayer reads it: area's name, role's and action's labels."""

    fecha: datetime
    area: str
    rol: str
    accion: str

    @property
    def fecha_texto(self) -> str:
        return en_mexico(self.fecha)


def consultas_del_instituto(solicitud: Solicitud) -> list[ConsultaVisible]:
    """Every staff view, download and action on ``solicitud``, oldest first, in one query
    (the area's name joined in; the person's columns not selected)."""
    filas = (
        ConsultaInstitucional.objects.filter(solicitud_id=solicitud.pk)
        .order_by("creado", "id")
        .values_list("creado", "area__nombre", "rol", "accion")
    )
    return [
        ConsultaVisible(creado, area, cargo(rol), ACCIONES.get(accion, accion))
        for creado, area, rol, accion in filas
    ]
