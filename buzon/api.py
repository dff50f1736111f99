"""The JSON API's shared shape: one error format, JSON bodies, bearer tokens.

Every error is a 4xx with ``{"codigo": "<snake_case>", "mensaje": "<Spanish>"}``
(CONTRACT.md). Domain code raises :class:`ErrorDominio`; views and the API turn it
into a message next to a field or into that JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from buzon.errores import ErrorDominio

__all__ = ["ErrorDominio", "endpoint", "error_json", "leer_json", "respuesta_json"]


# How long a client should wait before trying again after a 503: a held database lock
# (SQLite's busy timeout is 20 s) or a restarting database usually clears within that.
REINTENTAR_TRAS_SEGUNDOS = 10


def error_json(error: ErrorDominio) -> JsonResponse:
    respuesta = JsonResponse(
        {"codigo": error.codigo, "mensaje": error.mensaje},
        status=error.status,
        json_dumps_params={"ensure_ascii": False},
    )
    if error.status == 503:
        respuesta["Retry-After"] = str(REINTENTAR_TRAS_SEGUNDOS)
    return respuesta


def respuesta_json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def leer_json(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or an ``ErrorDominio`` saying why not."""
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ErrorDominio("json_invalido") from None
    if not isinstance(data, dict):
        raise ErrorDominio("json_invalido.no_es_objeto")
    return data


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks an API view: no CSRF (bearer tokens, no cookies: token_requerido ignores the
    session cookie, so skipping CSRF gives a forged cross-site request nothing), and
    domain errors and refused methods as JSON."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            respuesta = view(request, *args, **kwargs)
        except ErrorDominio as exc:
            return error_json(exc)
        if isinstance(respuesta, HttpResponseNotAllowed):
            # require_GET/require_POST answer with an empty HTML 405: the contract wants JSON.
            metodo_no_permitido = error_json(
                ErrorDominio(
                    "metodo_no_permitido", metodo=request.method, permitidos=respuesta["Allow"]
                )
            )
            metodo_no_permitido["Allow"] = respuesta["Allow"]
            return metodo_no_permitido
        return respuesta

    return wrapper
