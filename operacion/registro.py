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
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

ID_PETICION: ContextVar[str | None] = ContextVar("id_peticion", default=None)
RUTA: ContextVar[str | None] = ContextVar("ruta", default=None)


class FormatoJson(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # django.request logs a request's 4xx and 5xx after the middleware has returned,
        # and hands over the request itself.
        peticion = getattr(record, "request", None)
        coincidencia = getattr(peticion, "resolver_match", None)
        datos: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
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
        return json.dumps(datos, ensure_ascii=False, default=str)
