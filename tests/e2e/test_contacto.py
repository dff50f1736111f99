"""End to end in Chromium: the taxpayer registers a cell phone and an e-mail from the
menu, reads each code from the console gateway's file (as a person trying ``make run``
would), confirms both; a prórroga then reaches both, delivered in-process after commit."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from atencion.services import otorgar_prorroga
from atencion.tests.conftest import presentar
from avisos import services
from cuentas.models import Contribuyente
from tests.e2e.conftest import pagina_con_sesion
from tests.personas import crear_contribuyente, crear_personal, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contribuyente() -> Contribuyente:
    sembrar_catalogo()
    return crear_contribuyente("EKU9003173C9", "ESCUELA KEMPER URGATE SA DE CV")


@pytest.fixture
def consola(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The console gateways, delivering in-process, writing under a fresh data dir."""
    settings.DATA_DIR = tmp_path
    settings.AVISOS_SMS_PASARELA = settings.AVISOS_CORREO_PASARELA = "console"
    settings.AVISOS_EN_PROCESO = True
    yield tmp_path / "avisos" / "enviados.jsonl"
    # The delivery threads must finish before the test database goes away.
    for hilo in threading.enumerate():
        if hilo.name.startswith("avisos-"):
            hilo.join(timeout=10)
    if services._reintento is not None:
        services._reintento.cancel()


@pytest.fixture
def pagina(browser: Any, live_server: Any, contribuyente: Contribuyente) -> Iterator[Any]:
    with pagina_con_sesion(browser, live_server, contribuyente.usuario) as p:
        yield p


def mensajes(archivo: Path) -> list[dict[str, str]]:
    if not archivo.exists():
        return []
    return [json.loads(x) for x in archivo.read_text(encoding="utf-8").splitlines()]


def esperar(archivo: Path, destino: str, contiene: str) -> str:
    """The text of the first message to ``destino`` containing ``contiene``."""
    limite = time.monotonic() + 10
    while time.monotonic() < limite:
        for m in mensajes(archivo):
            if m["destino"] == destino and contiene in m["texto"]:
                return m["texto"]
        time.sleep(0.1)
    raise AssertionError(f"no llegó a {destino} un mensaje con «{contiene}»: {mensajes(archivo)}")


def codigo(texto: str) -> str:
    encontrado = re.search(r"\b(\d{6})\b", texto)
    assert encontrado is not None, texto
    return encontrado.group(1)


def test_register_confirm_phone_and_email_then_a_prorroga_reaches_both(
    pagina: Any, consola: Path, contribuyente: Contribuyente
) -> None:
    pagina.goto("/tablero/")
    pagina.get_by_test_id("menu-medios").click()
    pagina.wait_for_url(re.compile(r"/medios/$"))

    pagina.get_by_label("Número celular").fill("55 8765 4321")
    pagina.get_by_test_id("form-celular").get_by_role("button", name="Enviar código").click()
    assert "55******21" in pagina.locator(".mensajes").inner_text()
    sms = esperar(consola, "5587654321", "código")
    pagina.get_by_label(re.compile("Código enviado por SMS")).fill(codigo(sms))
    pagina.get_by_role("button", name="Confirmar celular").click()
    assert "55******21" in pagina.get_by_test_id("celular-confirmado").inner_text()

    pagina.get_by_label("Agregar correo").fill("maria@dominio.mx")
    pagina.get_by_test_id("form-correo").get_by_role("button", name="Enviar código").click()
    correo = esperar(consola, "maria@dominio.mx", "código")
    pagina.get_by_test_id("confirmar-correo").get_by_role("textbox").fill(codigo(correo))
    pagina.get_by_role("button", name="Confirmar correo").click()
    assert "confirmado" in pagina.get_by_test_id("correo").inner_text()
    assert "m***@dominio.mx" in pagina.content()
    assert "maria@dominio.mx" not in pagina.content()

    # The request was filed with another phone: the notice goes to the confirmed ones.
    solicitud = presentar(contribuyente, telefono="5512345678")
    supervisor = crear_personal("supervisor", {"emisiones": "supervisor"})
    otorgar_prorroga(
        solicitud=solicitud, actor=supervisor, nota="Falta el comprobante.", dias_habiles=3
    )
    esperar(consola, "5587654321", f"{solicitud.folio} fue prorrogada")
    texto = esperar(consola, "maria@dominio.mx", f"{solicitud.folio} fue prorrogada")
    assert f"/solicitudes/{solicitud.folio}/" in texto
    assert not [m for m in mensajes(consola) if m["destino"] == "5512345678"]
