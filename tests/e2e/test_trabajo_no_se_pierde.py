"""End to end in Chromium: work is never lost and a form is filed once (issue 13).

- With a short idle limit, the session ends while a request is being written: the
  warning comes first (an alert dialog with the focus on «Seguir conectado»), then
  Enviar leads to the login page, which says why; logging in with the e.firma files
  brings the person back to the form with the text restored. «Seguir conectado» and
  Escape keep the session.
- Back after filing, then Enviar, shows the folio of the first request; changed text
  in that page is not filed behind the person's back.
- An 11.2 MB file is refused in the page before any byte of it is sent.
- A missing description is reported without sending the file, which stays chosen; then
  the file goes up with a progress bar.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

import cuentas.middleware
from cuentas.models import Contribuyente, Sesion
from promociones.consultas import olvidar_asuntos
from promociones.models import Borrador, Evidencia, Solicitud
from tests.e2e.conftest import DemoEfirma, login_efirma, pagina_con_sesion, vigilar_csp
from tests.personas import crear_contribuyente, sembrar_catalogo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIENTACION = "/promociones/orientacion/nueva/?asunto=icsoe&paso=registro"
ACLARACION = "/promociones/aclaracion/nueva/?asunto=icsoe&paso=registro"
INACTIVIDAD = 7  # seconds: the idle limit for the session test
AVISO = 4  # seconds before it ends that the warning comes


@pytest.fixture(autouse=True)
def catalogo() -> None:
    olvidar_asuntos()  # each transactional test reseeds the catalog with new ids
    sembrar_catalogo()


@pytest.fixture
def pagina(browser: Any, live_server: Any) -> Iterator[Any]:
    contribuyente = crear_contribuyente("EKU9003173C9", "ESCUELA KEMPER URGATE SA DE CV")
    with pagina_con_sesion(browser, live_server, contribuyente.usuario) as p:
        yield p


def _esperar_folio(p: Any) -> str:
    p.wait_for_url(re.compile(r"/registrada/(\?repetida=1)?$"))
    return str(p.get_by_test_id("folio").inner_text())


def test_the_session_ends_mid_writing_and_the_text_comes_back_after_logging_in(
    page: Any, live_server: Any, demo_efirma: DemoEfirma, settings: Any, monkeypatch: Any
) -> None:
    settings.SESSION_COOKIE_AGE = INACTIVIDAD
    settings.SESSION_WARNING_SECONDS = AVISO
    # Every request renews the session (the once-a-minute rule is for 15 minutes).
    monkeypatch.setattr(cuentas.middleware, "RENOVAR_CADA_SEGUNDOS", 0)
    violaciones = vigilar_csp(page)
    persona = demo_efirma.fisica

    login_efirma(page, live_server, persona.cer, persona.key, demo_efirma.contrasena, persona.rfc)
    page.wait_for_url("**/tablero/")
    page.goto(ORIENTACION)
    assert "no se guarda en el borrador" in page.locator("#nota-borrador").inner_text()
    texto = "¿Cómo corrijo la ICSOE del segundo cuatrimestre?\nNo encuentro el acuse."
    page.get_by_label("Descripción").fill(texto)
    page.get_by_test_id("estado-borrador").filter(has_text="Borrador guardado").wait_for()

    # The warning: an alert dialog, the focus on «Seguir conectado», the time left.
    dialogo = page.get_by_role("alertdialog", name="Tu sesión está por terminar")
    dialogo.wait_for(timeout=(INACTIVIDAD + 2) * 1000)
    assert page.evaluate("document.activeElement.textContent") == "Seguir conectado"
    assert "segundo" in page.get_by_test_id("aviso-sesion-restante").inner_text()
    # Nobody answers: the session ends, the dialog gives way to a notice.
    page.get_by_test_id("sesion-terminada").wait_for(timeout=(AVISO + 3) * 1000)
    assert not dialogo.is_visible()
    contribuyente = Contribuyente.objects.get(rfc=persona.rfc)
    assert Borrador.objects.get(contribuyente=contribuyente).descripcion == texto

    page.get_by_role("button", name="Enviar").click()
    page.wait_for_url(re.compile(r"/acceso/\?next="))
    motivo = page.get_by_test_id("motivo-acceso").inner_text()
    assert "Tu sesión terminó por inactividad; guardamos lo que escribiste" in motivo
    assert not Solicitud.objects.exists()

    page.fill("#rfc", persona.rfc)
    page.set_input_files("#certificado", str(persona.cer))
    page.set_input_files("#llave", str(persona.key))
    page.fill("#contrasena", demo_efirma.contrasena)
    page.click("#validar:enabled")
    page.wait_for_url(re.compile(re.escape(ORIENTACION) + "$"))
    assert page.get_by_label("Descripción").input_value() == texto
    aviso = page.get_by_test_id("aviso-borrador").inner_text()
    assert "Tu sesión terminó por inactividad; guardamos lo que escribiste" in aviso

    # «Seguir conectado» keeps the session past the end it announced; so does Escape.
    def fin_de_la_sesion() -> Any:
        return (
            Sesion.objects.filter(usuario=contribuyente.usuario).latest("expire_date").expire_date
        )

    for respuesta in ("Seguir conectado", "Escape"):
        dialogo.wait_for(timeout=(INACTIVIDAD + 2) * 1000)
        anunciado = fin_de_la_sesion()
        if respuesta == "Escape":
            page.keyboard.press("Escape")
        else:
            page.get_by_role("button", name=respuesta).click()
        dialogo.wait_for(state="hidden")
        assert fin_de_la_sesion() > anunciado + timedelta(seconds=2), respuesta
        if respuesta == "Seguir conectado":
            # Past the end the dialog announced, the session is still there.
            espera = (anunciado - timezone.now()).total_seconds() + 0.5
            page.wait_for_timeout(max(0.0, espera) * 1000)
            assert fin_de_la_sesion() > timezone.now()
    assert page.get_by_test_id("sesion-terminada").is_hidden()
    page.get_by_role("button", name="Enviar").click()
    folio = _esperar_folio(page)
    assert Solicitud.objects.get().folio == folio
    assert Solicitud.objects.get().descripcion == texto
    assert not Borrador.objects.exists()
    assert violaciones == []


def test_back_then_enviar_shows_the_first_folio_and_files_nothing_more(pagina: Any) -> None:
    texto = "¿Qué documentos necesito para el registro patronal?"
    pagina.goto(ORIENTACION)
    pagina.get_by_label("Descripción").fill(texto)
    pagina.get_by_role("button", name="Enviar").click()
    folio = _esperar_folio(pagina)
    assert "registrado exitosamente" in pagina.get_by_test_id("exito").inner_text()

    pagina.go_back()
    assert pagina.get_by_label("Descripción").input_value() == texto  # restored
    assert pagina.get_by_test_id("contador").inner_text() == f"{len(texto)} de 3,999 caracteres"
    pagina.get_by_role("button", name="Enviar").click()
    assert _esperar_folio(pagina) == folio
    exito = pagina.get_by_test_id("exito").inner_text()
    assert f"Ya registramos esta solicitud con el folio {folio}" in exito
    assert Solicitud.objects.count() == 1

    # Back again and changed: that page's key already filed the request; the person is
    # told so and decides.
    pagina.go_back()
    pagina.get_by_label("Descripción").fill(texto + " También el alta.")
    pagina.get_by_role("button", name="Enviar").click()
    error = pagina.get_by_test_id("resumen-errores")
    error.wait_for()
    assert f"ya registramos la solicitud con el folio {folio}, con otros datos" in (
        error.inner_text()
    )
    assert Solicitud.objects.count() == 1
    pagina.get_by_role("button", name="Enviar").click()
    assert _esperar_folio(pagina) != folio
    assert Solicitud.objects.count() == 2


def test_an_11_mb_file_is_refused_before_any_byte_is_sent(pagina: Any, tmp_path: Path) -> None:
    enviados: list[Any] = []
    pagina.on("request", lambda r: enviados.append(r) if r.method == "POST" else None)
    pagina.goto(ACLARACION)
    pagina.get_by_label("Descripción").fill("La ICSOE no aparece como presentada.")
    pagina.get_by_label("Teléfono (obligatorio)").fill("55 1234 5678")
    grande = tmp_path / "pagos.zip"
    with grande.open("wb") as f:
        f.truncate(11_744_051)  # 11.2 MB of zeros, sparse on disk
    pagina.set_input_files("#evidencia", str(grande))
    error = pagina.get_by_test_id("error-evidencia")
    assert error.inner_text().startswith("«pagos.zip» pesa 11.2 MB; debe pesar menos de 10 MB.")
    pagina.get_by_role("button", name="Enviar").click()
    pagina.get_by_test_id("resumen-errores").wait_for()
    assert "«pagos.zip» pesa 11.2 MB" in pagina.get_by_test_id("resumen-errores").inner_text()
    assert pagina.evaluate("document.activeElement.id") == "resumen-errores"
    # Only the draft's check went out (JSON, no file); the form itself was never sent.
    assert {r.url.split("?")[0].rsplit("/", 1)[-1] for r in enviados} == {"borrador"}
    assert all(len(r.post_data_buffer or b"") < 64 * 1024 for r in enviados)
    assert pagina.get_by_role("button", name="Enviar").is_enabled()
    assert not Solicitud.objects.exists()


def test_the_file_stays_chosen_when_the_description_is_missing(pagina: Any, tmp_path: Path) -> None:
    evidencia = tmp_path / "comprobantes marzo.zip"
    with zipfile.ZipFile(evidencia, "w") as z:
        z.writestr("pago.txt", "Pago SUA de marzo")
    subidas: list[Any] = []
    pagina.on(
        "request",
        lambda r: subidas.append(r) if r.method == "POST" and "/nueva/" in r.url else None,
    )
    pagina.goto(ACLARACION)
    pagina.get_by_label("Teléfono (obligatorio)").fill("55 1234 5678")
    pagina.set_input_files("#evidencia", str(evidencia))
    pagina.get_by_role("button", name="Enviar").click()

    error = pagina.get_by_test_id("error-descripcion")
    assert error.inner_text() == "Describe tu planteamiento."
    descripcion = pagina.get_by_label("Descripción")
    assert "error-descripcion" in (descripcion.get_attribute("aria-describedby") or "")
    assert descripcion.get_attribute("aria-invalid") == "true"
    assert pagina.evaluate("document.activeElement.id") == "resumen-errores"
    assert subidas == []  # the file was not sent
    assert pagina.eval_on_selector("#evidencia", "e => e.files.length") == 1
    assert "comprobantes marzo.zip" in pagina.get_by_test_id("nombre-archivo").inner_text()

    # The summary's link takes the focus to the field; then it is filed, with the file.
    pagina.get_by_test_id("resumen-errores").get_by_role("link").click()
    assert pagina.evaluate("document.activeElement.id") == "descripcion"
    descripcion.fill("El pago de marzo no se refleja.")
    # The progress bar, as its attributes change while the file goes up.
    barra: list[str] = []
    pagina.expose_function("anotarBarra", lambda valor: barra.append(valor))
    pagina.evaluate(
        """() => {
        const p = document.getElementById("progreso");
        new MutationObserver(() => window.anotarBarra(p.className + "|" + p.value))
            .observe(p, {attributes: true});
    }"""
    )
    pagina.get_by_role("button", name="Enviar").click()
    _esperar_folio(pagina)
    assert "|100" in barra, barra  # shown (no longer .oculto) and full
    assert Evidencia.objects.get().nombre_original == "comprobantes marzo.zip"
    assert len(subidas) == 1
