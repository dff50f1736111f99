"""End to end in Chromium, the staff journey of issue 10: a taxpayer signs in with her
e.firma and files an Aclaración with evidence; a supervisor with no authenticator yet
enrols one on the enrolment page, keeps her recovery codes, filters the queue (reading
each filter's count) and assigns the request to the analyst in bulk; the analyst signs in
with password and code, opens it from the queue, downloads the evidence and answers with
a text and a PDF; the taxpayer then reads in Detalle that it is Atendido, downloads the
acuse de respuesta, and sees the institution's views and actions by area and role, never
by person. Every page of the four browser contexts is watched for CSP violations.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp
from pypdf import PdfReader

from atencion import services as atencion_services
from atencion.tests.conftest import PDF
from promociones.consultas import olvidar_asuntos
from promociones.models import Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import zip_bytes, zip_subido
from tests.e2e.conftest import DemoEfirma, login_efirma, login_personal, vigilar_csp
from tests.personas import (
    ANALISTA,
    CLAVE_PERSONAL,
    OTRO_CONTRIBUYENTE,
    SUPERVISOR,
    dispositivo_totp,
    sembrar_catalogo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREA = "Emisiones de cuotas obrero-patronales"
DESCRIPCION = "La emisión del bimestre 2026-01 no refleja la baja de dos trabajadores."
RESPUESTA = "Aplicamos las bajas presentadas en IDSE; la emisión corregida ya está disponible."
# Names the taxpayer must never read: the staff's usernames and their full names.
NOMBRES_DEL_PERSONAL = ("supervisor", "analista", "Rosario", "Villaseñor", "Tomás", "Ibarra")


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
    return carpeta


@pytest.fixture
def personal(settings: Any) -> tuple[User, User]:
    """The supervisor, with no authenticator yet, and the analyst, whose device is
    confirmed; each with a full name, so the taxpayer's page can be read for it."""
    # The production hasher costs seconds a password on this machine; hashing is not
    # what this journey tests (atencion/tests/test_segundo_factor.py does the same).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each transactional test reseeds the catalog with new ids: forget the cached ones.
    olvidar_asuntos()
    sembrar_catalogo()
    supervisor = SUPERVISOR.crear()
    analista = ANALISTA.crear()
    User.objects.filter(pk=supervisor.pk).update(first_name="Rosario", last_name="Villaseñor")
    User.objects.filter(pk=analista.pk).update(first_name="Tomás", last_name="Ibarra")
    dispositivo_totp(analista)
    return User.objects.get(pk=supervisor.pk), User.objects.get(pk=analista.pk)


@contextmanager
def contexto(browser: Any, live_server: Any) -> Iterator[Any]:
    """A browser of its own (cookies, downloads); fails on any CSP violation."""
    ctx = browser.new_context(base_url=live_server.url, locale="es-MX", accept_downloads=True)
    pagina = ctx.new_page()
    pagina.set_default_timeout(15_000)
    violaciones = vigilar_csp(pagina)
    try:
        yield pagina
    finally:
        ctx.close()
    assert violaciones == [], f"Violaciones de CSP en la consola: {violaciones}"


def otras_solicitudes(supervisor: User) -> tuple[Solicitud, Solicitud, Solicitud]:
    """What else is in the queue, filed through the real filing service: an Orientación
    of the supervisor's other area, an Aclaración of Emisiones already assigned to the
    analyst, and an ICSOE one (an area she does not have, never counted)."""
    otro = OTRO_CONTRIBUYENTE.crear()

    def presentar(servicio: str, asunto: str, descripcion: str) -> Solicitud:
        evidencia = zip_subido() if servicio == "aclaracion" else None
        return registrar_solicitud(
            contribuyente=otro,
            servicio=servicio,
            asunto=asunto,
            descripcion=descripcion,
            telefono="5512345678",
            evidencia=evidencia,
        )

    orientacion = presentar("orientacion", "activacion-buzon", "¿Cómo activo mi Buzón IMSS?")
    asignada = presentar("aclaracion", "emisiones", "Otra emisión por aclarar.")
    atencion_services.asignar(solicitud=asignada, actor=supervisor, usuario=ANALISTA.username)
    icsoe = presentar("aclaracion", "icsoe", "Mi ICSOE no aparece.")
    return orientacion, asignada, icsoe


def presentar_aclaracion(p: Any, evidencia: Path) -> str:
    """From the Tablero through the menu, as the guide shows it; returns the folio."""
    menu = p.get_by_role("navigation", name="Menú principal")
    menu.get_by_role("link", name="Aclaraciones").click()
    p.get_by_role("link", name="Nueva Solicitud").click()
    p.get_by_label("Emisiones").check()
    p.get_by_role("button", name="Ver recomendaciones").click()
    p.get_by_role("button", name="Continuar registro").click()
    p.get_by_label("Descripción").fill(DESCRIPCION)
    p.get_by_label("Teléfono (obligatorio)").fill("55 1234 5678")
    p.set_input_files("#evidencia", str(evidencia))
    p.get_by_role("button", name="Enviar").click()
    p.wait_for_url(re.compile(r"/registrada/$"))
    return str(p.get_by_test_id("folio").inner_text())


def alta_del_supervisor(p: Any) -> None:
    """Password, then the enrolment page: the secret read as a person types it into an
    app, its current code computed with django-otp's TOTP, and the recovery codes."""
    p.goto("/atencion/")
    p.wait_for_url("**/atencion/acceso/?next=/atencion/")
    p.fill("#id_username", SUPERVISOR.username)
    p.fill("#id_password", CLAVE_PERSONAL)
    p.click("button[type=submit]")
    p.wait_for_url("**/atencion/acceso/alta/")
    assert p.locator("[data-testid=qr-alta] svg").is_visible()
    secreto = p.get_by_test_id("secreto-alta").inner_text().strip()
    clave = base64.b32decode(secreto + "=" * (-len(secreto) % 8))
    p.get_by_label("Código que muestra ahora la aplicación").fill(f"{totp(clave):06d}")
    p.get_by_role("button", name="Confirmar registro").click()
    codigos = p.get_by_test_id("codigos-recuperacion").locator("code").all_inner_texts()
    assert len(codigos) == len(set(codigos)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", c) for c in codigos)
    p.get_by_role("link", name="Ya los guardé, continuar").click()
    p.wait_for_url(re.compile(r"/atencion/$"))
    # The menu leads back to them: none used, and new ones can be made there.
    menu = p.get_by_role("navigation", name="Menú principal")
    menu.get_by_role("link", name="Códigos de recuperación").click()
    assert p.get_by_test_id("codigos-disponibles").inner_text() == "10"
    menu.get_by_role("link", name="Solicitudes de mis áreas").click()


def opcion_elegida(p: Any, etiqueta: str) -> str:
    return str(p.get_by_label(etiqueta, exact=True).locator("option:checked").inner_text())


def opciones(p: Any, etiqueta: str) -> list[str]:
    return list(p.get_by_label(etiqueta, exact=True).locator("option").all_inner_texts())


def folios_de_la_cola(p: Any) -> list[str]:
    filas = p.get_by_test_id("solicitudes-personal").locator("tbody tr")
    return [f for f in filas.all_inner_texts() if "No hay solicitudes" not in f]


def filtrar_y_asignar(p: Any, folio: str, asignada: str, orientacion: str, icsoe: str) -> None:
    # Open requests of her two areas by default: three; the ICSOE one is not hers.
    assert p.get_by_test_id("conteo-total").inner_text() == "3 solicitudes"
    assert p.get_by_test_id("conteo-sin-asignar").inner_text() == "Sin asignar: 2"
    assert p.get_by_test_id("conteo-mias").inner_text() == "Asignadas a mí: 0"
    cola = p.get_by_test_id("solicitudes-personal").inner_text()
    assert folio in cola and asignada in cola and orientacion in cola and icsoe not in cola
    assert "Emisiones (2)" in opciones(p, "Asunto")
    assert "Activación Buzón IMSS (1)" in opciones(p, "Asunto")
    assert "ICSOE" not in " ".join(opciones(p, "Asunto"))

    p.get_by_label("Estatus", exact=True).select_option(label="Recibido (3)")
    p.get_by_label("Asunto", exact=True).select_option(value="emisiones")
    p.get_by_label("Asignación", exact=True).select_option(value="sin_asignar")
    p.get_by_role("button", name="Buscar").click()
    p.wait_for_url(re.compile(r"asignacion=sin_asignar"))
    # One left; each select counts within the other filters.
    assert p.get_by_test_id("conteo-total").inner_text() == "1 solicitud"
    assert opcion_elegida(p, "Estatus") == "Recibido (1)"
    assert opcion_elegida(p, "Asunto") == "Emisiones (1)"
    assert "Activación Buzón IMSS (1)" in opciones(p, "Asunto")
    assert opcion_elegida(p, "Asignación") == "Sin asignar (1)"
    assert "Asignadas a mí (0)" in opciones(p, "Asignación")
    (fila,) = folios_de_la_cola(p)
    assert folio in fila and "Sin asignar" in fila and "Recibido" in fila

    p.get_by_label(f"Seleccionar {folio}").check()
    p.get_by_label("Asignar las seleccionadas a").select_option(value=ANALISTA.username)
    p.get_by_test_id("asignar").click()
    p.get_by_text(f"Asignada a {ANALISTA.username}: {folio}.").wait_for()
    # Back to the same filters: none left unassigned there.
    assert p.get_by_test_id("conteo-total").inner_text() == "0 solicitudes"
    assert folios_de_la_cola(p) == []
    assert opcion_elegida(p, "Asunto") == "Emisiones (0)"


def responder(p: Any, live_server: Any, analista: User, folio: str, pdf: Path) -> None:
    login_personal(p, live_server, analista)
    p.wait_for_url(re.compile(r"/atencion/$"))
    p.get_by_test_id("conteo-mias").click()
    assert p.get_by_test_id("conteo-total").inner_text() == "2 solicitudes"
    p.get_by_role("link", name=folio, exact=True).click()
    p.wait_for_url(f"**/atencion/{folio}/")
    assert p.get_by_test_id("asignada").inner_text() == ANALISTA.username
    assert p.get_by_test_id("estatus").inner_text() == "Recibido"
    with p.expect_download() as descarga:
        p.get_by_role("link", name="evidencia.zip").click()
    assert Path(descarga.value.path()).read_bytes() == zip_bytes()
    p.get_by_label("Texto de la respuesta").fill(RESPUESTA)
    p.get_by_label("Documento de respuesta (PDF, menos de 10 MB)").set_input_files(str(pdf))
    p.get_by_role("button", name="Enviar respuesta").click()
    p.get_by_text("Respuesta registrada; se emitió el acuse de respuesta.").wait_for()
    assert p.get_by_test_id("estatus").inner_text() == "Atendido"
    assert RESPUESTA in p.get_by_test_id("respuesta").inner_text()


def test_a_supervisor_enrols_filters_and_assigns_an_analyst_answers_the_taxpayer_sees_it(
    browser: Any,
    live_server: Any,
    demo_efirma: DemoEfirma,
    personal: tuple[User, User],
    tmp_path: Path,
) -> None:
    supervisor, analista = personal
    orientacion, asignada, icsoe = otras_solicitudes(supervisor)
    evidencia = tmp_path / "evidencia.zip"
    evidencia.write_bytes(zip_bytes())
    pdf = tmp_path / "respuesta bajas.pdf"
    pdf.write_bytes(PDF)
    f = demo_efirma.fisica

    with contexto(browser, live_server) as contribuyente:
        login_efirma(contribuyente, live_server, f.cer, f.key, demo_efirma.contrasena, f.rfc)
        contribuyente.wait_for_url("**/tablero/")
        folio = presentar_aclaracion(contribuyente, evidencia)
        assert re.fullmatch(r"A-\d{4}-\d{6}", folio)

        with contexto(browser, live_server) as p:
            alta_del_supervisor(p)
            filtrar_y_asignar(p, folio, asignada.folio, orientacion.folio, icsoe.folio)
        with contexto(browser, live_server) as p:
            responder(p, live_server, analista, folio, pdf)

        # The taxpayer, still signed in, opens the request from her Tablero.
        contribuyente.goto("/tablero/")
        contribuyente.get_by_role("link", name=f"Detalle de la solicitud {folio}").click()
        contribuyente.wait_for_url(f"**/solicitudes/{folio}/")
        assert contribuyente.get_by_test_id("estatus").inner_text() == "Atendido"
        assert RESPUESTA in contribuyente.get_by_test_id("respuesta").inner_text()
        acuses = contribuyente.get_by_test_id("acuses")
        assert "Acuse de recepción" in acuses.inner_text()
        with contribuyente.expect_download() as descarga:
            acuses.get_by_role("link", name="Acuse de respuesta").click()
        datos = Path(descarga.value.path()).read_bytes()
        assert datos.startswith(b"%PDF-")
        texto = "".join(h.extract_text() for h in PdfReader(io.BytesIO(datos)).pages)
        assert folio in texto and "Acuse de respuesta" in texto

        tabla = contribuyente.get_by_test_id("consultas-del-instituto")
        filas = [
            [c.strip() for c in fila.locator("td").all_inner_texts()]
            for fila in tabla.locator("tbody tr").all()
        ]
        # Fecha, Área, Cargo, Qué se hizo: the bulk assignment, the analyst's view of the
        # request, her download of the evidence, her answer and the page shown after it.
        assert [fila[1:] for fila in filas] == [
            [AREA, "Supervisor", "Asignó la solicitud"],
            [AREA, "Analista", "Consultó la solicitud"],
            [AREA, "Analista", "Descargó la evidencia"],
            [AREA, "Analista", "Respondió la solicitud"],
            [AREA, "Analista", "Consultó la solicitud"],
        ]
        assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", fila[0]) for fila in filas)
        seccion = contribuyente.locator("main").inner_text()
        for nombre in NOMBRES_DEL_PERSONAL:
            assert nombre not in seccion, nombre
