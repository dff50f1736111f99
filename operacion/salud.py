"""``/salud`` and ``/salud/lista``, for load balancers and orchestrators (no login).

``/salud`` (liveness) answers 200 "ok" as long as the process serves requests, and
touches nothing else: a database outage must not get every app server restarted.
``/salud/lista`` (readiness) answers 200 when this server can serve: the database
answers a query, the file storage accepts a write and gives it back, and every
migration is applied (an app server of a new version waits for ``migrate``). Otherwise
503, naming what failed; the reason goes to the log, not to the anonymous caller.

Both are GET (or HEAD) only: they need no login, no session and no CSRF token (Django
checks the token on unsafe methods alone), and set no cookie.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from archivos.almacen import sondear

logger = logging.getLogger(__name__)

OK = "ok"
FALLA = "falla"
PENDIENTES = "pendientes"

# Once every migration is applied it stays so for this process's life: the check then
# costs nothing (loading the migration graph takes tens of milliseconds).
_migraciones_aplicadas = False


@require_safe
def salud(request: HttpRequest) -> HttpResponse:
    respuesta = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    respuesta["Cache-Control"] = "no-store"
    return respuesta


@require_safe
def lista(request: HttpRequest) -> JsonResponse:
    revisiones = {
        "base_de_datos": _base_de_datos(),
        "almacenamiento": _almacenamiento(),
        "migraciones": _migraciones(),
    }
    preparado = all(v == OK for v in revisiones.values())
    respuesta = JsonResponse({"lista": preparado, **revisiones}, status=200 if preparado else 503)
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def _base_de_datos() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Salud: la base de datos no respondió")
        return FALLA
    return OK


def _almacenamiento() -> str:
    try:
        sondear()
    except Exception:
        logger.exception("Salud: el almacenamiento de archivos no respondió")
        return FALLA
    return OK


def _migraciones() -> str:
    global _migraciones_aplicadas
    if _migraciones_aplicadas:
        return OK
    try:
        ejecutor = MigrationExecutor(connection)
        plan = ejecutor.migration_plan(ejecutor.loader.graph.leaf_nodes())
    except Exception:
        logger.exception("Salud: no se pudo consultar el estado de las migraciones")
        return FALLA
    if plan:
        logger.warning("Salud: %d migraciones sin aplicar", len(plan))
        return PENDIENTES
    _migraciones_aplicadas = True
    return OK
