"""End to end in Chromium: a staff member enrols her authenticator from the page (reading
the secret the page shows, as a person types it into an app), keeps her recovery codes
and reaches the page she asked for; the helpers other e2e tests use to sign staff in
(``login_personal``, ``pagina_con_sesion``) reach staff pages too, without CSP
violations."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp

from tests.e2e.conftest import login_personal, pagina_con_sesion, vigilar_csp
from tests.personas import ANALISTA, CLAVE_PERSONAL, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGINA = "/atencion/avisos/"


@pytest.fixture
def analista() -> User:
    sembrar_catalogo()
    return ANALISTA.crear()


def test_enrolment_in_the_browser_then_the_page_asked_for(
    browser: Any, live_server: Any, analista: User
) -> None:
    contexto = browser.new_context(base_url=live_server.url, locale="es-MX")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    violaciones = vigilar_csp(page)
    page.goto(f"{live_server.url}{PAGINA}")
    assert page.url == f"{live_server.url}/atencion/acceso/?next=/atencion/avisos/"
    page.fill("#id_username", ANALISTA.username)
    page.fill("#id_password", CLAVE_PERSONAL)
    page.click("button[type=submit]")
    page.wait_for_url("**/atencion/acceso/alta/")
    assert page.locator("[data-testid=qr-alta] svg").is_visible()
    secreto = page.locator("[data-testid=secreto-alta]").inner_text().strip()
    codigo = f"{totp(base64.b32decode(secreto + '=' * (-len(secreto) % 8))):06d}"
    page.fill("#codigo", codigo)
    page.click("button[type=submit]")
    codigos = page.locator("[data-testid=codigos-recuperacion] code").all_inner_texts()
    assert len(codigos) == 10
    page.click("text=Ya los guardé, continuar")
    page.wait_for_url(f"**{PAGINA}")
    assert page.locator("h1").inner_text() == "Avisos fallidos"
    contexto.close()
    assert violaciones == []


def test_the_staff_sign_in_helpers_reach_staff_pages(
    browser: Any, live_server: Any, analista: User, page: Any
) -> None:
    violaciones = vigilar_csp(page)
    login_personal(page, live_server, analista)
    page.wait_for_url("**/atencion/")
    page.goto(f"{live_server.url}{PAGINA}")
    assert page.locator("h1").inner_text() == "Avisos fallidos"
    assert violaciones == []
    with pagina_con_sesion(browser, live_server, analista) as p:
        p.goto(f"{live_server.url}{PAGINA}")
        assert p.locator("h1").inner_text() == "Avisos fallidos"
