from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acuses import pdf
from acuses.tests.conftest import iniciar_sesion
from acuses.verificacion import verificar_pdf
from tests.personas import CONTRIBUYENTE


@pytest.fixture(autouse=True)
def _silencio(caplog):
    caplog.set_level(logging.WARNING, logger="acuses.verificacion")


def url_pdf(folio: str, tipo: str) -> str:
    return reverse("promociones:acuse", args=[folio, tipo])


# ---------------------------------------------------------------- download (page)


def test_owner_downloads_the_signed_pdf_as_an_attachment(client, recepcion, contribuyente):
    iniciar_sesion(client, contribuyente)
    respuesta = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"] == "application/pdf"
    assert respuesta["Content-Disposition"] == (
        'attachment; filename="acuse-recepcion-A-2026-000123.pdf"'
    )
    assert "no-store" in respuesta["Cache-Control"]
    assert respuesta.content.startswith(b"%PDF")
    assert verificar_pdf(respuesta.content).valido


def test_url_names_the_folio_and_kind_as_documented(recepcion):
    assert url_pdf("A-2026-000123", "recepcion") == (
        "/solicitudes/A-2026-000123/acuses/recepcion.pdf"
    )
    assert reverse("acuses:verificar", args=["abc"]) == "/verificar/abc"
    assert reverse("acuses:verificar_archivo") == "/verificar/"


def test_another_taxpayer_gets_the_same_404_as_for_an_unknown_folio(
    client, recepcion, otro_contribuyente
):
    iniciar_sesion(client, otro_contribuyente)
    ajena = client.get(url_pdf("A-2026-000123", "recepcion"))
    inexistente = client.get(url_pdf("A-2026-999999", "recepcion"))
    assert ajena.status_code == inexistente.status_code == 404
    assert ajena.content == inexistente.content


def test_missing_kind_is_404_for_the_owner(client, recepcion, contribuyente):
    iniciar_sesion(client, contribuyente)
    assert client.get(url_pdf("A-2026-000123", "respuesta")).status_code == 404
    assert client.get(url_pdf("A-2026-000123", "otro")).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, recepcion):
    respuesta = client.get(url_pdf("A-2026-000123", "recepcion"))
    assert respuesta.status_code == 302


# ---------------------------------------------------------------- verify by code


def test_public_page_shows_genuine_acuse_with_rfc_and_name_masked(client, recepcion):
    respuesta = client.get(reverse("acuses:verificar", args=[recepcion.codigo_verificacion]))
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Acuse auténtico" in html
    assert "A-2026-000123" in html
    assert "PEN••••••••B1" in html
    assert CONTRIBUYENTE.rfc not in html
    assert CONTRIBUYENTE.nombre not in html
    assert "Emisiones" in html
    assert "28 de noviembre de 2026, 10:15:03 h" in html
    assert respuesta["Vary"] and "Accept" in respuesta["Vary"]


def test_code_lookup_answers_json_when_asked(client, recepcion):
    respuesta = client.get(
        reverse("acuses:verificar", args=[recepcion.codigo_verificacion]),
        HTTP_ACCEPT="application/json",
    )
    assert respuesta.status_code == 200
    assert respuesta.json() == {
        "valido": True,
        "tipo": "recepcion",
        "folio": "A-2026-000123",
        "emitido": "2026-11-28T10:15:03-06:00",
        "rfc": "PEN••••••••B1",
        "nombre": "M•••• J••• P••• N••••",
    }


def test_unknown_code_is_404_in_html_and_json(client, recepcion):
    url = reverse("acuses:verificar", args=["codigo-inexistente-123"])
    pagina = client.get(url)
    assert pagina.status_code == 404
    assert "No existe un acuse con ese código" in pagina.content.decode()
    datos = client.get(url, HTTP_ACCEPT="application/json")
    assert datos.status_code == 404
    assert datos.json() == {"valido": False}


# ---------------------------------------------------------------- verify by upload


def subir(client, url: str, datos: bytes | None):
    archivos = {"acuse": SimpleUploadedFile("acuse.pdf", datos, "application/pdf")} if datos else {}
    return client.post(url, archivos)


def test_upload_form_says_a_genuine_pdf_is_valid(client, recepcion):
    respuesta = subir(client, reverse("acuses:verificar_archivo"), pdf.pdf_de(recepcion))
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Válido." in html
    assert "A-2026-000123" in html and "PEN••••••••B1" in html


def test_upload_form_says_a_changed_byte_is_not_valid(client, recepcion):
    datos = bytearray(pdf.pdf_de(recepcion))
    datos[len(datos) // 2] ^= 0x01
    respuesta = subir(client, reverse("acuses:verificar_archivo"), bytes(datos))
    assert respuesta.status_code == 200
    assert "No válido." in respuesta.content.decode()


@pytest.mark.django_db
def test_upload_form_without_a_file_explains_what_is_missing(client):
    respuesta = subir(client, reverse("acuses:verificar_archivo"), None)
    assert respuesta.status_code == 400
    assert "Adjunte el acuse en PDF" in respuesta.content.decode()


def test_verification_form_is_protected_by_csrf(recepcion):
    from django.test import Client

    estricto = Client(enforce_csrf_checks=True)
    respuesta = subir(estricto, reverse("acuses:verificar_archivo"), pdf.pdf_de(recepcion))
    assert respuesta.status_code == 403
    pagina = estricto.get(reverse("acuses:verificar_archivo"))
    assert 'name="csrfmiddlewaretoken"' in pagina.content.decode()
