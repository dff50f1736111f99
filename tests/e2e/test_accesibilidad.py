"""Accessibility and phone layout in Chromium: axe-core on every page and state, at 1280
and 360 px, and the taxpayer's and the staff's journeys with the keyboard alone.

axe-core comes from npm (node_modules, pinned in package.json) and is injected by the
test, never served by the site. Every page is checked against the WCAG 2.0, 2.1 and 2.2
A and AA rules; any violation fails the test, all of them listed at once. At 360 px no
page may scroll sideways. A screenshot of every page at both widths is kept under
$BUZON_ARTEFACTOS (default tests/e2e/artefactos/, git-ignored) for people to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as ajustes
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from acuses.models import Acuse
from atencion import services as atencion
from atencion.tests.conftest import PDF
from avisos.models import Aviso
from avisos.services import encolar_sms
from cuentas.models import Contribuyente
from promociones.consultas import olvidar_asuntos
from promociones.models import Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import zip_bytes
from tests.e2e.conftest import DemoEfirma, pagina_con_sesion, vigilar_csp
from tests.personas import (
    ANALISTA,
    CLAVE_PERSONAL,
    SUPERVISOR,
    codigo_nuevo,
    crear_contribuyente,
    crear_personal,
    dispositivo_totp,
    sembrar_catalogo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(ajustes.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules of the law the site must meet.
ETIQUETAS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
ANCHOS = {1280: 800, 360: 740}
ARTEFACTOS = Path(
    os.environ.get("BUZON_ARTEFACTOS") or Path(__file__).resolve().parent / "artefactos"
)

MORAL_RFC, REPRESENTANTE = "CSB050315K7A", "GOAL750620QR8"
SIN_SOLICITUDES_RFC = "PENM800101AB1"


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
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.AVISOS_EN_PROCESO = False  # the failed notice stays failed
    return carpeta


# --- What the pages show ----------------------------------------------------------------


@dataclass
class Datos:
    moral: Contribuyente
    sin_solicitudes: Contribuyente
    analista: User
    supervisor: User
    recibida: Solicitud
    canalizada: Solicitud
    atendida: Solicitud
    codigo_acuse: str


def sembrar() -> Datos:
    """A persona moral with a request in each estatus (one with a failed SMS notice),
    another taxpayer with none, an analyst and a supervisor of the area."""
    olvidar_asuntos()
    sembrar_catalogo()
    moral = crear_contribuyente(MORAL_RFC, "CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV", "moral")
    Contribuyente.objects.filter(pk=moral.pk).update(rfc_representante=REPRESENTANTE)
    moral.refresh_from_db()
    sin_solicitudes = crear_contribuyente(SIN_SOLICITUDES_RFC, "MARÍA JOSÉ PEÑA NÚÑEZ")
    analista, supervisor = ANALISTA.crear(), SUPERVISOR.crear()

    def presentar(descripcion: str, minuto: int) -> Solicitud:
        return registrar_solicitud(
            contribuyente=moral,
            servicio="aclaracion",
            asunto="emisiones",
            descripcion=descripcion,
            telefono="5512345678",
            evidencia=SimpleUploadedFile("pagos del bimestre 2026-01.zip", zip_bytes()),
            momento=datetime(2026, 3, 2, 16, minuto, tzinfo=UTC),
        )

    recibida = presentar("El pago de cuotas del bimestre no se refleja.", 0)
    canalizada = presentar("La emisión de febrero no refleja la baja del trabajador.", 1)
    atencion.canalizar(
        solicitud=canalizada,
        actor=supervisor,
        nota="Corresponde a orientación.",
        servicio="orientacion",
        asunto="emisiones",
    )
    atendida = presentar("Solicito la aclaración de la diferencia en la emisión.", 2)
    atencion.responder(
        solicitud=atendida,
        actor=analista,
        texto="Se corrigió la emisión; la diferencia quedó aclarada.",
        documento=SimpleUploadedFile("respuesta.pdf", PDF, content_type="application/pdf"),
    )
    aviso = encolar_sms(solicitud=recibida, evento="respuesta", destino="5512345678", contexto={})
    Aviso.objects.filter(pk=aviso.pk).update(
        estado="fallido", intentos=5, ultimo_error="ErrorPasarela: HTTP 400: número inválido"
    )
    codigo = Acuse.objects.filter(solicitud=recibida).first().codigo_verificacion  # type: ignore[union-attr]
    return Datos(
        moral=moral,
        sin_solicitudes=sin_solicitudes,
        analista=analista,
        supervisor=supervisor,
        recibida=Solicitud.objects.get(pk=recibida.pk),
        canalizada=Solicitud.objects.get(pk=canalizada.pk),
        atendida=Solicitud.objects.get(pk=atendida.pk),
        codigo_acuse=codigo,
    )


# --- Checking one page ------------------------------------------------------------------


@dataclass
class Revision:
    carpeta: Path
    hallazgos: list[str] = field(default_factory=list)
    paginas: list[str] = field(default_factory=list)

    def __call__(self, pagina: Any, nombre: str) -> None:
        """The page as it is now, at each width in turn (the same document, resized):
        axe-core's WCAG 2.x A/AA rules, the sideways scroll, a screenshot. Findings are
        collected, not raised, so that one run lists every page's."""
        pagina.wait_for_load_state("load")
        pagina.evaluate("document.fonts.ready.then(() => true)")
        self.paginas.append(nombre)
        for ancho, alto in ANCHOS.items():
            pagina.set_viewport_size({"width": ancho, "height": alto})
            violaciones = pagina.evaluate(
                """async (etiquetas) => {
                    const r = await axe.run(document, {
                        runOnly: {type: 'tag', values: etiquetas}, resultTypes: ['violations']});
                    return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                        v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '));
                }""",
                ETIQUETAS,
            )
            self.hallazgos += [f"[{ancho}px] {nombre}: {v}" for v in violaciones]
            ancho_doc, ventana = pagina.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if ancho_doc > ventana:
                self.hallazgos.append(
                    f"[{ancho}px] {nombre}: la página mide {ancho_doc} px de ancho en una "
                    f"ventana de {ventana} px (se desplaza de lado)"
                )
            pagina.screenshot(
                path=str(self.carpeta / f"{ancho}px" / f"{len(self.paginas):02d}-{nombre}.jpg"),
                full_page=True,
                type="jpeg",
                quality=80,
            )
        pagina.set_viewport_size({"width": 1280, "height": ANCHOS[1280]})


def con_axe(pagina: Any) -> Any:
    """axe-core's file from node_modules in every document the page opens, before the
    page's own scripts. Not add_script_tag: that is an inline script, which the site's
    CSP refuses (as it must); an init script comes through the browser's DevTools
    protocol, never through the site."""
    pagina.context.add_init_script(path=str(AXE))
    return pagina


@contextmanager
def anonima(browser: Any, live_server: Any, ancho: int = 1280) -> Iterator[Any]:
    """A page with no session (anyone), failing the test on any CSP violation."""
    contexto = browser.new_context(
        base_url=live_server.url, locale="es-MX", viewport={"width": ancho, "height": ANCHOS[ancho]}
    )
    pagina = con_axe(contexto.new_page())
    pagina.set_default_timeout(15_000)
    violaciones = vigilar_csp(pagina)
    try:
        yield pagina
    finally:
        contexto.close()
    assert violaciones == [], violaciones


def sesion(pila: ExitStack, browser: Any, live_server: Any, usuario: User) -> Any:
    return con_axe(pila.enter_context(pagina_con_sesion(browser, live_server, usuario)))


# --- Every page and state, at both widths -----------------------------------------------


def test_every_page_and_state_passes_axe_and_fits_1280_and_360_px(
    browser: Any, live_server: Any
) -> None:
    datos = sembrar()
    carpeta = ARTEFACTOS / "accesibilidad"
    for ancho in ANCHOS:
        (carpeta / f"{ancho}px").mkdir(parents=True, exist_ok=True)
        for viejo in (carpeta / f"{ancho}px").glob("*.*"):
            viejo.unlink()
    (carpeta / "detalle-atendido-impreso.jpg").unlink(missing_ok=True)
    revisar = Revision(carpeta)

    with ExitStack() as pila:
        # Anyone, no session.
        p = pila.enter_context(anonima(browser, live_server))
        p.goto("/")
        revisar(p, "inicio")
        p.goto("/acceso/")
        p.wait_for_selector("#validar:enabled")
        revisar(p, "acceso")
        p.click("#validar")
        p.wait_for_selector("[data-testid=resumen-errores]:visible")
        assert p.evaluate("document.activeElement.id") == "resumen-errores"
        revisar(p, "acceso-con-errores")
        p.goto("/soporte/")
        revisar(p, "soporte")
        p.goto("/verificar/")
        revisar(p, "verificar")
        p.goto(f"/verificar/?codigo={datos.codigo_acuse}")
        p.wait_for_selector("[data-testid=resultado-codigo]")
        revisar(p, "verificar-codigo-valido")
        p.goto("/verificar/?codigo=no-es-un-codigo")
        assert p.evaluate("document.activeElement.id") == "resumen-errores"
        revisar(p, "verificar-codigo-no-valido")
        p.goto("/no-existe/")
        revisar(p, "error-404")

        # The persona moral, its requests in each estatus.
        t = sesion(pila, browser, live_server, datos.moral.usuario)
        t.goto("/tablero/")
        assert f"Representante: RFC {REPRESENTANTE}" in t.locator("header").inner_text()
        revisar(t, "tablero")
        t.set_viewport_size({"width": 360, "height": ANCHOS[360]})
        t.locator("details.menu-principal > summary").click()
        revisar(t, "tablero-menu-abierto")
        t.goto("/tablero/?estatus=canalizado&recibida_desde=01/03/2026&recibida_hasta=31/03/2026")
        revisar(t, "tablero-filtrado")
        t.goto("/tablero/?recibida_desde=31/02/2026")
        revisar(t, "tablero-filtro-con-error")
        t.goto("/promociones/aclaracion/")
        revisar(t, "servicio")
        t.goto("/promociones/aclaracion/nueva/")
        revisar(t, "asuntos")
        t.goto("/promociones/aclaracion/nueva/?asunto=emisiones")
        revisar(t, "recomendaciones")
        t.goto("/promociones/aclaracion/nueva/?asunto=emisiones&paso=registro")
        revisar(t, "formulario")
        t.get_by_role("button", name="Enviar").click()
        t.wait_for_selector("[data-testid=error-descripcion]")
        revisar(t, "formulario-con-errores")
        t.goto(f"/solicitudes/{datos.recibida.folio}/registrada/")
        revisar(t, "registrada")
        for estado, solicitud in (
            ("recibido", datos.recibida),
            ("canalizado", datos.canalizada),
            ("atendido", datos.atendida),
        ):
            t.goto(f"/solicitudes/{solicitud.folio}/")
            revisar(t, f"detalle-{estado}")
        # On paper: no menu nor buttons, and each link says its whole address.
        t.emulate_media(media="print")
        assert not t.locator("details.menu-principal").is_visible()
        assert not t.get_by_role("link", name="Regresar").is_visible()
        despues = t.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=respuesta] a'), '::after')"
            ".content"
        )
        assert f"{live_server.url}/solicitudes/{datos.atendida.folio}/respuesta.pdf" in despues
        t.screenshot(
            path=str(carpeta / "detalle-atendido-impreso.jpg"), full_page=True, type="jpeg"
        )
        t.emulate_media(media="screen")
        t.goto("/medios/")
        revisar(t, "medios-de-contacto")
        acuse_pdf = t.request.get(f"/solicitudes/{datos.recibida.folio}/acuses/recepcion.pdf")
        assert acuse_pdf.ok
        t.goto("/atencion/")
        revisar(t, "error-403")

        vacio = sesion(pila, browser, live_server, datos.sin_solicitudes.usuario)
        vacio.goto("/tablero/")
        revisar(vacio, "tablero-vacio")

        # The acuse's PDF, uploaded by anyone.
        p.goto("/verificar/")
        p.set_input_files(
            "#acuse",
            {"name": "acuse.pdf", "mimeType": "application/pdf", "buffer": acuse_pdf.body()},
        )
        p.get_by_role("button", name="Verificar", exact=True).click()
        p.wait_for_selector("[data-testid=resultado-archivo]")
        revisar(p, "verificar-pdf")

        # Staff sign-in: password, its error, the code, its error; enrolment.
        p.goto("/atencion/acceso/")
        revisar(p, "personal-acceso")
        p.fill("#id_username", ANALISTA.username)
        p.fill("#id_password", "no es la contraseña")
        p.click("button[type=submit]")
        p.wait_for_selector("[data-testid=resumen-errores]")
        assert p.evaluate("document.activeElement.id") == "resumen-errores"
        revisar(p, "personal-acceso-con-error")
        dispositivo = dispositivo_totp(datos.analista)
        p.fill("#id_password", CLAVE_PERSONAL)
        p.click("button[type=submit]")
        p.wait_for_url("**/atencion/acceso/codigo/")
        revisar(p, "personal-codigo")
        p.fill("#codigo", "000000" if codigo_nuevo(dispositivo) != "000000" else "111111")
        p.click("button[type=submit]")
        p.wait_for_selector("[data-testid=error-codigo]")
        revisar(p, "personal-codigo-con-error")
        nuevo = crear_personal("nuevo", {"emisiones": "analista"})
        alta = pila.enter_context(anonima(browser, live_server))
        alta.goto("/atencion/acceso/")
        alta.fill("#id_username", nuevo.username)
        alta.fill("#id_password", CLAVE_PERSONAL)
        alta.click("button[type=submit]")
        alta.wait_for_url("**/atencion/acceso/alta/")
        revisar(alta, "personal-alta")

        # Staff pages.
        a = sesion(pila, browser, live_server, datos.analista)
        a.goto("/atencion/")
        revisar(a, "personal-cola")
        a.goto(f"/atencion/{datos.recibida.folio}/")
        revisar(a, "personal-detalle")
        a.locator("#n-nota").fill("   ")  # passes the browser's «required», not the rule
        a.get_by_role("button", name="Agregar nota").click()
        a.wait_for_selector("[data-testid=resumen-errores]")
        assert a.evaluate("document.activeElement.id") == "resumen-errores"
        revisar(a, "personal-detalle-con-error")
        a.goto("/atencion/avisos/")
        revisar(a, "personal-avisos-fallidos")
        a.goto("/atencion/codigos-de-recuperacion/")
        revisar(a, "personal-codigos-de-recuperacion")
        s = sesion(pila, browser, live_server, datos.supervisor)
        s.goto("/atencion/supervision/")
        assert s.locator("h1").inner_text() == "Supervisión"
        revisar(s, "personal-supervision")

    assert len(revisar.paginas) == 36
    assert revisar.hallazgos == [], "\n".join(revisar.hallazgos)


# --- The keyboard alone -------------------------------------------------------------------

# The focused element, described for a message, and whether its focus can be seen: an
# outline of 2 px or more, or the browser's own focus ring, on it (or, for a file input
# behind «Seleccionar archivo», on the label that stands for it).
FOCO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  let visto = el;
  if (el.matches('.selector-archivo input[type=file]')) visto = el.nextElementSibling;
  const s = getComputedStyle(visto);
  // Ours: 3 px solid; the browser's own ring (style «auto») is visible too.
  const anillo = s.outlineStyle === 'auto' ||
    (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2);
  const texto = (el.getAttribute('aria-label') || el.innerText || el.value || el.id || '')
    .replace(/\\s+/g, ' ').trim();
  return {etiqueta: el.tagName.toLowerCase(), id: el.id, tipo: el.type || '', texto, anillo};
}"""


def tabular_hasta(
    pagina: Any, quiere: Callable[[dict[str, Any]], bool], maximo: int = 60
) -> dict[str, Any]:
    """Presses Tab until the focused element is the one wanted; every stop on the way
    must show its focus."""
    vistos = []
    for _ in range(maximo):
        pagina.keyboard.press("Tab")
        foco = pagina.evaluate(FOCO)
        if foco is None:
            continue
        assert foco["anillo"], f"El foco no se ve en {foco}"
        if quiere(foco):
            return foco
        vistos.append(f"{foco['etiqueta']}#{foco['id']} «{foco['texto'][:40]}»")
    raise AssertionError(f"No se llegó con Tab; se pasó por: {vistos}")


def texto(valor: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["texto"] == valor or f["texto"].startswith(valor)


def campo(id_: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["id"] == id_


def enfocado(p: Any, identificador: str) -> None:
    """Waits until the element ``identificador`` has the focus (autofocus: Chromium applies
    it at a rendering update, which on a busy machine can come after the load event);
    fails after Playwright's timeout if it never does."""
    p.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id", arg=identificador
    )


def test_the_taxpayers_journey_with_the_keyboard_alone(
    browser: Any, live_server: Any, demo_efirma: DemoEfirma, tmp_path: Path
) -> None:
    """From the landing page to a filed request's Detalle and back to the Tablero: every
    control reached with Tab and used with Enter, Space or arrows; only the files are set
    by the test (a file chooser is the operating system's)."""
    olvidar_asuntos()
    sembrar_catalogo()
    evidencia = tmp_path / "pagos.zip"
    evidencia.write_bytes(zip_bytes())
    with anonima(browser, live_server, 1280) as p:
        p.goto("/")
        foco = tabular_hasta(p, texto("Saltar al contenido principal"))
        p.keyboard.press("Enter")
        assert p.evaluate("document.activeElement.id") == "contenido"
        tabular_hasta(p, texto("Ingresar con e.firma"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/acceso/")
        p.wait_for_selector("#validar:enabled")
        tabular_hasta(p, campo("rfc"))
        p.keyboard.type(demo_efirma.moral.rfc)
        tabular_hasta(p, campo("certificado"))
        p.set_input_files("#certificado", str(demo_efirma.moral.cer))
        assert ".cer" in p.locator("#nombre-certificado").inner_text()
        tabular_hasta(p, campo("llave"))
        p.set_input_files("#llave", str(demo_efirma.moral.key))
        tabular_hasta(p, campo("contrasena"))
        p.keyboard.type(demo_efirma.contrasena)
        tabular_hasta(p, campo("validar"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/tablero/")
        assert f"Representante: RFC {REPRESENTANTE}" in p.locator("header").inner_text()

        tabular_hasta(p, texto("Aclaraciones"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/promociones/aclaracion/")
        tabular_hasta(p, texto("Nueva Solicitud"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/promociones/aclaracion/nueva/")
        # The first asunto has the focus (autofocus: Chromium applies it at a rendering
        # update, which on a busy machine can come after the load event, so the test
        # waits for it as a person would see it); arrows choose, Space checks it.
        p.wait_for_function("document.activeElement && document.activeElement.name === 'asunto'")
        p.keyboard.press("Space")
        tabular_hasta(p, texto("Ver recomendaciones"))
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(r"asunto="))
        tabular_hasta(p, texto("Continuar registro"))
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(r"paso=registro"))
        tabular_hasta(p, campo("descripcion"))
        p.keyboard.type("La emisión de febrero no refleja la baja.")
        tabular_hasta(p, campo("telefono"))
        p.keyboard.type("55 1234 5678")
        tabular_hasta(p, campo("evidencia"))
        p.set_input_files("#evidencia", str(evidencia))
        tabular_hasta(p, texto("Enviar"))
        p.keyboard.press("Enter")
        p.wait_for_url(re.compile(r"/registrada/$"))
        folio = p.get_by_test_id("folio").inner_text()
        tabular_hasta(p, texto("Ver detalle y acuse"))
        p.keyboard.press("Enter")
        p.wait_for_url(f"**/solicitudes/{folio}/")
        tabular_hasta(p, texto("Regresar"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/tablero/")
        foco = tabular_hasta(p, texto(f"Detalle de la solicitud {folio}"))
        assert foco["etiqueta"] == "a"
        p.keyboard.press("Enter")
        p.wait_for_url(f"**/solicitudes/{folio}/")
        tabular_hasta(p, texto("Salir"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/acceso/")


def test_the_staff_journey_with_the_keyboard_alone(browser: Any, live_server: Any) -> None:
    """Sign in (password, then the code), the queue, a request, an answer with its PDF,
    on a phone's width: the menu opens from its button with Enter."""
    olvidar_asuntos()
    sembrar_catalogo()
    analista = ANALISTA.crear()
    folio = registrar_solicitud(
        contribuyente=crear_contribuyente(MORAL_RFC, "CONSTRUCCIONES DEL BAJÍO SA DE CV", "moral"),
        servicio="orientacion",
        asunto="emisiones",
        descripcion="¿Cómo se refleja el pago de cuotas del bimestre?",
        telefono="",
        evidencia=None,
    ).folio
    dispositivo = dispositivo_totp(analista)
    with anonima(browser, live_server, 360) as p:
        p.goto("/atencion/acceso/")
        enfocado(p, "id_username")  # autofocus
        p.keyboard.type(ANALISTA.username)
        tabular_hasta(p, campo("id_password"))
        p.keyboard.type(CLAVE_PERSONAL)
        tabular_hasta(p, texto("Continuar"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/atencion/acceso/codigo/")
        enfocado(p, "codigo")
        p.keyboard.type(codigo_nuevo(dispositivo))
        p.keyboard.press("Enter")
        p.wait_for_url("**/atencion/")
        tabular_hasta(p, texto(folio))
        p.keyboard.press("Enter")
        p.wait_for_url(f"**/atencion/{folio}/")
        tabular_hasta(p, campo("r-texto"))
        p.keyboard.type("Se aclaró la diferencia; adjunto el oficio.")
        tabular_hasta(p, campo("r-documento"))
        p.set_input_files(
            "#r-documento", {"name": "oficio.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        tabular_hasta(p, texto("Enviar respuesta"))
        p.keyboard.press("Enter")
        p.wait_for_selector(".mensajes li")
        assert "respuesta" in p.locator(".mensajes").inner_text().lower()
        assert Solicitud.objects.get(folio=folio).estatus == "atendido"
        # The phone menu: its button, Enter, then its links.
        tabular_hasta(p, texto("Menú"))
        p.keyboard.press("Enter")
        tabular_hasta(p, texto("Avisos fallidos"))
        p.keyboard.press("Enter")
        p.wait_for_url("**/atencion/avisos/")
