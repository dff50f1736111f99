"""The outbox: queued with the event, claimed once, sent, retried with back-off."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from avisos import services
from avisos.models import Aviso
from avisos.services import encolar_sms, entregar_pendientes, reclamar

pytestmark = pytest.mark.django_db


def encolar(solicitud, **cambios) -> Aviso:
    datos = {
        "solicitud": solicitud,
        "evento": "respuesta",
        "destino": "5512345678",
        "contexto": {},
    }
    datos.update(cambios)
    return encolar_sms(**datos)


def test_text_comes_from_the_event_template_with_accents(solicitud):
    aviso = encolar(solicitud)
    assert aviso.texto == (
        f"IMSS Buzón: tu solicitud {solicitud.folio} fue atendida. "
        "Consulta la respuesta y su acuse en tu Buzón IMSS."
    )
    assert (aviso.estado, aviso.intentos) == ("pendiente", 0)


def test_a_notice_queued_in_a_rolled_back_transaction_does_not_exist(solicitud):
    with pytest.raises(RuntimeError), transaction.atomic():
        encolar(solicitud)
        raise RuntimeError("el evento falló")
    assert not Aviso.objects.exists()


def test_console_gateway_marks_the_notice_sent_with_a_provider_id(solicitud, caplog):
    aviso = encolar(solicitud)
    with caplog.at_level("INFO", logger="avisos.pasarelas"):
        assert entregar_pendientes() == 1
    aviso.refresh_from_db()
    assert aviso.estado == "enviado"
    assert aviso.proveedor_id.startswith("consola-")
    assert aviso.enviado is not None
    assert aviso.intentos == 1
    assert solicitud.folio in caplog.text
    assert entregar_pendientes() == 0


def test_a_claimed_notice_is_not_claimed_again(solicitud):
    aviso = encolar(solicitud)
    ahora = timezone.now()
    primero = reclamar(ahora=ahora)
    assert primero.ids == [aviso.pk]
    assert reclamar(ahora=ahora).ids == []
    # If its worker died, it comes back once the reservation ends, to a new owner.
    segundo = reclamar(ahora=ahora + services.reserva())
    assert segundo.ids == [aviso.pk]
    assert segundo.reclamo != primero.reclamo
    # The first owner lost it: it sends nothing and records nothing.
    assert services.entregar(aviso.pk, reclamo=primero.reclamo) is None
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos, aviso.reclamado_por) == ("pendiente", 0, segundo.reclamo)


def test_failures_back_off_exponentially_then_give_up(solicitud, pasarela_caida, settings):
    settings.AVISOS_MAX_INTENTOS = 3
    settings.AVISOS_ESPERA_BASE_SEGUNDOS = 30
    aviso = encolar(solicitud)

    antes = timezone.now()
    entregar_pendientes()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert "el proveedor no responde" in aviso.ultimo_error
    espera = aviso.siguiente_intento - antes
    # 30 s with equal jitter: between 15 and 30.
    assert timedelta(seconds=14) < espera < timedelta(seconds=32)
    # Not due yet: nothing is tried.
    assert entregar_pendientes() == 0

    entregar_pendientes(ahora=aviso.siguiente_intento)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 2)
    espera = aviso.siguiente_intento - timezone.now()
    assert timedelta(seconds=25) < espera <= timedelta(seconds=60)

    entregar_pendientes(ahora=aviso.siguiente_intento)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("fallido", 3)
    assert entregar_pendientes(ahora=timezone.now() + timedelta(days=1)) == 0
    assert pasarela_caida.llamadas == 3


def test_worker_command_once_sends_what_is_due(solicitud, pasarela_que_cuenta, capsys):
    encolar(solicitud)
    encolar(solicitud, evento="prorroga", contexto={"nueva_fecha": timezone.now().date()})
    call_command("enviar_avisos", "--una-vez")
    assert "Avisos procesados: 2" in capsys.readouterr().out
    assert [d for d, _ in pasarela_que_cuenta.enviados] == ["5512345678", "5512345678"]
    assert set(Aviso.objects.values_list("estado", flat=True)) == {"enviado"}
    assert sorted(Aviso.objects.values_list("proveedor_id", flat=True)) == ["prov-1", "prov-2"]


def test_in_process_delivery_is_started_only_by_the_commit(
    solicitud, settings, django_capture_on_commit_callbacks
):
    settings.AVISOS_EN_PROCESO = True
    with django_capture_on_commit_callbacks() as callbacks:
        encolar(solicitud)
    assert callbacks == [services.entregar_en_segundo_plano]
    settings.AVISOS_EN_PROCESO = False
    with django_capture_on_commit_callbacks() as callbacks:
        encolar(solicitud)
    assert callbacks == []
