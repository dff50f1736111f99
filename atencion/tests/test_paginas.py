"""The staff pages: sign-in, list, detail and its forms, with every persona."""

import pytest
from django.test import Client

from atencion.tests.conftest import pdf_subido, presentar, sesion_de
from promociones.models import Evento, Solicitud
from promociones.tests.conftest import iniciar_sesion
from tests.personas import ANALISTA, CLAVE_PERSONAL, entrar_personal

pytestmark = pytest.mark.django_db


def test_staff_sign_in_with_username_and_password_starts_a_bounded_session(analista):
    cliente = Client()
    r = cliente.get("/atencion/acceso/")
    assert r.status_code == 200
    assert "Contraseña" in r.content.decode()
    r = cliente.post("/atencion/acceso/", {"username": ANALISTA.username, "password": "incorrecta"})
    assert "Usuario o contraseña incorrectos" in r.content.decode()
    # The password, then the authenticator's code (atencion/tests/test_segundo_factor.py).
    r = entrar_personal(cliente, analista)
    assert r.status_code == 302
    assert r["Location"] == "/atencion/"
    assert "cuentas_inicio" in cliente.session
    assert cliente.get("/atencion/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in():
    r = Client().get("/atencion/")
    assert r.status_code == 302
    assert r["Location"].startswith("/atencion/acceso/")


def test_taxpayers_cannot_open_the_staff_pages(contribuyente, solicitud):
    cliente = iniciar_sesion(Client(), contribuyente)
    assert cliente.get("/atencion/").status_code == 403
    assert cliente.get(f"/atencion/{solicitud.folio}/").status_code == 403


def test_list_shows_my_areas_requests_only(contribuyente, analista):
    mia = presentar(contribuyente)
    ajena = presentar(contribuyente, asunto="icsoe")
    html = sesion_de(analista).get("/atencion/").content.decode()
    assert mia.folio in html
    assert ajena.folio not in html
    assert ">Vencida</span>" in html  # in words, not only by colour


def test_detail_of_another_area_is_404_like_an_unknown_folio(solicitud, analista_otra):
    cliente = sesion_de(analista_otra)
    assert cliente.get(f"/atencion/{solicitud.folio}/").status_code == 404
    assert cliente.get("/atencion/A-2026-999999/").status_code == 404
    r = cliente.post(f"/atencion/{solicitud.folio}/nota", {"nota": "x"})
    assert r.status_code == 404


def test_analyst_sees_only_the_answer_form_supervisor_sees_all(solicitud, analista, supervisor):
    html = sesion_de(analista).get(f"/atencion/{solicitud.folio}/").content.decode()
    assert "Enviar respuesta" in html
    assert "Otorgar prórroga" not in html
    assert "Canalizar" not in html
    html = sesion_de(supervisor).get(f"/atencion/{solicitud.folio}/").content.decode()
    assert "Otorgar prórroga" in html
    assert "Canalizar" in html


def test_extension_from_the_page_and_the_note_stays_internal(contribuyente, solicitud, supervisor):
    staff = sesion_de(supervisor)
    r = staff.post(
        f"/atencion/{solicitud.folio}/prorroga",
        {"dias_habiles": "2", "nota": "Nota reservada del supervisor."},
    )
    assert r.status_code == 302
    html = staff.get(f"/atencion/{solicitud.folio}/").content.decode()
    assert "Nota reservada del supervisor." in html
    assert "En prórroga" in html
    detalle = iniciar_sesion(Client(), contribuyente).get(f"/solicitudes/{solicitud.folio}/")
    texto = detalle.content.decode()
    assert "En prórroga" in texto
    assert "Acuse de prórroga" in texto
    assert "Nota reservada" not in texto


def test_a_broken_rule_shows_its_message_and_keeps_what_was_typed(solicitud, supervisor):
    r = sesion_de(supervisor).post(
        f"/atencion/{solicitud.folio}/prorroga",
        {"dias_habiles": "99", "nota": "Texto que no se pierde"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "de 1 a 10 días hábiles" in html
    assert "Texto que no se pierde" in html
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "recibido"


def test_answer_from_the_page(solicitud, analista):
    staff = sesion_de(analista)
    r = staff.post(
        f"/atencion/{solicitud.folio}/respuesta",
        {"texto": "Quedó aplicado su pago.", "documento": pdf_subido()},
    )
    assert r.status_code == 302
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == "atendido"
    html = staff.get(f"/atencion/{solicitud.folio}/").content.decode()
    assert "Quedó aplicado su pago." in html
    assert "Enviar respuesta" not in html


def test_canalizacion_out_of_my_areas_returns_to_the_list(solicitud, supervisor, catalogo):
    r = sesion_de(supervisor).post(
        f"/atencion/{solicitud.folio}/canalizacion",
        {"servicio": "orientacion", "asunto": "icsoe", "nota": "Es de ICSOE."},
    )
    assert r.status_code == 302
    assert r["Location"] == "/atencion/"
    assert Solicitud.objects.get(pk=solicitud.pk).area.clave == "icsoe"


def test_internal_note_from_the_page(solicitud, analista):
    sesion_de(analista).post(f"/atencion/{solicitud.folio}/nota", {"nota": "Llamar mañana."})
    assert solicitud.eventos.get(tipo=Evento.Tipo.NOTA).datos["nota"] == "Llamar mañana."


def test_sign_in_locks_after_too_many_failures_and_audits_each_attempt(analista, settings):
    from cuentas.models import IntentoAcceso

    settings.ACCESO_MAX_FALLOS = 3
    cliente = Client()
    for _ in range(3):
        cliente.post("/atencion/acceso/", {"username": ANALISTA.username, "password": "mala"})
    r = cliente.post(
        "/atencion/acceso/", {"username": ANALISTA.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 429
    assert "Demasiados intentos" in r.content.decode()
    assert "_auth_user_id" not in cliente.session
    resultados = list(
        IntentoAcceso.objects.filter(canal="pers")
        .order_by("id")
        .values_list("resultado", flat=True)
    )
    assert resultados == ["credenciales_invalidas"] * 3 + ["demasiados_intentos"]


def test_staff_of_the_area_download_evidence_and_answer_outsiders_do_not(
    solicitud, analista, analista_otra
):
    from atencion.tests.conftest import PDF

    staff = sesion_de(analista)
    r = staff.get(f"/atencion/{solicitud.folio}/evidencia")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    assert staff.get(f"/atencion/{solicitud.folio}/respuesta.pdf").status_code == 404
    staff.post(
        f"/atencion/{solicitud.folio}/respuesta",
        {"texto": "Atendida.", "documento": pdf_subido()},
    )
    r = staff.get(f"/atencion/{solicitud.folio}/respuesta.pdf")
    assert r.status_code == 200
    assert r.getvalue() == PDF
    assert r["Content-Type"] == "application/pdf"
    otra = sesion_de(analista_otra)
    assert otra.get(f"/atencion/{solicitud.folio}/evidencia").status_code == 404
    assert otra.get(f"/atencion/{solicitud.folio}/respuesta.pdf").status_code == 404


def test_list_page_query_count_does_not_grow_with_rows(contribuyente, supervisor, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.BUZON_COLA_PAGINAS = 0  # the page read each time (test_memoria_cola: from memory)
    staff = sesion_de(supervisor)
    presentar(contribuyente)
    staff.get("/atencion/")  # the first request renews the session: a write, once a minute
    with CaptureQueriesContext(connection) as una:
        staff.get("/atencion/")
    for _ in range(5):
        presentar(contribuyente)
    with CaptureQueriesContext(connection) as seis:
        r = staff.get("/atencion/")
    assert "6 solicitudes" in r.content.decode()
    assert len(seis) == len(una)


def test_supervisor_assigns_from_the_page_analyst_has_no_such_form(solicitud, supervisor, analista):
    assert (
        "Asignar" not in sesion_de(analista).get(f"/atencion/{solicitud.folio}/").content.decode()
    )
    staff = sesion_de(supervisor)
    assert "Asignar" in staff.get(f"/atencion/{solicitud.folio}/").content.decode()
    r = staff.post(f"/atencion/{solicitud.folio}/asignacion", {"usuario": ANALISTA.username})
    assert r.status_code == 302
    assert Solicitud.objects.get(pk=solicitud.pk).asignada_a == analista
