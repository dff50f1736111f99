"""Who may see a request: one place, so that missing and forbidden look identical."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from promociones.models import Solicitud

NO_ENCONTRADA = "No existe una solicitud con ese folio."


def solicitud_de_contribuyente(user: Any, folio: str, *, for_update: bool = False) -> Solicitud:
    """The request ``folio`` if it belongs to ``user``'s taxpayer; Http404 otherwise.

    An unknown folio and another taxpayer's folio raise the same Http404 with the same
    message and cost the same single query, so a folio's existence never leaks.
    """
    contribuyente = getattr(user, "contribuyente", None) if user.is_authenticated else None
    if contribuyente is None:
        raise Http404(NO_ENCONTRADA)
    consulta = Solicitud.objects.select_related("servicio", "asunto", "area", "contribuyente")
    if for_update:
        # of=("self",) keeps PostgreSQL from locking the catalog rows joined in.
        consulta = consulta.select_for_update(of=("self",))
    try:
        return consulta.get(folio=folio, contribuyente=contribuyente)
    except Solicitud.DoesNotExist:
        raise Http404(NO_ENCONTRADA) from None
