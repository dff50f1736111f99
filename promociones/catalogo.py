"""The one lookup of the catalog by clave: a servicio, and an asunto offered in it; and
the catalog's version, which tells a worker whether what it remembers of the catalog is
still current.

Filing (``promociones.services``), the taxpayer's pages and canalización
(``atencion.services``) all ask the same two questions; they ask them here, so an
inactive asunto or one not offered for the servicio is refused alike everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from promociones.models import Asunto, Servicio


def revisar_cada() -> float:
    """How often a worker asks the database whether the catalog changed (one primary-key
    read; CATALOGO_REVISAR_CADA_SEGUNDOS, 1 s): an administrator's edit shows on every
    worker of every server within this. promociones.consultas.catalogo_asuntos keeps
    the asunto list in between."""
    return float(settings.CATALOGO_REVISAR_CADA_SEGUNDOS)


def version_del_catalogo() -> int:
    """The catalog's version: the database raises it with every change to a servicio, an
    asunto or the servicios an asunto is offered in, in the change's own transaction
    (triggers of migration 0013; nothing else writes it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM promociones_versioncatalogo WHERE id = 1")
        fila = cursor.fetchone()
    return int(fila[0]) if fila else 0


def servicio_por_clave(clave: str) -> Servicio | None:
    return Servicio.objects.filter(clave=(clave or "").strip()).first()


def asunto_ofrecido(servicio: Servicio, clave: str) -> Asunto | None:
    """The active asunto ``clave`` when ``servicio`` offers it (with its area), else None."""
    return (
        Asunto.objects.filter(clave=(clave or "").strip(), activo=True, servicios=servicio)
        .select_related("area")
        .first()
    )
