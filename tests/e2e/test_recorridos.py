"""Filing in Chromium at the edges of each rule: teléfono digits, evidence size and harmful
zips, a double click on Enviar, another taxpayer's folio and logging out.

Taxpayers are seeded through services and signed in by a server-side session cookie; the
real login page is covered by test_login.py. Every page is watched for CSP violations.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cuentas.models import Contribuyente
from promociones.consultas import olvidar_asuntos
from promociones.models import Estatus, Evidencia, Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import (
    zip_bytes,
    zip_de_tamano,
    zip_que_escapa,
)
from tests.e2e.conftest import pagina_con_sesion
from tests.personas import crear_contribuyente, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMULARIO_ACLARACION = "/promociones/aclaracion/nueva/?asunto=icsoe&paso=registro"
DESCRIPCION = "La ICSOE del tercer cuatrimestre no aparece como presentada."


@pytest.fixture(autouse=True)
def almacen(settings: Any, tmp_path: Path) -> Path:
    """Evidence goes to a per-test folder, so a test can see that nothing was stored."""
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return carpeta


def archivos_en(carpeta: Path) -> list[Path]:
    return [p for p in carpeta.rglob("*") if p.is_file()] if carpeta.exists() else []


@pytest.fixture
def contribuyente() -> Contribuyente:
    # Each transactional test reseeds the catalog with new ids: forget the cached ones.
    olvidar_asuntos()
    sembrar_catalogo()
    return crear_contribuyente("EKU9003173C9", "ESCUELA KEMPER URGATE SA DE CV")


@pytest.fixture
def pagina(browser: Any, live_server: Any, contribuyente: Contribuyente) -> Iterator[Any]:
    """A page signed in as ``contribuyente``; fails the test on any CSP violation."""
    with pagina_con_sesion(browser, live_server, contribuyente.usuario) as p:
        yield p


def escribir(ruta: Path, datos: bytes) -> Path:
    ruta.write_bytes(datos)
    return ruta


def llenar_aclaracion(p: Any, telefono: str, evidencia: Path | None) -> None:
    p.goto(FORMULARIO_ACLARACION)
    p.get_by_label("Descripción").fill(DESCRIPCION)
    p.get_by_label("Teléfono (obligatorio)").fill(telefono)
    if evidencia is not None:
        p.set_input_files("#evidencia", str(evidencia))


# --- Teléfono -------------------------------------------------------------------------


@pytest.mark.parametrize("telefono", ["551234567", "55123456789"])
def test_a_phone_of_9_or_11_digits_is_refused_next_to_the_field(
    pagina: Any, tmp_path: Path, telefono: str
) -> None:
    llenar_aclaracion(pagina, telefono, escribir(tmp_path / "e.zip", zip_bytes()))
    pagina.get_by_role("button", name="Enviar").click()
    error = pagina.get_by_test_id("error-telefono")
    assert "exactamente 10 dígitos" in error.inner_text()
    assert pagina.get_by_label("Descripción").input_value() == DESCRIPCION
    assert Solicitud.objects.count() == 0


@pytest.mark.parametrize("telefono", ["5512345678", "(55) 1234-5678"])
def test_a_phone_of_10_digits_with_or_without_punctuation_is_accepted(
    pagina: Any, tmp_path: Path, telefono: str
) -> None:
    llenar_aclaracion(pagina, telefono, escribir(tmp_path / "e.zip", zip_bytes()))
    pagina.get_by_role("button", name="Enviar").click()
    pagina.wait_for_url(re.compile(r"/registrada/$"))
    assert Solicitud.objects.get().telefono == "5512345678"


# --- Evidencia ------------------------------------------------------------------------


def test_evidence_of_10485759_bytes_is_accepted_and_stored_whole(
    pagina: Any, tmp_path: Path, almacen: Path
) -> None:
    llenar_aclaracion(
        pagina, "5512345678", escribir(tmp_path / "grande.zip", zip_de_tamano(10_485_759))
    )
    pagina.get_by_role("button", name="Enviar").click()
    pagina.wait_for_url(re.compile(r"/registrada/$"))
    assert Evidencia.objects.get().bytes == 10_485_759
    # The evidence, stored whole (the acuse's PDF is stored beside it, under acuses/).
    assert [f.stat().st_size for f in archivos_en(almacen / "evidencias")] == [10_485_759]


def _zip_dentro_de_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("anidado.zip", zip_bytes())
    return buffer.getvalue()


def _zip_con_programa() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("pago.pdf", b"%PDF-1.4\n")
        z.writestr("factura.pdf.exe", b"MZ\x90\x00\x03" + b"\x00" * 200)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("nombre", "datos", "mensaje"),
    [
        pytest.param(
            "grande.zip",
            lambda: zip_de_tamano(10_485_760),
            "pesar menos de 10 MB",
            id="10485760-bytes",
        ),
        pytest.param(
            "factura.zip", lambda: b"%PDF-1.7\n% no es un zip\n" * 40, ".zip", id="renamed-pdf"
        ),
        pytest.param("escapa.zip", zip_que_escapa, "podría dañar", id="path-climbing"),
        pytest.param(
            "anidado.zip",
            _zip_dentro_de_zip,
            "«anidado.zip» dentro del .zip es otro archivo comprimido",
            id="zip-in-zip",
        ),
        pytest.param(
            "pruebas.zip",
            _zip_con_programa,
            "«factura.pdf.exe» dentro del .zip es un programa ejecutable",
            id="program-in-zip",
        ),
    ],
)
def test_refused_evidence_shows_its_message_keeps_the_text_and_stores_nothing(
    pagina: Any, tmp_path: Path, almacen: Path, nombre: str, datos: Any, mensaje: str
) -> None:
    llenar_aclaracion(pagina, "5512345678", escribir(tmp_path / nombre, datos()))
    pagina.get_by_role("button", name="Enviar").click()
    error = pagina.get_by_test_id("error-evidencia")
    assert mensaje in error.inner_text()
    assert pagina.get_by_label("Descripción").input_value() == DESCRIPCION
    assert Solicitud.objects.count() == 0
    assert Evidencia.objects.count() == 0
    assert archivos_en(almacen) == []


# --- Envío ----------------------------------------------------------------------------


def test_a_double_click_on_enviar_files_exactly_one_solicitud(pagina: Any, tmp_path: Path) -> None:
    llenar_aclaracion(pagina, "5512345678", escribir(tmp_path / "e.zip", zip_bytes()))
    pagina.get_by_role("button", name="Enviar").dblclick()
    pagina.wait_for_url(re.compile(r"/registrada/$"))
    assert Solicitud.objects.count() == 1


def test_another_taxpayers_folio_shows_the_same_404_page_as_an_unknown_folio(
    pagina: Any,
) -> None:
    otro = crear_contribuyente("AAA010101AAA", "ACCEM SERVICIOS EMPRESARIALES SC")
    ajena = registrar_solicitud(
        contribuyente=otro,
        servicio="orientacion",
        asunto="icsoe",
        descripcion="Pregunta ajena.",
        telefono="",
        evidencia=None,
    )
    respuesta_ajena = pagina.goto(f"/solicitudes/{ajena.folio}/")
    texto_ajena = pagina.locator("main").inner_text()
    desconocido = ajena.folio[:-1] + ("8" if ajena.folio[-1] == "9" else "9")
    respuesta_desconocida = pagina.goto(f"/solicitudes/{desconocido}/")
    assert respuesta_ajena.status == respuesta_desconocida.status == 404
    assert texto_ajena == pagina.locator("main").inner_text()
    assert ajena.folio not in texto_ajena and "Pregunta ajena" not in texto_ajena


def test_logout_ends_the_session_and_the_tablero_then_asks_to_sign_in(pagina: Any) -> None:
    pagina.goto("/tablero/")
    pagina.get_by_role("button", name=re.compile("Cerrar sesión|Salir")).click()
    pagina.wait_for_url(re.compile(r"/acceso/"))
    pagina.goto("/tablero/")
    assert re.search(r"/acceso/", pagina.url)


# --- Recorrido de la guía -------------------------------------------------------------


def test_the_guides_menu_path_files_an_orientacion_without_phone_nor_evidence(
    pagina: Any,
) -> None:
    pagina.goto("/tablero/")
    menu = pagina.get_by_role("navigation", name="Menú principal")
    assert "Promociones Electrónicas" in menu.inner_text()
    menu.get_by_role("link", name="Orientaciones").click()
    pagina.get_by_role("link", name="Nueva Solicitud").click()
    pagina.get_by_label("ICSOE").check()
    pagina.get_by_role("button", name="Ver recomendaciones").click()
    assert pagina.get_by_test_id("recomendaciones").inner_text().strip()
    pagina.get_by_role("button", name="Continuar registro").click()
    pagina.get_by_label("Descripción").fill("¿Cómo presento la ICSOE del cuatrimestre?")
    pagina.get_by_role("button", name="Enviar").click()

    pagina.wait_for_url(re.compile(r"/registrada/$"))
    folio = pagina.get_by_test_id("folio").inner_text()
    assert re.fullmatch(r"O-\d{4}-\d{6}", folio)
    solicitud = Solicitud.objects.get()
    assert (solicitud.folio, solicitud.telefono) == (folio, "")
    assert not Evidencia.objects.exists()
    pagina.get_by_role("link", name="Regresar").click()
    pagina.wait_for_url(re.compile(r"/tablero/$"))
    assert "ICSOE" in pagina.locator("table.solicitudes tbody tr", has_text=folio).inner_text()


# --- Tablero --------------------------------------------------------------------------


def _orientacion(contribuyente: Contribuyente, asunto: str, momento: datetime) -> Solicitud:
    return registrar_solicitud(
        contribuyente=contribuyente,
        servicio="orientacion",
        asunto=asunto,
        descripcion=f"Pregunta sobre {asunto}.",
        telefono="",
        evidencia=None,
        momento=momento,
    )


def _filas(p: Any) -> list[str]:
    return p.locator("table.solicitudes tbody tr").all_inner_texts()


def test_the_tablero_pages_at_20_filters_by_asunto_estatus_and_dates_and_finds_a_folio(
    pagina: Any, contribuyente: Contribuyente
) -> None:
    # 21 ICSOE on 2 March and one Emisiones on 10 March (noon in Mexico City).
    inicio = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    icsoe = [_orientacion(contribuyente, "icsoe", inicio + timedelta(minutes=i)) for i in range(21)]
    emisiones = _orientacion(contribuyente, "emisiones", datetime(2026, 3, 10, 18, 0, tzinfo=UTC))
    Solicitud.objects.filter(pk=icsoe[0].pk).update(estatus=Estatus.ATENDIDO)

    pagina.goto("/tablero/")
    assert len(_filas(pagina)) == 20
    assert "22 solicitudes · página 1 de 2" in pagina.locator("nav.paginas").inner_text()
    pagina.get_by_role("link", name="Siguiente").click()
    assert len(_filas(pagina)) == 2
    assert "página 2 de 2" in pagina.locator("nav.paginas").inner_text()

    pagina.goto("/tablero/")
    pagina.get_by_label("Asunto").select_option(label="Emisiones")
    pagina.get_by_role("button", name="Buscar").click()
    assert [emisiones.folio in f for f in _filas(pagina)] == [True]

    pagina.get_by_role("link", name="Limpiar").click()
    pagina.get_by_label("Estatus").select_option(label="Atendido")
    pagina.get_by_role("button", name="Buscar").click()
    assert [icsoe[0].folio in f for f in _filas(pagina)] == [True]

    pagina.get_by_role("link", name="Limpiar").click()
    pagina.get_by_label("Fecha de recepción desde").fill("2026-03-03")
    pagina.get_by_role("button", name="Buscar").click()
    assert [emisiones.folio in f for f in _filas(pagina)] == [True]
    pagina.get_by_label("Fecha de recepción desde").fill("")
    pagina.get_by_label("hasta").fill("2026-03-02")
    pagina.get_by_role("button", name="Buscar").click()
    assert len(_filas(pagina)) == 20
    assert "21 solicitudes" in pagina.locator("nav.paginas").inner_text()

    pagina.get_by_role("link", name="Limpiar").click()
    pagina.get_by_label("Folio").fill(icsoe[7].folio)
    pagina.get_by_role("button", name="Buscar").click()
    assert [icsoe[7].folio in f for f in _filas(pagina)] == [True]
