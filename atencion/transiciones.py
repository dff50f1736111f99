"""The status lifecycle of a solicitud as one table (DESIGN.md, "Status lifecycle").

Recibido → (En prórroga) → Atendido; Recibido/En prórroga → Canalizado →
(En prórroga) → Atendido. Anything the table does not list is refused with
``transicion_invalida`` (409). Pure: tested without a database.
"""

from __future__ import annotations

from enum import StrEnum

from buzon.errores import ErrorDominio
from promociones.models import Estatus


class Accion(StrEnum):
    PRORROGA = "prorroga"
    CANALIZACION = "canalizacion"
    RESPUESTA = "respuesta"


# (estatus actual, acción) → estatus nuevo.
TRANSICIONES: dict[tuple[str, Accion], str] = {
    (Estatus.RECIBIDO, Accion.PRORROGA): Estatus.EN_PRORROGA,
    (Estatus.RECIBIDO, Accion.CANALIZACION): Estatus.CANALIZADO,
    (Estatus.RECIBIDO, Accion.RESPUESTA): Estatus.ATENDIDO,
    (Estatus.EN_PRORROGA, Accion.CANALIZACION): Estatus.CANALIZADO,
    (Estatus.EN_PRORROGA, Accion.RESPUESTA): Estatus.ATENDIDO,
    (Estatus.CANALIZADO, Accion.PRORROGA): Estatus.EN_PRORROGA,
    (Estatus.CANALIZADO, Accion.RESPUESTA): Estatus.ATENDIDO,
}

_NOMBRE_ACCION = {
    Accion.PRORROGA: "otorgar una prórroga",
    Accion.CANALIZACION: "canalizar",
    Accion.RESPUESTA: "responder",
}


def permitidas(estatus: str) -> list[Accion]:
    """The actions the table allows from ``estatus``, in the order the page offers them."""
    return [accion for accion in Accion if (estatus, accion) in TRANSICIONES]


def siguiente_estatus(estatus: str, accion: Accion) -> str:
    """The status ``accion`` leads to from ``estatus``, or ``transicion_invalida``."""
    try:
        return TRANSICIONES[(estatus, accion)]
    except KeyError:
        texto = Estatus(estatus).label if estatus in Estatus.values else estatus
        raise ErrorDominio(
            "transicion_invalida",
            f"No se puede {_NOMBRE_ACCION[accion]} una solicitud con estatus «{texto}».",
            status=409,
        ) from None
