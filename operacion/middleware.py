"""The outermost middleware: a request id, one log line and the metrics of each request.

The id comes from the ``X-Request-ID`` header when it is a plausible one (a load
balancer or a client that already made one, so the same id follows the request through
every layer), otherwise a new one; it is returned in the response's ``X-Request-ID``
and is on every log line written while the request is served (``operacion.registro``).

It sits first so that whatever answers (a view, another middleware's refusal, the
error handlers) is counted and timed. The time measured is until the response is
built; a streamed download's transfer is the client's and the network's.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve

from operacion import metricas
from operacion.registro import ID_PETICION, RUTA

logger = logging.getLogger("operacion.peticiones")

CABECERA = "X-Request-ID"
# What a request id may be: short, and nothing a log line or a header could trip on.
ID_VALIDO = re.compile(r"[A-Za-z0-9._-]{1,64}")
SIN_RUTA = "sin_ruta"  # no URL pattern matched (a 404 of the resolver)
ESTATICOS = "estaticos"  # answered by WhiteNoise before any URL is resolved


def id_de_peticion(recibido: str | None) -> str:
    """``recibido`` when it is a valid request id, else a new one (uuid4, hex)."""
    if recibido and ID_VALIDO.fullmatch(recibido):
        return recibido
    return uuid.uuid4().hex


class Observacion:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        inicio = time.perf_counter()
        id_peticion = id_de_peticion(request.headers.get(CABECERA))
        request.id_peticion = id_peticion  # type: ignore[attr-defined]
        marca_id = ID_PETICION.set(id_peticion)
        marca_ruta = RUTA.set(None)
        try:
            respuesta = self.get_response(request)
            duracion = time.perf_counter() - inicio
            ruta = _ruta(request)
            respuesta[CABECERA] = id_peticion
            metricas.contar_peticion(ruta, request.method or "", respuesta.status_code, duracion)
            logger.info(
                "%s %s %d",
                request.method,
                ruta,
                respuesta.status_code,
                extra={
                    "route": ruta,
                    "status": respuesta.status_code,
                    "duration_ms": round(duracion * 1000, 2),
                },
            )
            return respuesta
        finally:
            RUTA.reset(marca_ruta)
            ID_PETICION.reset(marca_id)

    def process_view(self, request: HttpRequest, vista: Any, args: Any, kwargs: Any) -> None:
        # From here on, every line this request logs names its route.
        if request.resolver_match is not None:
            RUTA.set(request.resolver_match.view_name)


def _ruta(request: HttpRequest) -> str:
    coincidencia = getattr(request, "resolver_match", None)
    if coincidencia is not None:
        return str(coincidencia.view_name)
    if request.path_info.startswith(settings.STATIC_URL):
        return ESTATICOS
    # Answered before its view was reached (a body over its route's limit, say): the
    # route is still the one the path names.
    try:
        return str(resolve(request.path_info).view_name)
    except Resolver404:
        return SIN_RUTA
