"""Which requests a taxpayer may see: one place, so that missing and forbidden look
identical (``NoEncontrada``, answered alike by pages and the API)."""

from __future__ import annotations

from typing import Any

from buzon.errores import NO_ENCONTRADA, NoEncontrada
from promociones.models import Solicitud

__all__ = ["NO_ENCONTRADA", "NoEncontrada", "solicitud_de_contribuyente"]


def solicitud_de_contribuyente(user: Any, folio: str, *, for_update: bool = False) -> Solicitud:
    """The request ``folio`` if it belongs to ``user``'s taxpayer; NoEncontrada otherwise.

    An unknown folio and another taxpayer's folio raise the same NoEncontrada with the same
    message and cost the same single query, so a folio's existence never leaks.
    """
    contribuyente = getattr(user, "contribuyente", None) if user.is_authenticated else None
    if contribuyente is None:
        raise NoEncontrada()
    consulta = Solicitud.objects.select_related("servicio", "asunto", "area", "contribuyente")
    if for_update:
        # of=("self",) keeps PostgreSQL from locking the catalog rows joined in.
        consulta = consulta.select_for_update(of=("self",))
    try:
        return consulta.get(folio=folio, contribuyente=contribuyente)
    except Solicitud.DoesNotExist:
        raise NoEncontrada() from None
