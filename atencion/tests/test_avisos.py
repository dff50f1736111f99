"""Staff see the failed notices of their areas, with the gateway's last answer, and
retry them; outsiders see and retry nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from atencion.tests.conftest import sesion_de
from avisos.models import Aviso
from avisos.services import encolar_sms, entregar_pendientes

pytestmark = pytest.mark.django_db


@pytest.fixture
def fallido(settings, solicitud) -> Aviso:
    settings.AVISOS_EN_PROCESO = False
    aviso = encolar_sms(solicitud=solicitud, evento="respuesta", destino="5512345678", contexto={})
    Aviso.objects.filter(pk=aviso.pk).update(
        estado="fallido", intentos=5, ultimo_error="ErrorPasarela: HTTP 400: número inválido"
    )
    return aviso


def test_staff_of_the_area_see_the_failed_notice_masked_with_the_last_answer(
    fallido, analista, django_assert_max_num_queries
):
    cliente = sesion_de(analista)
    with django_assert_max_num_queries(12):
        html = cliente.get("/atencion/avisos/").content.decode()
    assert fallido.solicitud.folio in html
    assert "55******78" in html and "5512345678" not in html
    assert "HTTP 400: número inválido" in html


def test_retry_puts_it_back_in_the_queue_and_it_is_sent(fallido, analista, settings):
    settings.AVISOS_SMS_PASARELA = "console"
    r = sesion_de(analista).post(f"/atencion/avisos/{fallido.pk}/reintento")
    assert r.status_code == 302
    fallido.refresh_from_db()
    assert (fallido.estado, fallido.intentos) == ("pendiente", 0)
    assert fallido.siguiente_intento <= timezone.now()
    (cambio,) = fallido.cambios.all()
    assert (cambio.actor, cambio.evento, cambio.estado_anterior) == (
        analista.username,
        "reintento",
        "fallido",
    )
    assert "número inválido" in cambio.detalle
    clave = fallido.clave_idempotencia
    assert entregar_pendientes() == 1
    fallido.refresh_from_db()
    assert (fallido.estado, fallido.clave_idempotencia) == ("enviado", clave)


def test_staff_of_another_area_neither_see_nor_retry_it(fallido, analista_otra):
    cliente = sesion_de(analista_otra)
    assert fallido.solicitud.folio not in cliente.get("/atencion/avisos/").content.decode()
    cliente.post(f"/atencion/avisos/{fallido.pk}/reintento")
    fallido.refresh_from_db()
    assert fallido.estado == "fallido"


def test_a_taxpayer_cannot_reach_the_page(fallido, contribuyente):
    assert sesion_de(contribuyente.usuario).get("/atencion/avisos/").status_code == 403
