"""Browser fixtures for end-to-end tests, shared by every app's e2e tests.

``browser`` launches Debian's Chromium (not a Playwright download) once per module;
``page`` is a fresh context per test; ``pagina_con_sesion`` a page already signed in by
a server-side session, failing the test on any CSP violation; ``demo_efirma`` makes a CA
the server trusts for the test and e.firma files on disk; ``login_efirma`` fills the
real login page; ``login_personal`` the real staff sign-in (password, then TOTP code).
Tests using them need ``@pytest.mark.django_db(transaction=True)`` and ``live_server``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as ajustes
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from conftest import skip_or_fail
from cuentas.middleware import SESSION_INICIO
from cuentas.sesiones import SessionStore
from efirma import emision
from tests.personas import CLAVE_PERSONAL, codigo_nuevo, dispositivo_totp, sesion_verificada

CHROMIUM = os.environ.get("BUZON_CHROMIUM", "/usr/bin/chromium")
ARGUMENTOS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONTRASENA_DEMO = "Contraseña de prueba 1"


# Module scope, not session: Playwright allows one sync driver per thread at a time, and
# a module's own driver (e.g. a function-scoped one) must be able to start after ours.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        skip_or_fail("BROWSER", f"Chromium no encontrado en {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("BROWSER", "playwright no está instalado")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # around it stay synchronous and safe.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            try:
                navegador = p.chromium.launch(
                    executable_path=CHROMIUM, args=ARGUMENTOS_CHROMIUM, headless=True
                )
            except Exception as exc:  # the binary exists but cannot start here
                skip_or_fail("BROWSER", f"Chromium no arranca: {exc}")
            yield navegador
            navegador.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    contexto = browser.new_context(base_url=live_server.url, locale="es-MX")
    pagina = contexto.new_page()
    pagina.set_default_timeout(15_000)
    yield pagina
    contexto.close()


def vigilar_csp(pagina: Any) -> list[str]:
    """The Content Security Policy violations the page reports on its console."""
    violaciones: list[str] = []
    pagina.on(
        "console",
        lambda m: violaciones.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return violaciones


@contextmanager
def pagina_con_sesion(
    browser: Any, live_server: Any, usuario: Any, **opciones: Any
) -> Iterator[Any]:
    """A page signed in as ``usuario`` by a server-side session, as its login leaves it:
    a taxpayer's as the e.firma login, a staff member's (no taxpayer) as the two-step
    staff sign-in (second factor verified); the test fails if the page reports a CSP
    violation. ``opciones`` go to Playwright's new_context (e.g. accept_downloads)."""
    from cuentas.models import Contribuyente

    sesion = SessionStore()
    sesion[SESSION_KEY] = str(usuario.pk)
    sesion[BACKEND_SESSION_KEY] = "cuentas.backends.UsuarioConContribuyente"
    sesion[HASH_SESSION_KEY] = usuario.get_session_auth_hash()
    sesion[SESSION_INICIO] = time.time()
    if not Contribuyente.objects.filter(usuario=usuario).exists():
        sesion_verificada(sesion, usuario)
    sesion.create()
    contexto = browser.new_context(base_url=live_server.url, locale="es-MX", **opciones)
    contexto.add_cookies(
        [{"name": ajustes.SESSION_COOKIE_NAME, "value": sesion.session_key, "url": live_server.url}]
    )
    pagina = contexto.new_page()
    pagina.set_default_timeout(15_000)
    violaciones = vigilar_csp(pagina)
    try:
        yield pagina
    finally:
        contexto.close()
    assert violaciones == [], f"Violaciones de CSP en la consola: {violaciones}"


@dataclass(frozen=True)
class ArchivosEfirma:
    rfc: str
    nombre: str
    cer: Path
    key: Path


@dataclass(frozen=True)
class DemoEfirma:
    carpeta_ca: Path
    contrasena: str
    fisica: ArchivosEfirma
    moral: ArchivosEfirma
    csd: ArchivosEfirma


@pytest.fixture
def demo_efirma(settings: Any, tmp_path: Path) -> DemoEfirma:
    """A CA trusted for this test (settings.EFIRMA_CA_DIR) and SAT-style .cer/.key files:
    a persona física with Ñ and accents, a persona moral, and that company's CSD."""
    ca = emision.crear_ca("AC de pruebas de extremo a extremo")
    carpeta_ca = tmp_path / "ca"
    carpeta_ca.mkdir()
    (carpeta_ca / "ca.cer").write_bytes(ca.certificado_der)
    settings.EFIRMA_CA_DIR = carpeta_ca
    settings.EFIRMA_REVOCACION = "none"

    def hacer(nombre_archivo: str, **kw: Any) -> ArchivosEfirma:
        der, llave = emision.emitir_certificado(ca, **kw)
        cer, key = tmp_path / f"{nombre_archivo}.cer", tmp_path / f"{nombre_archivo}.key"
        cer.write_bytes(der)
        key.write_bytes(emision.llave_sat_der(llave, CONTRASENA_DEMO))
        return ArchivosEfirma(kw["rfc"], kw["nombre"], cer, key)

    empresa = {
        "rfc": "CSB050315K7A",
        "nombre": "CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV",
        "rfc_representante": "GOAL750620QR8",
        "curp_representante": "GOAL750620HGTMRS05",
    }
    return DemoEfirma(
        carpeta_ca=carpeta_ca,
        contrasena=CONTRASENA_DEMO,
        fisica=hacer(
            "fisica", rfc="PEÑJ800101LM6", nombre="MARÍA JOSÉ PEÑA NÚÑEZ", curp="PENJ800101MGTXXR05"
        ),
        moral=hacer("moral", **empresa),
        csd=hacer("csd", csd=True, **empresa),
    )


def login_efirma(
    page: Any, live_server: Any, cer_path: Path, key_path: Path, password: str, rfc: str
) -> None:
    """Fills the real login page and clicks Validar; the caller waits for the outcome
    (e.g. ``page.wait_for_url("**/tablero/")`` or an error message)."""
    page.goto(f"{live_server.url}/acceso/")
    page.fill("#rfc", rfc)
    page.set_input_files("#certificado", str(cer_path))
    page.set_input_files("#llave", str(key_path))
    page.fill("#contrasena", password)
    page.click("#validar:enabled")


def login_personal(
    page: Any, live_server: Any, usuario: Any, contrasena: str = CLAVE_PERSONAL
) -> None:
    """Fills the real staff sign-in: username and password, then the code of the
    account's authenticator (its TOTP device, made first if it has none), computed with
    django-otp's TOTP. The caller waits for the outcome (e.g. ``**/atencion/``)."""
    dispositivo = dispositivo_totp(usuario)
    page.goto(f"{live_server.url}/atencion/acceso/")
    page.fill("#id_username", usuario.get_username())
    page.fill("#id_password", contrasena)
    page.click("button[type=submit]")
    page.wait_for_url("**/atencion/acceso/codigo/")
    page.fill("#codigo", codigo_nuevo(dispositivo))
    page.click("button[type=submit]")
