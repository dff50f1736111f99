"""Prometheus metrics at ``/metricas``, behind a bearer token.

Two kinds of figures:

- Per request, counted by the middleware in each process: requests by route name,
  method and status, and their latency as a histogram by route. Under gunicorn each
  worker writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (set by
  gunicorn.conf.py) and a scrape of any worker adds up every worker's, so one scrape
  per app server sees the whole server. Labels are route names, never paths: a folio
  in a path would make a series per request.
- Of the whole service, read from the database at scrape time, so every app server
  reports the same figures and a restart loses nothing: requests filed (by service),
  acuses issued (by type), acuses whose PDF the ``generar_acuses`` worker has not
  stored yet and the age of the oldest, notices by state and channel, the age of the
  oldest notice still pending, stored files that failed their check. Being the same on
  every server, they are best scraped from one (or read with ``max``, not ``sum``).

Without ``BUZON_METRICAS_TOKEN`` the route answers 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import multiprocess as multiproceso
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

# The per-request metrics of this process (when not under gunicorn's multiprocess mode).
REGISTRO = CollectorRegistry(auto_describe=True)

PETICIONES = Counter(
    "buzon_peticiones",
    "Peticiones atendidas, por nombre de ruta, método y código de estado.",
    ["ruta", "metodo", "estado"],
    registry=REGISTRO,
)
DURACION = Histogram(
    "buzon_peticion_segundos",
    "Tiempo de servidor de cada petición (hasta armar la respuesta), por nombre de ruta.",
    ["ruta"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRO,
)
METODOS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def contar_peticion(ruta: str, metodo: str, estado: int, segundos: float) -> None:
    # Any other method string a client sends is one label value, not one per spelling.
    metodo = metodo if metodo in METODOS else "otro"
    PETICIONES.labels(ruta, metodo, str(estado)).inc()
    DURACION.labels(ruta).observe(segundos)


class DatosDelServicio(Collector):
    """The service-wide figures, read from the database on each scrape (six queries)."""

    def collect(self) -> Iterator[Metric]:
        from acuses.models import Acuse, PdfPendiente
        from archivos.models import IncidenteArchivo
        from avisos.models import Aviso
        from promociones.models import Solicitud

        solicitudes = CounterMetricFamily(
            "buzon_solicitudes", "Solicitudes registradas, por servicio.", labels=["servicio"]
        )
        por_servicio = (
            Solicitud.objects.values_list("servicio__clave")
            .annotate(n=Count("id"))
            .order_by("servicio__clave")
        )
        for servicio, n in por_servicio:
            solicitudes.add_metric([servicio], n)
        yield solicitudes

        acuses = CounterMetricFamily(
            "buzon_acuses_emitidos", "Acuses emitidos, por tipo.", labels=["tipo"]
        )
        for tipo, n in Acuse.objects.values_list("tipo").annotate(n=Count("id")).order_by("tipo"):
            acuses.add_metric([tipo], n)
        yield acuses

        # The worker's queue: it only holds acuses still waiting, so this stays cheap.
        cola = PdfPendiente.objects.aggregate(n=Count("id"), m=Min("creado"))
        yield GaugeMetricFamily(
            "buzon_acuses_sin_pdf",
            "Acuses emitidos cuyo PDF aún no se guarda (lo genera manage.py generar_acuses, "
            "o la primera descarga).",
            value=cola["n"],
        )
        edad = (timezone.now() - cola["m"]).total_seconds() if cola["m"] else 0.0
        yield GaugeMetricFamily(
            "buzon_acuses_sin_pdf_mas_antiguo_segundos",
            "Antigüedad del acuse más antiguo que espera su PDF (0 si no hay ninguno).",
            value=max(edad, 0.0),
        )

        avisos = GaugeMetricFamily(
            "buzon_avisos", "Avisos por estado y canal.", labels=["estado", "canal"]
        )
        por_estado = (
            Aviso.objects.values_list("estado", "canal")
            .annotate(n=Count("id"))
            .order_by("estado", "canal")
        )
        for estado, canal, n in por_estado:
            avisos.add_metric([estado, canal], n)
        yield avisos

        mas_antiguo = Aviso.objects.filter(estado=Aviso.Estado.PENDIENTE).aggregate(
            m=Min("creado")
        )["m"]
        edad = (timezone.now() - mas_antiguo).total_seconds() if mas_antiguo else 0.0
        yield GaugeMetricFamily(
            "buzon_avisos_pendiente_mas_antiguo_segundos",
            "Antigüedad del aviso pendiente más antiguo (0 si no hay pendientes).",
            value=max(edad, 0.0),
        )

        yield GaugeMetricFamily(
            "buzon_archivos_con_incidente",
            "Archivos guardados que no coinciden con su huella o faltan en el almacenamiento.",
            value=IncidenteArchivo.objects.count(),
        )


def exposicion() -> bytes:
    """The metrics in Prometheus' text format."""
    registro = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiproceso.MultiProcessCollector(registro)  # type: ignore[no-untyped-call]
    else:
        registro.register(_DeEsteProceso())
    registro.register(DatosDelServicio())
    return generate_latest(registro)


class _DeEsteProceso(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRO.collect()


@require_GET
def metricas(request: HttpRequest) -> HttpResponse:
    token = settings.METRICAS_TOKEN
    if not token:
        raise Http404("Métricas desactivadas.")
    recibido = request.headers.get("Authorization", "")
    if not hmac.compare_digest(recibido.encode(), f"Bearer {token}".encode()):
        respuesta = HttpResponse(
            "Se requiere «Authorization: Bearer <token de métricas>».\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        respuesta["WWW-Authenticate"] = 'Bearer realm="metricas"'
        return respuesta
    respuesta = HttpResponse(exposicion(), content_type=CONTENT_TYPE_LATEST)
    respuesta["Cache-Control"] = "no-store"
    return respuesta
