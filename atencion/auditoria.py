"""The audit of what the institution's staff see and do on a request: one
``promociones.ConsultaInstitucional`` row per view of its detail (page or API), per
download of its evidence or answer document, and per action.

Each row says who, with which role, for which area, when, what and through which door
(``web`` pages or the ``api``). The area and the role are copied as they are at that
moment: after a canalización the earlier rows keep the area that wrote them.

Views and downloads are recorded here, by the view that serves them, once it has found
the request (a folio outside the person's areas is a 404 and leaves nothing). Actions
are recorded by ``atencion.services`` inside the action's own transaction, so a refused
or failed action leaves no row. Staff of the request's area read every row with the
person; the taxpayer reads them without it (promociones.auditoria).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from atencion import acceso
from atencion.models import Adscripcion
from buzon.errores import NoEncontrada
from promociones.auditoria import ACCIONES, en_mexico
from promociones.models import ConsultaInstitucional, Solicitud

Accion = ConsultaInstitucional.Accion

WEB = "web"
API = "api"
CANALES = {WEB: "Web", API: "API"}
ROLES = dict(Adscripcion.Rol.choices)

# What a view or a download records; actions are recorded only by atencion.services.
CONSULTAS = frozenset({Accion.CONSULTA, Accion.EVIDENCIA, Accion.DOCUMENTO, Accion.ACUSE})

# The pipeline's action (promociones.pipeline.ACCIONES) → the audit's.
ACCION_DE_PASO = {
    "asignar": Accion.ASIGNACION,
    "nota": Accion.NOTA,
    "prorroga": Accion.PRORROGA,
    "canalizacion": Accion.CANALIZACION,
    "respuesta": Accion.RESPUESTA,
}


def registrar(
    *,
    solicitud_id: int,
    usuario_id: int,
    area_id: int,
    rol: str,
    accion: str,
    canal: str,
    momento: datetime,
) -> ConsultaInstitucional:
    """One row, one INSERT, in the caller's transaction if there is one."""
    if accion not in Accion.values or canal not in CANALES:
        raise ValueError(f"acción o canal de auditoría desconocidos: {accion!r}, {canal!r}")
    return ConsultaInstitucional.objects.create(
        solicitud_id=solicitud_id,
        usuario_id=usuario_id,
        area_id=area_id,
        rol=rol,
        accion=accion,
        canal=canal,
        creado=momento,
    )


def registrar_consulta(
    *, solicitud: Solicitud, usuario: Any, accion: str = Accion.CONSULTA, canal: str
) -> ConsultaInstitucional:
    """Records that ``usuario`` viewed ``solicitud`` or downloaded one of its files, for
    the request's area as it is now and her role there; returns the row (its ``rol`` is
    what the page needs to offer the actions).

    A person with no role in that area (it was re-routed a moment ago) gets the 404 of
    any folio outside her areas, and nothing is recorded.
    """
    if accion not in CONSULTAS:
        raise ValueError(f"{accion!r} es una acción: la registra atencion.services")
    rol = acceso.rol_en(usuario, solicitud.area_id)
    if rol is None:
        raise NoEncontrada()
    return registrar(
        solicitud_id=solicitud.pk,
        usuario_id=usuario.pk,
        area_id=solicitud.area_id,
        rol=rol,
        accion=accion,
        canal=canal,
        momento=timezone.now(),
    )


@dataclass(frozen=True)
class FilaAuditoria:
    """One row as staff read it: the person too, and the door she came through."""

    fecha: datetime
    usuario: str
    nombre: str
    rol: str
    rol_texto: str
    area: str  # clave
    area_nombre: str
    accion: str
    accion_texto: str
    canal: str

    @property
    def fecha_texto(self) -> str:
        return en_mexico(self.fecha, "%d/%m/%Y %H:%M:%S")

    @property
    def canal_texto(self) -> str:
        return CANALES.get(self.canal, self.canal)


def de_solicitud(solicitud: Solicitud) -> list[FilaAuditoria]:
    """The whole audit of ``solicitud``, oldest first, in one query."""
    filas = (
        ConsultaInstitucional.objects.filter(solicitud_id=solicitud.pk)
        .order_by("creado", "id")
        .values_list(
            "creado",
            "usuario__username",
            "usuario__first_name",
            "usuario__last_name",
            "rol",
            "area__clave",
            "area__nombre",
            "accion",
            "canal",
        )
    )
    return [
        FilaAuditoria(
            fecha=creado,
            usuario=username,
            nombre=f"{nombre} {apellido}".strip(),
            rol=rol,
            rol_texto=ROLES.get(rol, rol),
            area=area,
            area_nombre=area_nombre,
            accion=accion,
            accion_texto=ACCIONES.get(accion, accion),
            canal=canal,
        )
        for creado, username, nombre, apellido, rol, area, area_nombre, accion, canal in filas
    ]
