"""End to end in Chromium: the e.firma login page signs in the browser, sends neither the
key nor its password, and shows each problem next to its field."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DemoEfirma, login_efirma

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cuerpos_enviados(page: Any) -> list[bytes]:
    cuerpos: list[bytes] = []
    page.on(
        "request",
        lambda r: cuerpos.append(r.post_data_buffer or b"") if r.method != "GET" else None,
    )
    return cuerpos


def test_login_shows_the_name_and_never_sends_the_key_or_password(
    page: Any, live_server: Any, demo_efirma: DemoEfirma
):
    cuerpos = cuerpos_enviados(page)
    f = demo_efirma.fisica
    login_efirma(page, live_server, f.cer, f.key, demo_efirma.contrasena, f.rfc)
    page.wait_for_url("**/tablero/")
    encabezado = page.get_by_test_id("nombre-contribuyente")
    assert "MARÍA JOSÉ PEÑA NÚÑEZ" in encabezado.inner_text()

    llave = f.key.read_bytes()
    prohibidos = [
        llave,
        base64.b64encode(llave),
        llave.hex().encode(),
        demo_efirma.contrasena.encode("utf-8"),
        "Contraseña".encode(),
    ]
    assert any(b"reto_id" in c for c in cuerpos)  # the login post was seen
    for cuerpo in cuerpos:
        for prohibido in prohibidos:
            assert prohibido not in cuerpo
    # What was sent is the certificate, in base64.
    assert any(base64.b64encode(f.cer.read_bytes()) in c for c in cuerpos)


def test_wrong_password_is_shown_next_to_the_password(
    page: Any, live_server: Any, demo_efirma: DemoEfirma
):
    cuerpos = cuerpos_enviados(page)
    f = demo_efirma.fisica
    login_efirma(page, live_server, f.cer, f.key, "otra contraseña", f.rfc)
    error = page.get_by_test_id("error-contrasena")
    error.wait_for()
    assert "contraseña de la llave privada es incorrecta" in error.inner_text()
    assert cuerpos == []  # nothing left the browser


def test_a_key_of_another_certificate_is_shown_next_to_the_key(
    page: Any, live_server: Any, demo_efirma: DemoEfirma
):
    f, m = demo_efirma.fisica, demo_efirma.moral
    login_efirma(page, live_server, f.cer, m.key, demo_efirma.contrasena, f.rfc)
    error = page.get_by_test_id("error-llave")
    error.wait_for()
    assert "no corresponde al certificado" in error.inner_text()


def test_files_swapped_are_not_a_certificate_nor_a_key(
    page: Any, live_server: Any, demo_efirma: DemoEfirma
):
    f = demo_efirma.fisica
    login_efirma(page, live_server, f.key, f.cer, demo_efirma.contrasena, f.rfc)
    page.get_by_test_id("error-certificado").wait_for()
    assert "no es un certificado" in page.get_by_test_id("error-certificado").inner_text()
    assert "no es una llave privada" in page.get_by_test_id("error-llave").inner_text()


def test_a_csd_is_refused_with_the_servers_message(
    page: Any, live_server: Any, demo_efirma: DemoEfirma
):
    c = demo_efirma.csd
    login_efirma(page, live_server, c.cer, c.key, demo_efirma.contrasena, c.rfc)
    error = page.get_by_test_id("error-certificado")
    error.wait_for()
    assert "no es de e.firma" in error.inner_text()
    assert page.url.endswith("/acceso/")


def test_the_real_sat_key_decrypts_in_the_browser(
    page: Any, live_server: Any, settings: Any, tmp_path: Path, sat_fixtures: Path
):
    # An empty trust store: the server answers certificado_no_confiable, which it only
    # reaches after the browser decrypted the key, matched it and signed the reto.
    vacia = tmp_path / "sin-ac"
    vacia.mkdir()
    settings.EFIRMA_CA_DIR = vacia
    carpeta = sat_fixtures / "fiel-EKU9003173C9"
    login_efirma(
        page,
        live_server,
        carpeta / "certificate.cer",
        carpeta / "private_key.key",
        "12345678a",
        "EKU9003173C9",
    )
    error = page.get_by_test_id("error-certificado")
    error.wait_for()
    assert "autoridad certificadora reconocida" in error.inner_text()
    assert page.get_by_test_id("error-contrasena").is_hidden()


def test_without_javascript_the_page_says_it_is_needed(browser: Any, live_server: Any):
    contexto = browser.new_context(java_script_enabled=False)
    try:
        pagina = contexto.new_page()
        pagina.goto(f"{live_server.url}/acceso/")
        assert "se necesita JavaScript" in pagina.get_by_test_id("sin-javascript").inner_text()
        assert pagina.locator("#validar").is_disabled()
    finally:
        contexto.close()
