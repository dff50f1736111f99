"""Detalle downloads and the public verification page, in Chromium.

The taxpayer downloads the evidence and the acuse de recepción from the Detalle; a
stranger with no session opens /verificar/{codigo} and uploads that PDF, intact and with
one byte changed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from acuses.models import Acuse
from cuentas.models import Contribuyente
from promociones.models import Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import zip_bytes
from tests.e2e.conftest import pagina_con_sesion, vigilar_csp
from tests.personas import crear_contribuyente, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RFC = "EKU9003173C9"


@pytest.fixture(autouse=True)
def almacen(settings: Any, tmp_path: Path) -> Path:
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    return carpeta


@pytest.fixture
def solicitud() -> Solicitud:
    """An Aclaración with evidence, filed through the service (the UI is not the subject)."""
    sembrar_catalogo()
    contribuyente = crear_contribuyente(RFC, "ESCUELA KEMPER URGATE SA DE CV")
    return registrar_solicitud(
        contribuyente=contribuyente,
        servicio="aclaracion",
        asunto="icsoe",
        descripcion="La ICSOE no aparece como presentada.",
        telefono="5512345678",
        evidencia=SimpleUploadedFile("pagos marzo.zip", zip_bytes()),
    )


@pytest.fixture
def pagina(browser: Any, live_server: Any, solicitud: Solicitud) -> Iterator[Any]:
    """A page signed in as the solicitud's taxpayer by a server-side session."""
    usuario = Contribuyente.objects.get(rfc=RFC).usuario
    with pagina_con_sesion(browser, live_server, usuario, accept_downloads=True) as p:
        yield p


@pytest.fixture
def extrano(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh context with no session: anyone holding a printed acuse."""
    contexto = browser.new_context(base_url=live_server.url, locale="es-MX")
    p = contexto.new_page()
    p.set_default_timeout(15_000)
    violaciones = vigilar_csp(p)
    yield p
    contexto.close()
    assert violaciones == [], f"Violaciones de CSP en la consola: {violaciones}"


def test_detalle_shows_the_evidence_facts_and_downloads_it_as_an_attachment(
    pagina: Any, solicitud: Solicitud, tmp_path: Path
) -> None:
    datos = zip_bytes()
    pagina.goto(f"/solicitudes/{solicitud.folio}/")
    evidencia = pagina.get_by_test_id("evidencia").inner_text()
    assert "pagos marzo.zip" in evidencia
    assert f"{len(datos)} bytes" in evidencia
    assert hashlib.sha256(datos).hexdigest() in evidencia

    with pagina.expect_download() as descarga:
        pagina.get_by_role("link", name="pagos marzo.zip").click()
    assert descarga.value.suggested_filename == "pagos marzo.zip"
    ruta = tmp_path / "descargada.zip"
    descarga.value.save_as(ruta)
    assert ruta.read_bytes() == datos


def _descargar_acuse(pagina: Any, solicitud: Solicitud, destino: Path) -> bytes:
    pagina.goto(f"/solicitudes/{solicitud.folio}/")
    with pagina.expect_download() as descarga:
        pagina.get_by_test_id("acuses").get_by_role("link", name="Acuse de recepción").click()
    descarga.value.save_as(destino)
    return destino.read_bytes()


def test_the_acuse_de_recepcion_downloads_as_a_pdf_that_names_the_folio(
    pagina: Any, solicitud: Solicitud, tmp_path: Path
) -> None:
    datos = _descargar_acuse(pagina, solicitud, tmp_path / "acuse.pdf")
    assert datos.startswith(b"%PDF")
    texto = "".join(hoja.extract_text() for hoja in PdfReader(io.BytesIO(datos)).pages)
    assert solicitud.folio in texto


def test_a_stranger_verifies_the_code_and_the_pdf_and_one_changed_byte_is_not_valid(
    pagina: Any, extrano: Any, solicitud: Solicitud, tmp_path: Path
) -> None:
    original = tmp_path / "acuse.pdf"
    datos = _descargar_acuse(pagina, solicitud, original)
    acuse = Acuse.objects.get(solicitud=solicitud, tipo=Acuse.Tipo.RECEPCION)

    extrano.goto(f"/verificar/{acuse.codigo_verificacion}")
    assert "Acuse auténtico" in extrano.get_by_test_id("resultado-codigo").inner_text()
    hechos = extrano.locator("main").inner_text()
    assert solicitud.folio in hechos
    assert "EKU•••••••C9" in hechos and RFC not in hechos

    extrano.set_input_files("#acuse", str(original))
    extrano.get_by_role("button", name="Verificar", exact=True).click()
    assert extrano.get_by_test_id("resultado-archivo").inner_text().startswith("Válido.")

    alterado = bytearray(datos)
    posicion = len(alterado) // 2
    alterado[posicion] = (alterado[posicion] + 1) % 256
    (tmp_path / "alterado.pdf").write_bytes(bytes(alterado))
    extrano.set_input_files("#acuse", str(tmp_path / "alterado.pdf"))
    extrano.get_by_role("button", name="Verificar", exact=True).click()
    assert extrano.get_by_test_id("resultado-archivo").inner_text().startswith("No válido.")


def test_a_stranger_types_the_code_in_the_box_from_the_footer_link(
    pagina: Any, extrano: Any, solicitud: Solicitud
) -> None:
    acuse = Acuse.objects.get(solicitud=solicitud, tipo=Acuse.Tipo.RECEPCION)
    extrano.goto("/acceso/")
    extrano.get_by_test_id("pie-verificar").click()
    extrano.get_by_label("Código de verificación", exact=True).fill("no-es-un-codigo")
    extrano.get_by_role("button", name="Verificar código").click()
    assert "Ese no es un código" in extrano.get_by_test_id("error-codigo").inner_text()
    # As a person copies it from the PDF: in groups, across a line break.
    codigo = acuse.codigo_verificacion
    extrano.get_by_label("Código de verificación", exact=True).fill(f"{codigo[:16]} {codigo[16:]}")
    extrano.get_by_role("button", name="Verificar código").click()
    assert extrano.url.endswith(f"/verificar/{codigo}")
    assert "Acuse auténtico" in extrano.get_by_test_id("resultado-codigo").inner_text()
