"""Each acuse's PDF is rendered once (by the worker, or by a first download), stored, and
read back (checked) on download."""

from __future__ import annotations

import hashlib
import logging
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from acuses import pdf
from acuses.archivo import generar_pendientes
from acuses.models import PdfAcuse, PdfPendiente
from acuses.tests.conftest import iniciar_sesion
from acuses.verificacion import verificar_pdf
from promociones.hechos import emitir_acuse

pytestmark = pytest.mark.django_db


def url_pdf(folio: str, tipo: str) -> str:
    return reverse("promociones:acuse", args=[folio, tipo])


def test_issuing_queues_the_pdf_and_the_worker_stores_it_signed(
    solicitud, django_capture_on_commit_callbacks, monkeypatch
):
    def sin_render(*args, **kwargs):
        raise AssertionError("issuing an acuse rendered its PDF")

    with monkeypatch.context() as m:
        m.setattr(pdf, "pdf_de", sin_render)
        with django_capture_on_commit_callbacks(execute=True) as despues_del_commit:
            acuse = emitir_acuse(solicitud=solicitud, tipo="recepcion", momento=solicitud.recibida)
    assert despues_del_commit == []  # nothing left for after the commit either
    assert PdfPendiente.objects.filter(acuse=acuse).exists()
    assert not PdfAcuse.objects.filter(acuse=acuse).exists()
    assert generar_pendientes() == 1
    assert not PdfPendiente.objects.exists()
    guardado = PdfAcuse.objects.get(acuse=acuse)
    with default_storage.open(guardado.archivo, "rb") as f:
        datos = f.read()
    assert hashlib.sha256(datos).hexdigest() == guardado.sha256
    assert len(datos) == guardado.bytes
    assert verificar_pdf(datos).valido


def test_a_rolled_back_step_leaves_no_pdf(solicitud, almacen_por_prueba):
    class Revertir(Exception):
        pass

    with pytest.raises(Revertir), transaction.atomic():
        emitir_acuse(solicitud=solicitud, tipo="recepcion", momento=solicitud.recibida)
        raise Revertir
    assert generar_pendientes() == 0
    assert PdfAcuse.objects.count() == 0
    assert PdfPendiente.objects.count() == 0
    assert [p for p in almacen_por_prueba.rglob("*") if p.is_file()] == []


def test_a_download_before_the_worker_renders_and_stores_it_and_dequeues_it(
    client, recepcion, contribuyente, monkeypatch
):
    """The acuse a person downloads right after filing, before any worker ran (``make
    run`` starts none): rendered on the spot, stored, and taken off the worker's queue."""
    assert PdfPendiente.objects.filter(acuse=recepcion).exists()
    iniciar_sesion(client, contribuyente)
    primera = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert primera.status_code == 200
    assert verificar_pdf(primera.content).valido
    guardado = PdfAcuse.objects.get(acuse=recepcion)
    assert hashlib.sha256(primera.content).hexdigest() == guardado.sha256
    assert not PdfPendiente.objects.exists()

    def sin_render(*args, **kwargs):
        raise AssertionError("the worker rendered an acuse already stored")

    monkeypatch.setattr(pdf, "pdf_de", sin_render)
    assert generar_pendientes() == 0


def test_downloads_read_the_stored_file_and_never_render(
    client, recepcion, contribuyente, monkeypatch
):
    iniciar_sesion(client, contribuyente)
    primera = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert primera.status_code == 200
    assert PdfAcuse.objects.filter(acuse=recepcion).count() == 1

    def sin_render(*args, **kwargs):
        raise AssertionError("a download rendered the acuse again")

    monkeypatch.setattr(pdf, "pdf_de", sin_render)
    inicio = time.perf_counter()
    segunda = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert time.perf_counter() - inicio < 1.0
    assert segunda.status_code == 200
    assert segunda.content == primera.content  # the same signed bytes, not a new signature
    assert verificar_pdf(segunda.content).valido


def test_a_stored_pdf_that_changed_is_never_served(client, recepcion, contribuyente, caplog):
    iniciar_sesion(client, contribuyente)
    client.get(url_pdf("A-2026-000123", "recepcion"))
    guardado = PdfAcuse.objects.get(acuse=recepcion)
    # Damaged through the storage API (no local path: the same on a bucket).
    with default_storage.open(guardado.archivo, "rb") as f:
        datos = bytearray(f.read())
    datos[200:201] = b"X"
    default_storage.delete(guardado.archivo)
    assert default_storage.save(guardado.archivo, ContentFile(bytes(datos))) == guardado.archivo
    with caplog.at_level(logging.ERROR, logger="acuses.archivo"):
        respuesta = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert respuesta.status_code == 200
    assert verificar_pdf(respuesta.content).valido
    assert "no coincide con su SHA-256" in caplog.text
    nuevo = PdfAcuse.objects.get(acuse=recepcion)
    assert nuevo.archivo != guardado.archivo
    assert not default_storage.exists(guardado.archivo)


def test_a_missing_stored_pdf_is_rendered_again(client, recepcion, contribuyente, caplog):
    iniciar_sesion(client, contribuyente)
    client.get(url_pdf("A-2026-000123", "recepcion"))
    default_storage.delete(PdfAcuse.objects.get(acuse=recepcion).archivo)
    with caplog.at_level(logging.ERROR, logger="acuses.archivo"):
        respuesta = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert respuesta.status_code == 200
    assert verificar_pdf(respuesta.content).valido
    assert "Falta el PDF" in caplog.text


def test_a_render_over_its_budget_stops(recepcion):
    with pytest.raises(pdf.RenderExcedido):
        pdf.renderizar(recepcion, presupuesto=0)


def test_a_download_whose_render_runs_out_of_time_is_a_503_with_its_code(
    client, recepcion, contribuyente, settings, caplog
):
    settings.ACUSE_PRESUPUESTO_SEGUNDOS = 0
    iniciar_sesion(client, contribuyente)
    client.raise_request_exception = False
    with caplog.at_level(logging.CRITICAL):
        pagina = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert pagina.status_code == 503
    assert pagina["Retry-After"]
    assert "no está disponible" in pagina.content.decode()
    assert PdfAcuse.objects.count() == 0


def test_an_acuse_is_signed_even_where_an_event_loop_is_running(recepcion):
    """pyHanko's sync API cannot run inside a running loop (an async view, a program
    driving a browser); the PDF is signed all the same and verifies."""
    import asyncio

    from acuses.verificacion import verificar_pdf as verificar

    async def dentro_de_un_bucle() -> bytes:
        return pdf.pdf_de(recepcion)

    assert verificar(asyncio.run(dentro_de_un_bucle())).valido
