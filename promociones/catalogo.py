"""The one lookup of the catalog by clave: a servicio, and an asunto offered in it.

Filing (``promociones.services``), the taxpayer's pages and canalización
(``atencion.services``) all ask the same two questions; they ask them here, so an
inactive asunto or one not offered for the servicio is refused alike everywhere.
"""

from __future__ import annotations

from promociones.models import Asunto, Servicio


def servicio_por_clave(clave: str) -> Servicio | None:
    return Servicio.objects.filter(clave=(clave or "").strip()).first()


def asunto_ofrecido(servicio: Servicio, clave: str) -> Asunto | None:
    """The active asunto ``clave`` when ``servicio`` offers it (with its area), else None."""
    return (
        Asunto.objects.filter(clave=(clave or "").strip(), activo=True, servicios=servicio)
        .select_related("area")
        .first()
    )
