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


# ---------------------------------------------------------------- verify a typed code

PAGINA = "/verificar/"


def test_the_page_offers_a_box_for_the_code_and_the_pdf_upload(client, db):
    respuesta = client.get(PAGINA)
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert '<form method="get" action="/verificar/"' in html
    assert '<input type="text" id="codigo" name="codigo"' in html
    assert '<label for="codigo">Código de verificación</label>' in html
    assert 'type="file" id="acuse" name="acuse"' in html


def test_a_typed_code_goes_to_its_own_address(client, recepcion):
    codigo = recepcion.codigo_verificacion
    respuesta = client.get(PAGINA, {"codigo": codigo})
    assert respuesta.status_code == 302
    assert respuesta["Location"] == f"/verificar/{codigo}"
    assert "Acuse auténtico" in client.get(respuesta["Location"]).content.decode()


@pytest.mark.parametrize(
    "escrito",
    [
        lambda c: f"  {c}\n",
        lambda c: " ".join(c[i : i + 4] for i in range(0, len(c), 4)),  # in groups
        lambda c: f"{c[:20]}\r\n{c[20:]}",  # copied across the PDF's line break
        lambda c: f"https://buzon.imss.gob.mx/verificar/{c}",  # the whole link
        lambda c: f"http://127.0.0.1:8000/verificar/{c}/",
    ],
    ids=["spaces", "groups", "line-break", "link", "old-link"],
)
def test_spaces_line_breaks_and_whole_links_are_understood(client, recepcion, escrito):
    codigo = recepcion.codigo_verificacion
    respuesta = client.get(PAGINA, {"codigo": escrito(codigo)})
    assert (respuesta.status_code, respuesta["Location"]) == (302, f"/verificar/{codigo}")


def test_case_is_kept_because_the_code_tells_upper_from_lower(client, recepcion):
    cambiado = recepcion.codigo_verificacion.swapcase()
    respuesta = client.get(PAGINA, {"codigo": cambiado})
    assert respuesta["Location"] == f"/verificar/{cambiado}"
    if cambiado != recepcion.codigo_verificacion:
        assert client.get(respuesta["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("escrito", "mensaje"),
    [
        ("", "Escriba el código de verificación"),
        ("   ", "Escriba el código de verificación"),
        ("A-2026-000123", "Ese no es un código de verificación"),  # a folio
        ("abc", "Ese no es un código de verificación"),
        ("x" * 31, "Ese no es un código de verificación"),
        ("x" * 33, "Ese no es un código de verificación"),
        ("ñ" * 32, "Ese no es un código de verificación"),
        ("<script>alert(1)</script>" + "x" * 7, "Ese no es un código de verificación"),
        ("x" * 5000, "Ese no es un código de verificación"),
    ],
    ids=["empty", "blank", "folio", "short", "31", "33", "accents", "markup", "huge"],
)
def test_a_bad_code_is_said_next_to_the_box_in_spanish(client, db, escrito, mensaje):
    respuesta = client.get(PAGINA, {"codigo": escrito})
    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert f'<p class="error" id="codigo-error" data-testid="error-codigo">{mensaje}' in html
    assert 'aria-describedby="codigo-ayuda codigo-error" aria-invalid="true"' in html
    assert "<script>alert" not in html  # what was typed comes back escaped
    # The PDF upload is still there, on the same page.
    assert 'type="file" id="acuse" name="acuse"' in html


def test_the_code_address_and_its_json_are_unchanged_by_the_box(client, recepcion):
    codigo = recepcion.codigo_verificacion
    datos = client.get(f"/verificar/{codigo}", HTTP_ACCEPT="application/json")
    assert datos.json()["valido"] is True
    # A box value on the code's own address is not a new lookup.
    assert client.get(f"/verificar/{codigo}", {"codigo": "abc"}).status_code == 200


# ---------------------------------------------------------------- links to the page


def test_the_footer_and_the_login_page_link_to_verification(client, db):
    html = client.get(reverse("cuentas:login")).content.decode()
    assert '<a href="/verificar/" data-testid="acceso-verificar">' in html
    assert '<a href="/verificar/" data-testid="pie-verificar">Verificar un acuse</a>' in html
    assert 'data-testid="pie-verificar"' in client.get(PAGINA).content.decode()


def test_detalle_links_each_acuse_to_its_verification(client, recepcion, contribuyente):
    iniciar_sesion(client, contribuyente)
    html = client.get(reverse("promociones:detalle", args=["A-2026-000123"])).content.decode()
    assert (
        f'<a href="/verificar/{recepcion.codigo_verificacion}" '
        'aria-label="Verificar el acuse: recepción" data-testid="verificar-recepcion">'
        "Verificar</a>"
    ) in html


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
