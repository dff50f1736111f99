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
