"""End to end in Chromium: file an Aclaración with a zip, see the folio, the Tablero and the
Detalle; the live character counter agrees with the server at 3,999 / 4,000."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cuentas.models import Contribuyente
from promociones.models import Solicitud
from promociones.tests.conftest import FAMILIA
from tests.e2e.conftest import pagina_con_sesion
from tests.personas import crear_contribuyente, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pagina(browser: Any, live_server: Any, contribuyente: Contribuyente) -> Iterator[Any]:
    with pagina_con_sesion(browser, live_server, contribuyente.usuario) as p:
        yield p


@pytest.fixture
def contribuyente() -> Contribuyente:
    sembrar_catalogo()
    return crear_contribuyente("EKU9003173C9", "ESCUELA KEMPER URGATE SA DE CV")


def test_file_an_aclaracion_with_a_zip_and_follow_it_to_the_tablero_and_detalle(
    pagina: Any, tmp_path: Path
) -> None:
    evidencia = tmp_path / "pagos febrero.zip"
    with zipfile.ZipFile(evidencia, "w") as z:
        z.writestr("comprobante.txt", "Pago SUA del periodo 2026-02")

    pagina.goto("/tablero/")
    pagina.get_by_role("link", name="Aclaraciones").click()
    pagina.get_by_role("link", name="Nueva Solicitud").click()
    pagina.get_by_label("Emisiones").check()
    pagina.get_by_role("button", name="Ver recomendaciones").click()
    assert "IDSE" in pagina.get_by_test_id("recomendaciones").inner_text()
    pagina.get_by_role("button", name="Continuar registro").click()

    pagina.get_by_label("Descripción").fill("La emisión de febrero no refleja la baja.")
    pagina.get_by_label("Teléfono (obligatorio)").fill("(55) 1234-5678")
    pagina.set_input_files("#evidencia", str(evidencia))
    assert "pagos febrero.zip" in pagina.get_by_test_id("nombre-archivo").inner_text()
    pagina.get_by_role("button", name="Enviar").click()

    pagina.wait_for_url(re.compile(r"/registrada/$"))
    folio = pagina.get_by_test_id("folio").inner_text()
    assert re.fullmatch(r"A-\d{4}-\d{6}", folio)
    assert "registrado exitosamente" in pagina.get_by_test_id("exito").inner_text()
    assert Solicitud.objects.get().folio == folio

    pagina.get_by_role("link", name="Regresar").click()
    pagina.wait_for_url(re.compile(r"/tablero/$"))
    fila = pagina.locator("table.solicitudes tbody tr", has_text=folio)
    assert "Emisiones" in fila.inner_text() and "Recibido" in fila.inner_text()
    fila.get_by_role("link", name="Detalle").click()
    pagina.wait_for_url(re.compile(re.escape(f"/solicitudes/{folio}/") + "$"))
    assert pagina.get_by_test_id("folio").inner_text() == folio
    assert "pagos febrero.zip" in pagina.get_by_test_id("evidencia").inner_text()
    assert "Acuse de recepción" in pagina.get_by_test_id("acuses").inner_text()


def test_live_counter_agrees_with_the_server_at_3999_and_4000(pagina: Any) -> None:
    pagina.goto("/promociones/orientacion/nueva/?asunto=icsoe&paso=registro")
    descripcion = pagina.get_by_label("Descripción")
    contador = pagina.get_by_test_id("contador")

    # 3,996 characters as a person sees them, then typed by keyboard: a newline (Enter,
    # which the browser sends as CRLF), a ZWJ family emoji and a letter.
    base = ("x\n" + FAMILIA + "e\u0301") * 999
    descripcion.fill(base)
    descripcion.press("Control+End")
    pagina.keyboard.press("Enter")
    pagina.keyboard.insert_text(FAMILIA)
    pagina.keyboard.type("a")
    assert contador.inner_text() == "3,999 de 3,999 caracteres"

    pagina.keyboard.type("b")
    assert contador.inner_text().startswith("4,000 de 3,999 caracteres")
    pagina.get_by_role("button", name="Enviar").click()
    error = pagina.get_by_test_id("error-descripcion")
    assert "menor a 4,000 caracteres" in error.inner_text()
    assert Solicitud.objects.count() == 0
    # The text came back as typed, and the counter still says 4,000.
    assert pagina.get_by_test_id("contador").inner_text().startswith("4,000 de 3,999")

    pagina.get_by_label("Descripción").press("Control+End")
    pagina.keyboard.press("Backspace")
    assert pagina.get_by_test_id("contador").inner_text() == "3,999 de 3,999 caracteres"
    pagina.get_by_role("button", name="Enviar").click()
    pagina.wait_for_url(re.compile(r"/registrada/$"))
    guardada = Solicitud.objects.get().descripcion
    assert guardada.endswith("\n" + FAMILIA + "a")
    assert "\r" not in guardada


def test_a_rule_broken_shows_its_message_and_keeps_the_text_and_the_file(
    pagina: Any, tmp_path: Path
) -> None:
    evidencia = tmp_path / "evidencia.zip"
    with zipfile.ZipFile(evidencia, "w") as z:
        z.writestr("acuse.txt", "Acuse ICSOE")
    pagina.goto("/promociones/aclaracion/nueva/?asunto=icsoe&paso=registro")
    pagina.get_by_label("Descripción").fill("La ICSOE no aparece.")
    pagina.get_by_label("Teléfono (obligatorio)").fill("55 1234 567")
    pagina.set_input_files("#evidencia", str(evidencia))
    pagina.get_by_role("button", name="Enviar").click()

    error = pagina.get_by_test_id("error-telefono")
    assert "exactamente 10 dígitos" in error.inner_text()
    assert pagina.get_by_label("Descripción").input_value() == "La ICSOE no aparece."
    assert pagina.get_by_label("Teléfono (obligatorio)").input_value() == "55 1234 567"
    # The phone was checked before the file was sent: the file is still chosen.
    assert "evidencia.zip" in pagina.get_by_test_id("nombre-archivo").inner_text()
    assert pagina.eval_on_selector("#evidencia", "e => e.files.length") == 1
    assert Solicitud.objects.count() == 0
    # The page that came back works: the counter runs and the button is enabled.
    assert pagina.get_by_test_id("contador").inner_text() == "20 de 3,999 caracteres"
    assert pagina.get_by_role("button", name="Enviar").is_enabled()
