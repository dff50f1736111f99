"""Structured logs: one JSON object per line, each carrying its request's id.

Every line has the same keys, so a log pipeline reads them without guessing: ``time``
(UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``, ``route`` (the URL
name), ``status`` and ``duration_ms``; the last two are filled on the one line each
request ends with (``operacion.middleware``) and on Django's own request warnings, and
are null elsewhere. A traceback goes in ``exception``, inside the same line.

The request id and route live in context variables set by the middleware, so a line
logged anywhere while a request is served (a view, a service, a model) carries them
without being passed anything. This module imports nothing of Django: the logging
configuration loads it before the apps.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from typing import Any

ID_PETICION: ContextVar[str | None] = ContextVar("id_peticion", default=None)
RUTA: ContextVar[str | None] = ContextVar("ruta", default=None)


class FormatoJson(logging.Formatter):
    # One encoder for every line (json.dumps with options builds a new one per call), and
    # the second's text made once per second: a line per request must stay cheap.
    _json = json.JSONEncoder(ensure_ascii=False, default=str)
    _segundo: tuple[int, str] = (-1, "")  # replaced whole, so threads never see half

    def format(self, record: logging.LogRecord) -> str:
        # django.request logs a request's 4xx and 5xx after the middleware has returned,
        # and hands over the request itself.
        peticion = getattr(record, "request", None)
        coincidencia = getattr(peticion, "resolver_match", None)
        datos: dict[str, Any] = {
            "time": self._tiempo(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None)
            or getattr(peticion, "id_peticion", None)
            or ID_PETICION.get(),
            "route": getattr(record, "route", None)
            or (coincidencia.view_name if coincidencia is not None else None)
            or RUTA.get(),
            # django.request's warnings and errors name the status as status_code.
            "status": getattr(record, "status", None) or getattr(record, "status_code", None),
            "duration_ms": getattr(record, "duration_ms", None),
        }
        if record.exc_info:
            datos["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            datos["stack"] = self.formatStack(record.stack_info)
        return self._json.encode(datos)

    def _tiempo(self, momento: float) -> str:
        """``AAAA-MM-DDTHH:MM:SS.mmmZ`` (UTC)."""
        segundo = int(momento)
        guardado, texto = self._segundo
        if segundo != guardado:
            texto = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(segundo))
            self._segundo = (segundo, texto)
        # Microseconds first, as datetime rounds them: 0.123 is 0.12299… in binary.
        milisegundos = min(round((momento - segundo) * 1_000_000) // 1000, 999)
        return f"{texto}.{milisegundos:03d}Z"
