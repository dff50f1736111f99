"""The calm reminder to register contact means, offered on the Tablero (where a
taxpayer lands after login) while the RFC has none confirmed and the person has not
postponed it.

The check is made once per session, on the first Tablero view, and its answer kept in
the session: the Tablero is the service's busiest page (decision 0012) and must not pay
a query on every view for a reminder. Confirming a means or postponing the reminder in
this session clears it at once (``contacto.views``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from contacto import services
from contacto.views import RECORDATORIO  # session key: True show it, False do not

PAGINAS = frozenset({"promociones:tablero"})


def recordatorio(request: HttpRequest) -> dict[str, Any]:
    coincidencia = getattr(request, "resolver_match", None)
    if coincidencia is None or coincidencia.view_name not in PAGINAS:
        return {}
    contribuyente = getattr(request.user, "contribuyente", None)
    if contribuyente is None:
        return {}
    sesion = request.session
    mostrar = sesion.get(RECORDATORIO)
    if mostrar is None:
        mostrar = not services.tiene_confirmados(contribuyente)
        sesion[RECORDATORIO] = mostrar
    return {"recordatorio_medios": True} if mostrar else {}
