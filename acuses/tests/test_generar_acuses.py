"""The acuse PDF worker (``manage.py generar_acuses``): the queue issuing leaves, the
oldest first, claims that keep several workers from rendering one acuse twice, failures
retried, and what the queue held before it existed."""

from __future__ import annotations

import importlib
import logging
import threading
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from acuses import archivo, pdf
from acuses.archivo import generar_pendientes, reclamar, reserva
from acuses.models import Acuse, PdfAcuse, PdfPendiente
from acuses.tests.conftest import MX, _asunto, _servicio
from acuses.verificacion import verificar_pdf
from promociones.hechos import emitir_acuse


def canalizaciones(solicitud, cuantas: int) -> list[Acuse]:
    """``cuantas`` acuses of one request, oldest first: a request may be re-routed any
    number of times, so each canalización is an acuse of its own."""
    servicio, asunto = _servicio("orientacion"), _asunto("icsoe", "ICSOE")
    return [
        emitir_acuse(
            solicitud=solicitud,
            tipo="canalizacion",
            momento=datetime(2026, 12, 2, 9, 30, tzinfo=MX) + timedelta(minutes=i),
            extra={"servicio": servicio, "asunto": asunto, "nueva_fecha": date(2026, 12, 9)},
        )
        for i in range(cuantas)
    ]


def archivos_de(carpeta: Path) -> list[str]:
    """The storage names of the acuse PDFs in the test's storage folder."""
    return [p.relative_to(carpeta).as_posix() for p in carpeta.rglob("*.pdf")]


class Renders:
    """Counts the real renders per acuse, from any thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.por_acuse: dict[int, int] = {}
        self.orden: list[int] = []
        self._cerrojo = threading.Lock()
        original = pdf.pdf_de

        def contar(acuse: Acuse) -> bytes:
            with self._cerrojo:
                self.por_acuse[acuse.pk] = self.por_acuse.get(acuse.pk, 0) + 1
                self.orden.append(acuse.pk)
            return original(acuse)

        monkeypatch.setattr(pdf, "pdf_de", contar)


@pytest.mark.django_db
def test_the_command_stores_every_queued_pdf_oldest_first_in_batches(solicitud, monkeypatch):
    acuses = canalizaciones(solicitud, 5)
    renders = Renders(monkeypatch)
    salida = StringIO()
    call_command("generar_acuses", "--una-vez", "--lote", "2", stdout=salida)
    assert renders.orden == [a.pk for a in acuses]
    assert "PDF de acuses guardados: 5" in salida.getvalue()
    assert not PdfPendiente.objects.exists()
    for acuse in acuses:
        guardado = PdfAcuse.objects.get(acuse=acuse)
        with default_storage.open(guardado.archivo, "rb") as f:
            assert verificar_pdf(f.read()).valido
    # Nothing queued: a second run renders nothing and says nothing.
    salida = StringIO()
    call_command("generar_acuses", "--una-vez", stdout=salida)
    assert salida.getvalue() == ""
    assert len(renders.orden) == 5


@pytest.mark.django_db
def test_a_claimed_batch_is_skipped_until_its_deadline_then_taken_again(solicitud):
    acuses = canalizaciones(solicitud, 3)
    ahora = timezone.now()
    primero = reclamar(ahora=ahora, limite=2)
    assert primero.acuse_ids == [acuses[0].pk, acuses[1].pk]
    # Another worker meanwhile gets only what nobody holds.
    segundo = reclamar(ahora=ahora, limite=10)
    assert segundo.acuse_ids == [acuses[2].pk]
    assert reclamar(ahora=ahora + reserva(2) - timedelta(seconds=1)).acuse_ids == []
    # The first worker died: after its deadline its rows go to whoever asks, tried again.
    tercero = reclamar(ahora=ahora + reserva(2) + timedelta(seconds=1), limite=10)
    assert tercero.acuse_ids == [acuses[0].pk, acuses[1].pk]
    assert {p.intentos for p in PdfPendiente.objects.filter(acuse_id__in=tercero.acuse_ids)} == {2}
    assert len({primero.reclamo, segundo.reclamo, tercero.reclamo}) == 3


@pytest.mark.django_db
def test_a_claim_covers_every_render_of_its_batch_using_its_whole_budget(settings):
    settings.ACUSE_PRESUPUESTO_SEGUNDOS = 10
    assert reserva(10) > timedelta(seconds=10 * 10)


@pytest.mark.django_db
def test_a_failed_render_stays_queued_for_a_retry_and_the_others_are_stored(
    solicitud, monkeypatch, caplog
):
    acuses = canalizaciones(solicitud, 3)
    original = pdf.pdf_de

    def falla_el_segundo(acuse: Acuse) -> bytes:
        if acuse.pk == acuses[1].pk:
            raise pdf.RenderExcedido("El acuse excedió su tiempo de generación.")
        return original(acuse)

    monkeypatch.setattr(pdf, "pdf_de", falla_el_segundo)
    with caplog.at_level(logging.ERROR, logger="acuses.archivo"):
        assert generar_pendientes() == 2
    assert f"El PDF del acuse {acuses[1].pk} excedió su tiempo" in caplog.text
    assert f"No se pudo generar el PDF del acuse {acuses[1].pk}" in caplog.text
    fila = PdfPendiente.objects.get()
    assert fila.acuse_id == acuses[1].pk
    assert fila.intentos == 1
    assert fila.reclamo_vence is not None and fila.reclamo_vence > timezone.now()
    assert set(PdfAcuse.objects.values_list("acuse_id", flat=True)) == {
        acuses[0].pk,
        acuses[2].pk,
    }
    # Once the claim lapses the next round takes it again, and now it renders.
    monkeypatch.setattr(pdf, "pdf_de", original)
    PdfPendiente.objects.update(reclamo_vence=timezone.now() - timedelta(seconds=1))
    assert generar_pendientes() == 1
    assert not PdfPendiente.objects.exists()
    assert PdfAcuse.objects.filter(acuse=acuses[1]).exists()


@pytest.mark.django_db
def test_a_pdf_the_storage_did_not_take_stays_queued(solicitud, monkeypatch, caplog):
    (acuse,) = canalizaciones(solicitud, 1)
    from buzon.errores import ErrorDominio

    def sin_almacen(*args, **kwargs):
        raise ErrorDominio("almacenamiento_no_disponible")

    monkeypatch.setattr(archivo.almacen_archivos, "guardar", sin_almacen)
    with caplog.at_level(logging.ERROR, logger="acuses.archivo"):
        assert generar_pendientes() == 0
    assert "se entrega sin guardar" in caplog.text
    assert PdfPendiente.objects.filter(acuse=acuse, intentos=1).exists()
    assert not PdfAcuse.objects.exists()


@pytest.mark.django_db
def test_a_render_that_meets_a_stored_pdf_stores_no_second_one(
    solicitud, monkeypatch, almacen_por_prueba
):
    """Two renders of one acuse (a worker past its deadline, a download) meet: the
    PdfAcuse's uniqueness keeps the first, the late one removes its own file."""
    (acuse,) = canalizaciones(solicitud, 1)
    original = pdf.pdf_de
    renders: list[int] = []

    def otro_guarda_antes(a: Acuse) -> bytes:
        renders.append(a.pk)
        datos = original(a)
        if len(renders) == 1:  # while the worker renders, a download stores it first
            archivo.guardar_pdf(Acuse.objects.get(pk=a.pk))
        return datos

    monkeypatch.setattr(pdf, "pdf_de", otro_guarda_antes)
    assert generar_pendientes() == 1  # the queue row is gone either way
    assert renders == [acuse.pk, acuse.pk]
    assert PdfAcuse.objects.count() == 1
    assert not PdfPendiente.objects.exists()
    guardado = PdfAcuse.objects.get(acuse=acuse)
    assert archivos_de(almacen_por_prueba) == [guardado.archivo]


@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_render_each_acuse_once_and_store_each_once(
    solicitud, monkeypatch, almacen_por_prueba
):
    """Four workers (threads, each with its own connection; on PostgreSQL the claim skips
    locked rows, on SQLite the conditional UPDATE decides) drain one queue."""
    cuantos = 24 if connection.vendor == "postgresql" else 12
    acuses = canalizaciones(solicitud, cuantos)
    renders = Renders(monkeypatch)
    barrera = threading.Barrier(4)
    errores: list[BaseException] = []
    guardados: list[int] = []

    def trabajador() -> None:
        try:
            barrera.wait()
            guardados.append(generar_pendientes(limite=2))
        except BaseException as exc:  # reported by the assertion below
            errores.append(exc)
        finally:
            connections.close_all()

    hilos = [threading.Thread(target=trabajador) for _ in range(4)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(timeout=300)
    assert errores == []
    assert renders.por_acuse == {a.pk: 1 for a in acuses}
    assert sum(guardados) == cuantos
    assert sorted(PdfAcuse.objects.values_list("acuse_id", flat=True)) == sorted(
        a.pk for a in acuses
    )
    assert not PdfPendiente.objects.exists()
    assert sorted(archivos_de(almacen_por_prueba)) == sorted(
        PdfAcuse.objects.values_list("archivo", flat=True)
    )


@pytest.mark.django_db
def test_acuses_issued_before_the_queue_existed_join_it_oldest_first(solicitud, recepcion):
    """The migration that made the queue queues every acuse without a stored PDF."""
    canalizacion, otra = canalizaciones(solicitud, 2)
    archivo.guardar_pdf(canalizacion)  # this one already has its PDF
    PdfPendiente.objects.all().delete()  # as before the migration: no queue at all
    migracion = importlib.import_module("acuses.migrations.0004_pdf_pendiente")
    migracion.encolar_los_que_no_tienen_pdf(apps, SimpleNamespace(connection=connection))
    filas = list(PdfPendiente.objects.order_by("id"))
    assert [f.acuse_id for f in filas] == [recepcion.pk, otra.pk]
    assert all(f.creado is not None and f.intentos == 0 and not f.reclamado_por for f in filas)
    assert generar_pendientes() == 2
    assert PdfAcuse.objects.count() == 3
