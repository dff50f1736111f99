"""The embedded default: after commit a short-lived thread delivers the notice."""

import time

import pytest
from django.db import transaction

from avisos.models import Aviso
from avisos.services import encolar_sms


@pytest.mark.django_db(transaction=True)
def test_with_the_console_gateway_a_notice_is_sent_within_seconds(settings, solicitud):
    settings.AVISOS_EN_PROCESO = True
    settings.AVISOS_SMS_PASARELA = "console"
    with transaction.atomic():
        aviso = encolar_sms(
            solicitud=solicitud, evento="respuesta", destino="5512345678", contexto={}
        )
        # Still inside the transaction: nothing may have been sent yet.
        assert Aviso.objects.get(pk=aviso.pk).estado == "pendiente"
    limite = time.monotonic() + 5
    while time.monotonic() < limite:
        aviso.refresh_from_db()
        if aviso.estado == "enviado":
            break
        time.sleep(0.05)
    assert aviso.estado == "enviado"
    assert aviso.proveedor_id.startswith("consola-")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_exactly_once(settings, solicitud):
    import threading

    from django.db import connections

    from avisos.services import entregar_pendientes
    from avisos.tests.conftest import PasarelaQueCuenta

    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_SMS_PASARELA = "avisos.tests.conftest.PasarelaQueCuenta"
    PasarelaQueCuenta.enviados = []
    for i in range(30):
        encolar_sms(
            solicitud=solicitud,
            evento="respuesta",
            destino=f"55000000{i:02d}",
            contexto={},
        )
    barrera = threading.Barrier(2)
    errores: list[BaseException] = []

    def trabajador() -> None:
        try:
            barrera.wait()
            entregar_pendientes(limite=5)
        except BaseException as exc:  # reported by the assertion below
            errores.append(exc)
        finally:
            connections.close_all()

    hilos = [threading.Thread(target=trabajador) for _ in range(2)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(timeout=30)
    assert errores == []
    destinos = [d for d, _ in PasarelaQueCuenta.enviados]
    assert sorted(destinos) == sorted(f"55000000{i:02d}" for i in range(30))
    assert set(Aviso.objects.values_list("intentos", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_in_process_mode_retries_a_failed_notice_when_it_is_due(settings, solicitud):
    from avisos import services
    from avisos.tests.conftest import PasarelaUnaFalla

    settings.AVISOS_EN_PROCESO = True
    settings.AVISOS_ESPERA_BASE_SEGUNDOS = 1
    settings.AVISOS_SMS_PASARELA = "avisos.tests.conftest.PasarelaUnaFalla"
    PasarelaUnaFalla.llamadas = 0
    with transaction.atomic():
        aviso = encolar_sms(
            solicitud=solicitud, evento="respuesta", destino="5512345678", contexto={}
        )
    limite = time.monotonic() + 8
    while time.monotonic() < limite:
        aviso.refresh_from_db()
        if aviso.estado == "enviado":
            break
        time.sleep(0.1)
    assert (aviso.estado, aviso.intentos) == ("enviado", 2)
    assert PasarelaUnaFalla.llamadas == 2
    if services._reintento is not None:
        services._reintento.join(timeout=5)
