"""/metricas: Prometheus text behind a bearer token; counts that follow what happens."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from acuses.models import PdfPendiente
from avisos.services import encolar_sms
from buzon.tests.ayudas import ROOT, entorno_de_servidor, iniciar_gunicorn
from promociones.models import Solicitud
from promociones.tests.conftest import aclaracion, token_para

pytestmark = pytest.mark.django_db

TOKEN = "token-de-metricas-de-prueba-0123456789"


def muestras(cuerpo: bytes) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """(sample name, labels) → value, as Prometheus would read the page."""
    return {
        (m.name, frozenset(m.labels.items())): m.value
        for familia in text_string_to_metric_families(cuerpo.decode())
        for m in familia.samples
    }


def leer(cliente: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = cliente.get("/metricas", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("text/plain; version=")
    return muestras(r.content)


def valor(datos, nombre: str, **etiquetas: str) -> float:
    return datos.get((nombre, frozenset(etiquetas.items())), 0.0)


def test_without_a_configured_token_the_route_does_not_exist(client, settings):
    settings.METRICAS_TOKEN = ""
    assert client.get("/metricas").status_code == 404
    assert client.get("/metricas", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_missing_or_wrong_token_is_401(client, settings):
    settings.METRICAS_TOKEN = TOKEN
    sin = client.get("/metricas")
    assert sin.status_code == 401
    assert sin["WWW-Authenticate"].startswith("Bearer")
    assert b"buzon_" not in sin.content
    otro = client.get("/metricas", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")
    assert otro.status_code == 401
    assert client.get("/metricas", HTTP_AUTHORIZATION=TOKEN).status_code == 401


def test_a_filing_moves_the_counters(client, settings, contribuyente):
    settings.METRICAS_TOKEN = TOKEN
    settings.AVISOS_EN_PROCESO = False
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    antes = leer(client)
    r = api.post(
        "/api/v1/solicitudes",
        aclaracion(),
    )
    assert r.status_code == 201
    # A notice waiting in the outbox for ten minutes (no worker runs in this test).
    encolar_sms(
        solicitud=Solicitud.objects.get(folio=r.json()["folio"]),
        evento="respuesta",
        destino="5512345678",
        contexto={},
        momento=timezone.now() - timedelta(minutes=10),
    )
    despues = leer(client)

    def delta(nombre: str, **etiquetas: str) -> float:
        return valor(despues, nombre, **etiquetas) - valor(antes, nombre, **etiquetas)

    ruta = {"ruta": "promociones:api_solicitudes"}
    assert delta("buzon_peticiones_total", metodo="POST", estado="201", **ruta) == 1
    assert delta("buzon_peticion_segundos_count", **ruta) == 1
    assert delta("buzon_peticion_segundos_bucket", le="+Inf", **ruta) == 1
    assert delta("buzon_solicitudes_total", servicio="aclaracion") == 1
    assert delta("buzon_acuses_emitidos_total", tipo="recepcion") == 1
    # Its PDF waits for the worker (none runs here), and the gauge says so.
    assert delta("buzon_acuses_sin_pdf") == 1
    assert valor(despues, "buzon_acuses_sin_pdf_mas_antiguo_segundos") >= 0
    assert valor(despues, "buzon_avisos", estado="pendiente", canal="sms") == 1
    assert valor(despues, "buzon_avisos_pendiente_mas_antiguo_segundos") >= 600
    assert valor(despues, "buzon_archivos_con_incidente") == 0
    # The scrape itself is a request like any other.
    assert (
        delta("buzon_peticiones_total", ruta="operacion:metricas", metodo="GET", estado="200") == 1
    )


def test_the_acuses_waiting_for_their_pdf_show_until_the_worker_stores_them(
    client, settings, contribuyente
):
    settings.METRICAS_TOKEN = TOKEN
    settings.AVISOS_EN_PROCESO = False
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    for _ in range(2):
        r = api.post(
            "/api/v1/solicitudes",
            aclaracion(),
        )
        assert r.status_code == 201
    PdfPendiente.objects.update(creado=timezone.now() - timedelta(minutes=5))
    antes = leer(client)
    assert valor(antes, "buzon_acuses_sin_pdf") == 2
    assert valor(antes, "buzon_acuses_sin_pdf_mas_antiguo_segundos") >= 300
    call_command("generar_acuses", "--una-vez", stdout=StringIO())
    despues = leer(client)
    assert valor(despues, "buzon_acuses_sin_pdf") == 0
    assert valor(despues, "buzon_acuses_sin_pdf_mas_antiguo_segundos") == 0


def test_labels_are_route_names_never_paths(client, settings):
    settings.METRICAS_TOKEN = TOKEN
    client.get("/solicitudes/A-2026-000001/evidencia")
    client.get("/no/existe/A-2026-000002")
    rutas = {dict(etiquetas).get("ruta") for nombre, etiquetas in leer(client)}
    assert "promociones:evidencia" in rutas and "sin_ruta" in rutas
    assert not any(r and "2026" in r for r in rutas)


def test_under_gunicorn_any_worker_reports_every_workers_requests(tmp_path):
    """Two workers, requests spread over both: each scrape (whichever worker answers it)
    counts all of them, through PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py)."""
    env = entorno_de_servidor(tmp_path, trabajadores=2, BUZON_METRICAS_TOKEN=TOKEN)
    # The server's own SQLite file (entorno_de_servidor drops DATABASE_URL).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    servidor = iniciar_gunicorn(env, tmp_path)
    base = f"http://127.0.0.1:{env['BUZON_PORT']}"
    try:
        pids = set()
        for _ in range(40):
            # A new connection each time, so the kernel hands them to both workers.
            with urllib.request.urlopen(f"{base}/salud", timeout=10) as r:  # noqa: S310
                assert r.read() == b"ok\n"
                pids.add(r.headers["X-Request-ID"])
        vistos = []
        for _ in range(6):
            pedido = urllib.request.Request(  # noqa: S310
                f"{base}/metricas", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            with urllib.request.urlopen(pedido, timeout=10) as r:  # noqa: S310
                datos = muestras(r.read())
            vistos.append(
                valor(
                    datos,
                    "buzon_peticiones_total",
                    ruta="operacion:salud",
                    metodo="GET",
                    estado="200",
                )
            )
    finally:
        servidor.terminate()
        servidor.wait(timeout=15)
    assert len(pids) == 40  # every response had its own request id
    assert vistos == [40.0] * 6


def test_a_request_refused_before_its_view_still_counts_under_its_route(client, settings):
    settings.METRICAS_TOKEN = TOKEN
    antes = leer(client)
    # Over the general body limit without a session: refused by the body-limit middleware.
    r = client.post(
        "/api/v1/solicitudes", b"x" * (200 * 1024), content_type="application/octet-stream"
    )
    assert r.status_code == 413
    despues = leer(client)
    etiquetas = {"ruta": "promociones:api_solicitudes", "metodo": "POST", "estado": "413"}
    assert (
        valor(despues, "buzon_peticiones_total", **etiquetas)
        - valor(antes, "buzon_peticiones_total", **etiquetas)
        == 1
    )
