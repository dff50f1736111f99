"""Each notice reaches the phone once, with several workers, slow or hung gateways.

The gateway double (conftest.TelefonoIdempotente) counts every call by idempotency key:
a notice presented twice, even under its own key, means two workers sent it.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from avisos import services
from avisos.models import Aviso
from avisos.services import entregar_pendientes, reclamar

pytestmark = pytest.mark.django_db(transaction=True)


def encolar_muchos(solicitud, cuantos: int) -> list[Aviso]:
    ahora = timezone.now()
    filas = [
        Aviso(
            solicitud=solicitud,
            evento="respuesta",
            canal=Aviso.Canal.SMS,
            destino=f"55{i:08d}",
            texto=f"Aviso {i}",
            siguiente_intento=ahora,
            creado=ahora,
        )
        for i in range(cuantos)
    ]
    Aviso.objects.bulk_create(filas, batch_size=500)
    return list(Aviso.objects.order_by("id"))


def en_hilo(funcion, errores: list[BaseException]) -> threading.Thread:
    def correr() -> None:
        try:
            funcion()
        except BaseException as exc:  # reported by the test's assertion
            errores.append(exc)
        finally:
            connections.close_all()

    hilo = threading.Thread(target=correr)
    hilo.start()
    return hilo


def claves(avisos: list[Aviso]) -> set[str]:
    return {str(a.clave_idempotencia) for a in avisos}


def test_a_worker_that_outlives_its_claim_never_sends_what_another_worker_took(
    settings, solicitud, telefono
):
    settings.AVISOS_RESERVA_SEGUNDOS = 1
    settings.AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS = 5
    # The first send hangs twice as long as the claim lasts.
    telefono.colgar = (1, 2.0)
    avisos = encolar_muchos(solicitud, 10)
    errores: list[BaseException] = []
    lento = en_hilo(entregar_pendientes, errores)
    assert telefono.colgada.wait(5)
    time.sleep(1.2)  # the slow worker's batch claim has lapsed
    entregar_pendientes()
    lento.join(timeout=10)
    assert errores == []
    assert telefono.presentaciones == dict.fromkeys(claves(avisos), 1)
    assert set(Aviso.objects.values_list("estado", flat=True)) == {"enviado"}
    assert set(Aviso.objects.values_list("intentos", flat=True)) == {1}


def test_a_live_worker_renews_its_batch_so_nobody_takes_it(settings, solicitud, telefono):
    settings.AVISOS_RESERVA_SEGUNDOS = 0.6
    avisos = encolar_muchos(solicitud, 4)
    # 4 sends of 0.3 s outlast a 0.6 s claim unless it is renewed.
    telefono.pausa = 0.3
    telefono.colgar = (1, 0.0)  # only to tell when the batch is claimed and sending
    errores: list[BaseException] = []
    trabajador = en_hilo(entregar_pendientes, errores)
    assert telefono.colgada.wait(5)
    robados: list[int] = []
    while trabajador.is_alive():
        robados += reclamar(ahora=timezone.now()).ids
        time.sleep(0.05)
    trabajador.join()
    assert errores == []
    assert robados == []
    assert telefono.presentaciones == dict.fromkeys(claves(avisos), 1)


def test_a_hung_gateway_times_out_counts_as_a_failure_and_the_retry_sends_once(
    settings, solicitud, telefono
):
    settings.AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS = 0.3
    settings.AVISOS_ESPERA_BASE_SEGUNDOS = 30
    # The call hangs 1 s and then goes through: the provider got it after all.
    telefono.colgar = (1, 1.0)
    (aviso,) = encolar_muchos(solicitud, 1)
    inicio = time.monotonic()
    assert entregar_pendientes() == 1
    assert time.monotonic() - inicio < 0.9  # the worker did not wait for the hung call
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert aviso.ultimo_error.startswith("TiempoAgotado")
    assert aviso.siguiente_intento > timezone.now() + timedelta(seconds=12)
    assert (aviso.reclamado_por, aviso.reclamo_vence, aviso.envio_iniciado) == ("", None, None)
    time.sleep(1.0)  # the abandoned call delivers late

    assert entregar_pendientes(ahora=aviso.siguiente_intento) == 1
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("enviado", 2)
    clave = str(aviso.clave_idempotencia)
    # Presented twice under the same key; on the phone once.
    assert telefono.presentaciones == {clave: 2}
    assert telefono.entregados == {clave: aviso.destino}


def test_four_workers_share_the_notices_none_sent_twice_none_lost(settings, solicitud, telefono):
    # 10,000 on PostgreSQL (the figure, SKIP LOCKED); SQLite has one writer at a
    # time and runs one worker in production, so 2,000 suffice to show the same protocol.
    cuantos = 10_000 if connection.vendor == "postgresql" else 2000
    avisos = encolar_muchos(solicitud, cuantos)
    errores: list[BaseException] = []
    barrera = threading.Barrier(4)

    def trabajador() -> None:
        barrera.wait()
        entregar_pendientes()

    hilos = [en_hilo(trabajador, errores) for _ in range(4)]
    for hilo in hilos:
        hilo.join(timeout=300)
    assert errores == []
    assert len(avisos) == cuantos
    assert telefono.presentaciones == dict.fromkeys(claves(avisos), 1)
    assert Aviso.objects.exclude(estado="enviado").count() == 0


def test_every_notice_has_its_own_idempotency_key_and_the_console_logs_it(
    settings, solicitud, caplog
):
    settings.AVISOS_SMS_PASARELA = "console"
    avisos = encolar_muchos(solicitud, 3)
    assert len(claves(avisos)) == 3
    with caplog.at_level("INFO", logger="avisos.pasarelas"):
        entregar_pendientes()
    for clave in claves(avisos):
        assert f"clave de idempotencia {clave}" in caplog.text
    # Unless settings say otherwise, a claim lasts five minutes.
    assert services.reserva() == timedelta(minutes=5)
