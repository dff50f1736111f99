"""POST /api/v1/avisos/entregas: signed delivery receipts move enviado to entregado or
fallido; a bad signature, an old timestamp and a replay are refused."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from avisos.models import Aviso
from avisos.receptor import firmar
from avisos.services import encolar_sms

pytestmark = pytest.mark.django_db

SECRETO = "secreto-compartido-de-prueba"
URL = "/api/v1/avisos/entregas"


@pytest.fixture
def enviado(settings, solicitud) -> Aviso:
    settings.AVISOS_ENTREGAS_SECRETO = SECRETO
    settings.AVISOS_ENTREGAS_VENTANA_SEGUNDOS = 300
    aviso = encolar_sms(solicitud=solicitud, evento="respuesta", destino="5512345678", contexto={})
    Aviso.objects.filter(pk=aviso.pk).update(
        estado="enviado", proveedor_id="prov-123", enviado=timezone.now()
    )
    return aviso


def recibo(datos: dict, *, marca: int | None = None, secreto: str = SECRETO, firma=None):
    cuerpo = json.dumps(datos).encode()
    marca_texto = str(int(time.time()) if marca is None else marca)
    return Client().post(
        URL,
        cuerpo,
        content_type="application/json",
        HTTP_X_BUZON_TIMESTAMP=marca_texto,
        HTTP_X_BUZON_FIRMA=firma or firmar(cuerpo, marca_texto, secreto),
    )


def test_a_signed_receipt_marks_the_notice_delivered(enviado):
    r = recibo({"id": "prov-123", "estado": "entregado"})
    assert (r.status_code, r.json()) == (200, {"estado": "entregado"})
    enviado.refresh_from_db()
    assert enviado.estado == "entregado"
    assert enviado.entregado is not None


def test_a_failed_receipt_keeps_the_gateways_answer(enviado):
    r = recibo({"id": "prov-123", "estado": "fallido", "detalle": "número inexistente"})
    assert r.status_code == 200
    enviado.refresh_from_db()
    assert (enviado.estado, enviado.ultimo_error) == ("fallido", "número inexistente")


def test_bad_signature_is_refused(enviado):
    r = recibo({"id": "prov-123", "estado": "entregado"}, secreto="otro-secreto")
    assert (r.status_code, r.json()["codigo"]) == (401, "firma_invalida")
    r = recibo({"id": "prov-123", "estado": "entregado"}, firma="sha256=" + "0" * 64)
    assert r.status_code == 401
    # A receipt signed for another body does not carry over to an altered one.
    marca = str(int(time.time()))
    firma = firmar(b'{"id": "prov-123", "estado": "fallido"}', marca, SECRETO)
    r = Client().post(
        URL,
        b'{"id": "prov-123", "estado": "entregado"}',
        content_type="application/json",
        HTTP_X_BUZON_TIMESTAMP=marca,
        HTTP_X_BUZON_FIRMA=firma,
    )
    assert r.status_code == 401
    enviado.refresh_from_db()
    assert enviado.estado == "enviado"


def test_without_a_configured_secret_nothing_is_accepted(enviado, settings):
    settings.AVISOS_ENTREGAS_SECRETO = ""
    r = recibo({"id": "prov-123", "estado": "entregado"}, secreto="")
    assert r.status_code == 401


def test_old_and_future_timestamps_are_refused(enviado):
    # Margins of tens of seconds around the 300 s window: the server reads its clock
    # after the test's (floored) one, and on a loaded machine a second passed between
    # them turned "301 s ahead" into "300 s ahead", an accepted receipt.
    ahora = int(time.time())
    for marca in (ahora - 340, ahora + 340):
        r = recibo({"id": "prov-123", "estado": "entregado"}, marca=marca)
        assert (r.status_code, r.json()["codigo"]) == (400, "acuse_vencido")
    assert recibo({"id": "prov-123", "estado": "entregado"}, marca=ahora - 260).status_code == 200


def test_a_replayed_receipt_is_refused(enviado):
    cuerpo = json.dumps({"id": "prov-123", "estado": "entregado"}).encode()
    marca = str(int(time.time()))
    cabeceras = {"X-Buzon-Timestamp": marca, "X-Buzon-Firma": firmar(cuerpo, marca, SECRETO)}
    primero = Client().post(URL, cuerpo, content_type="application/json", headers=cabeceras)
    assert primero.status_code == 200
    otra = Client().post(URL, cuerpo, content_type="application/json", headers=cabeceras)
    assert (otra.status_code, otra.json()["codigo"]) == (409, "acuse_repetido")


def test_a_delivered_notice_does_not_go_back_to_failed(enviado):
    recibo({"id": "prov-123", "estado": "entregado"})
    time.sleep(1.01)  # a new timestamp: a new receipt, not a replay
    assert recibo({"id": "prov-123", "estado": "fallido"}).json() == {"estado": "entregado"}


@pytest.mark.parametrize(
    "datos",
    [
        {"id": "prov-123"},
        {"id": "prov-123", "estado": "leido"},
        {"id": 5, "estado": "entregado"},
        [],
    ],
)
def test_malformed_receipts_are_refused(enviado, datos):
    r = recibo(datos)
    assert (r.status_code, r.json()["codigo"]) == (400, "acuse_invalido")


def test_unknown_ids_and_huge_bodies(enviado):
    assert recibo({"id": "nadie", "estado": "entregado"}).status_code == 404
    r = recibo({"id": "prov-123", "estado": "entregado", "detalle": "x" * 10_000})
    assert (r.status_code, r.json()["codigo"]) == (413, "cuerpo_muy_grande")
