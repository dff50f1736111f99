"""The acuse endpoints of the JSON API: download by the owner only, verification by anyone."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from acuses import pdf
from acuses.verificacion import verificar_pdf
from cuentas.autenticacion import crear_token_sesion
from cuentas.models import Contribuyente


@pytest.fixture(autouse=True)
def _silencio(caplog):
    caplog.set_level(logging.WARNING, logger="acuses.verificacion")


def cliente_api(contribuyente: Contribuyente) -> Client:
    """A client with a session token of ``contribuyente``, as the e.firma login issues."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {crear_token_sesion(contribuyente.usuario)}")


URL = "/api/v1/solicitudes/{folio}/acuses/{tipo}"


def test_owner_downloads_each_kind_as_a_signed_pdf(acuses_de_todos_los_tipos, contribuyente):
    cliente = cliente_api(contribuyente)
    for tipo in acuses_de_todos_los_tipos:
        respuesta = cliente.get(URL.format(folio="A-2026-000123", tipo=tipo))
        assert respuesta.status_code == 200, (tipo, respuesta.content[:200])
        assert respuesta["Content-Type"] == "application/pdf"
        assert respuesta["Content-Disposition"].startswith("attachment;")
        resultado = verificar_pdf(respuesta.content)
        assert resultado.valido and resultado.hechos["tipo"] == tipo


def test_foreign_and_unknown_folios_answer_the_same_404(recepcion, otro_contribuyente):
    cliente = cliente_api(otro_contribuyente)
    ajena = cliente.get(URL.format(folio="A-2026-000123", tipo="recepcion"))
    inexistente = cliente.get(URL.format(folio="A-2026-999999", tipo="recepcion"))
    assert ajena.status_code == inexistente.status_code == 404
    assert ajena.json() == inexistente.json()
    assert ajena.json()["codigo"] == "no_encontrada"


def test_kind_not_issued_yet_is_a_404_with_its_own_code(recepcion, contribuyente):
    respuesta = cliente_api(contribuyente).get(URL.format(folio="A-2026-000123", tipo="respuesta"))
    assert respuesta.status_code == 404
    assert respuesta.json()["codigo"] == "acuse_no_encontrado"
    assert respuesta.json()["mensaje"]


def test_download_without_a_token_is_refused(recepcion):
    respuesta = Client().get(URL.format(folio="A-2026-000123", tipo="recepcion"))
    assert respuesta.status_code == 401
    assert "codigo" in respuesta.json()


def subir(datos: bytes | None, cliente: Client | None = None):
    archivos = {"acuse": SimpleUploadedFile("a.pdf", datos, "application/pdf")} if datos else {}
    return (cliente or Client()).post("/api/v1/verificar", archivos)


def test_verificar_says_a_genuine_pdf_is_valid_without_login(recepcion):
    respuesta = subir(pdf.pdf_de(recepcion))
    assert respuesta.status_code == 200
    assert respuesta.json() == {
        "valido": True,
        "motivo": "valido",
        "mensaje": "El acuse es auténtico y no ha sido modificado desde su emisión.",
        "tipo": "recepcion",
        "folio": "A-2026-000123",
        "emitido": "2026-11-28T10:15:03-06:00",
        "rfc": "PEN••••••••B1",
        "nombre": "M•••• J••• P••• N••••",
        "codigo_verificacion": recepcion.codigo_verificacion,
        "numero_certificado_sello": recepcion.numero_certificado_sello,
    }


def test_verificar_says_a_pdf_with_one_changed_byte_is_not_valid(recepcion):
    datos = bytearray(pdf.pdf_de(recepcion))
    datos[len(datos) // 4] ^= 0x01
    respuesta = subir(bytes(datos))
    assert respuesta.status_code == 200
    cuerpo = respuesta.json()
    assert cuerpo["valido"] is False
    assert cuerpo["motivo"] in ("pdf_alterado", "pdf_ilegible")
    assert cuerpo["mensaje"]
    assert "folio" not in cuerpo


def test_verificar_needs_no_csrf_token_and_no_cookie(recepcion):
    estricto = Client(enforce_csrf_checks=True)
    assert subir(pdf.pdf_de(recepcion), estricto).json()["valido"] is True


@pytest.mark.django_db
def test_verificar_without_a_file_is_a_400_with_a_code():
    respuesta = subir(None)
    assert respuesta.status_code == 400
    assert respuesta.json()["codigo"] == "acuse_requerido"


@pytest.mark.django_db
def test_verificar_refuses_a_huge_upload_with_413():
    respuesta = subir(b"%PDF-" + b"0" * (5 * 1024 * 1024))
    assert respuesta.status_code == 413
    assert respuesta.json()["codigo"] == "acuse_muy_grande"


def test_verificar_only_accepts_post():
    assert Client().get("/api/v1/verificar").status_code == 405
