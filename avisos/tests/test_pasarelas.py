"""The real gateways against real servers on 127.0.0.1: HTTP SMS, SMTP, console file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from avisos.models import Aviso
from avisos.services import encolar_correo, encolar_sms, entregar_pendientes
from avisos.tests.servidores import ProveedorSms, ServidorSmtp

pytestmark = pytest.mark.django_db


@pytest.fixture
def proveedor(settings):
    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_SMS_PASARELA = "http"
    settings.AVISOS_SMS_HTTP_TOKEN = "token-de-prueba"
    with ProveedorSms() as p:
        settings.AVISOS_SMS_HTTP_URL = p.url
        yield p


@pytest.fixture
def smtp(settings):
    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_CORREO_PASARELA = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    with ServidorSmtp() as servidor:
        settings.EMAIL_PORT = servidor.puerto
        yield servidor


def prorroga(solicitud, canal="sms", destino="5512345678") -> Aviso:
    encolar = encolar_sms if canal == "sms" else encolar_correo
    return encolar(
        solicitud=solicitud,
        evento="prorroga",
        destino=destino,
        contexto={"nueva_fecha": timezone.now().date()},
    )


def test_http_gateway_sends_json_with_token_key_and_segments(solicitud, proveedor):
    aviso = prorroga(solicitud)
    assert entregar_pendientes() == 1
    aviso.refresh_from_db()
    clave = str(aviso.clave_idempotencia)
    assert (aviso.estado, aviso.proveedor_id) == ("enviado", f"http-{clave}")
    enviado = proveedor.entregados[clave]
    assert enviado["destino"] == "+525512345678"
    assert enviado["texto"] == aviso.texto
    assert enviado["codificacion"] == "ucs2"  # "Buzón": ó is not GSM-7
    assert "".join(enviado["segmentos"]) == aviso.texto
    assert len(enviado["segmentos"]) == aviso.segmentos >= 2
    assert proveedor.cabeceras[0]["Idempotency-Key"] == clave


def test_gateway_down_for_a_while_delivers_later_once(solicitud, proveedor, settings):
    settings.AVISOS_ESPERA_BASE_SEGUNDOS = 30
    proveedor.caido = 2
    aviso = prorroga(solicitud)
    entregar_pendientes()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert aviso.ultimo_error.startswith("ErrorPasarela: HTTP 503")
    assert "mantenimiento" in aviso.ultimo_error
    entregar_pendientes(ahora=aviso.siguiente_intento)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 2)
    entregar_pendientes(ahora=aviso.siguiente_intento)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("enviado", 3)
    assert proveedor.presentaciones == {str(aviso.clave_idempotencia): 1}
    assert entregar_pendientes(ahora=timezone.now() + timedelta(days=1)) == 0


def test_unreachable_gateway_is_a_failed_attempt_not_a_crash(solicitud, settings):
    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_SMS_PASARELA = "http"
    settings.AVISOS_SMS_HTTP_URL = "http://127.0.0.1:9/nadie"
    aviso = prorroga(solicitud)
    entregar_pendientes()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert "sin conexión" in aviso.ultimo_error


def test_email_is_multipart_with_the_detalle_link_and_no_list_unsubscribe(
    solicitud, smtp, settings
):
    settings.PUBLIC_BASE_URL = "https://buzon.example.mx"
    aviso = prorroga(solicitud, canal="email", destino="maria@dominio.mx")
    assert entregar_pendientes() == 1
    aviso.refresh_from_db()
    assert aviso.estado == "enviado"
    (mensaje,) = smtp.mensajes
    assert mensaje["To"] == "maria@dominio.mx"
    assert mensaje["Subject"] == f"Tu solicitud {solicitud.folio} fue prorrogada"
    assert mensaje["List-Unsubscribe"] is None
    assert mensaje["Message-ID"] == aviso.proveedor_id
    assert str(aviso.clave_idempotencia) in mensaje["Message-ID"]
    assert mensaje.get_content_type() == "multipart/alternative"
    texto = mensaje.get_body(("plain",)).get_content()
    html = mensaje.get_body(("html",)).get_content()
    enlace = f"https://buzon.example.mx/solicitudes/{solicitud.folio}/"
    assert enlace in texto
    assert f'href="{enlace}"' in html
    # Nothing about the person beyond the folio.
    for dato in (solicitud.contribuyente.rfc, solicitud.contribuyente.nombre):
        assert dato not in texto and dato not in html


def test_smtp_down_is_retried(solicitud, settings):
    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_CORREO_PASARELA = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    aviso = prorroga(solicitud, canal="email", destino="maria@dominio.mx")
    entregar_pendientes()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert aviso.ultimo_error.startswith("ErrorPasarela: SMTP")


def test_rolled_back_email_is_never_sent(solicitud, smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        prorroga(solicitud, canal="email", destino="maria@dominio.mx")
        raise RuntimeError("la prórroga falló")
    assert entregar_pendientes() == 0
    assert smtp.mensajes == []


def test_console_gateways_write_one_json_line_per_message(solicitud, settings, tmp_path):
    settings.AVISOS_EN_PROCESO = False
    settings.AVISOS_SMS_PASARELA = settings.AVISOS_CORREO_PASARELA = "console"
    settings.DATA_DIR = tmp_path
    prorroga(solicitud)
    prorroga(solicitud, canal="email", destino="maria@dominio.mx")
    assert entregar_pendientes() == 2
    lineas = [
        json.loads(x) for x in (tmp_path / "avisos" / "enviados.jsonl").read_text().splitlines()
    ]
    assert [(x["canal"], x["destino"]) for x in lineas] == [
        ("sms", "5512345678"),
        ("email", "maria@dominio.mx"),
    ]
    assert all(solicitud.folio in x["texto"] and x["enviado"] for x in lineas)


def test_confirmation_code_sms_fits_one_segment():
    from avisos import sms
    from avisos.services import texto_sms

    texto = texto_sms("codigo", {"codigo": "123456"})
    assert "123456" in texto
    assert sms.medir(texto).segmentos == 1


def test_worker_dead_between_send_and_mark_the_key_prevents_a_second_sms(
    solicitud, proveedor, settings
):
    from avisos import services

    settings.AVISOS_RESERVA_SEGUNDOS = 1
    aviso = prorroga(solicitud)
    # The first worker claims it, starts the send, the provider takes it… and the worker
    # dies before writing enviado.
    lote = services.reclamar(ahora=timezone.now())
    assert services._actualizar_mio(
        aviso.pk, lote.reclamo, sumar_intento=True, envio_iniciado=timezone.now()
    )
    services.pasarela_sms().enviar(
        destino=aviso.destino, texto=aviso.texto, clave_idempotencia=str(aviso.clave_idempotencia)
    )
    # Once its claim lapses another worker takes the notice and sends it again.
    assert entregar_pendientes(ahora=timezone.now() + timedelta(seconds=12)) == 1
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("enviado", 2)
    clave = str(aviso.clave_idempotencia)
    # Presented twice under one key; the provider delivered it once.
    assert [c["Idempotency-Key"] for c in proveedor.cabeceras] == [clave, clave]
    assert proveedor.presentaciones == {clave: 2}
    assert list(proveedor.entregados) == [clave]
