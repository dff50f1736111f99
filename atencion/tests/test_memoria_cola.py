"""The queue pages a worker remembers (atencion.memoria): a page seen again skips the
queue's queries, and is never shown once anything it shows has changed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atencion import cola, memoria, services
from atencion.tests.conftest import pdf_subido, presentar, sesion_de
from calendario.models import DiaInhabil
from promociones.models import Solicitud
from tests.personas import ANALISTA

pytestmark = pytest.mark.django_db


def total_en(cliente) -> int:
    html = cliente.get("/atencion/", {"estatus": ""}).content.decode()
    encontrado = re.search(r'data-testid="conteo-total">([\d,]+) solicitud', html)
    assert encontrado is not None
    return int(encontrado.group(1))


def lecturas_de_solicitudes(consultas) -> int:
    return sum("promociones_solicitud" in q["sql"] for q in consultas.captured_queries)


def test_a_page_seen_again_reads_no_request_and_is_the_same_page(contribuyente, supervisor):
    presentar(contribuyente)
    staff = sesion_de(supervisor)
    primera = staff.get("/atencion/")  # the first request also renews the session
    with CaptureQueriesContext(connection) as leida:
        staff.get("/atencion/", {"estatus": ""})
    with CaptureQueriesContext(connection) as recordada:
        segunda = staff.get("/atencion/", {"estatus": ""})
    assert lecturas_de_solicitudes(leida) > 0
    assert lecturas_de_solicitudes(recordada) == 0
    assert len(recordada) < len(leida)
    assert segunda.status_code == primera.status_code == 200
    assert "1 solicitud" in segunda.content.decode()


def test_memory_off_reads_every_time(contribuyente, supervisor, settings):
    settings.BUZON_COLA_PAGINAS = 0
    presentar(contribuyente)
    staff = sesion_de(supervisor)
    staff.get("/atencion/")
    with CaptureQueriesContext(connection) as segunda:
        staff.get("/atencion/")
    assert lecturas_de_solicitudes(segunda) > 0


def test_a_filing_an_assignment_and_an_answer_each_show_at_once(
    contribuyente, supervisor, analista
):
    staff = sesion_de(supervisor)
    presentar(contribuyente)
    assert total_en(staff) == 1
    assert total_en(staff) == 1  # from memory
    solicitud = presentar(contribuyente)
    assert total_en(staff) == 2
    html = staff.get("/atencion/", {"asignacion": "sin_asignar"}).content.decode()
    assert solicitud.folio in html
    services.asignar(solicitud=solicitud, actor=supervisor, usuario=ANALISTA.username)
    html = staff.get("/atencion/", {"asignacion": "sin_asignar"}).content.decode()
    assert solicitud.folio not in html
    assert ANALISTA.username in staff.get("/atencion/").content.decode()


def test_a_canalizacion_leaves_one_areas_page_and_reaches_the_others(
    contribuyente, supervisor, analista
):
    solicitud = presentar(contribuyente)
    de_emisiones = sesion_de(analista)  # Emisiones only
    assert solicitud.folio in de_emisiones.get("/atencion/").content.decode()
    assert solicitud.folio in de_emisiones.get("/atencion/").content.decode()
    services.canalizar(
        solicitud=solicitud,
        actor=supervisor,
        nota="Corresponde a la activación del buzón.",
        servicio="orientacion",
        asunto="activacion-buzon",
    )
    movida = Solicitud.objects.get(pk=solicitud.pk)
    assert movida.area_id != solicitud.area_id
    assert solicitud.folio not in de_emisiones.get("/atencion/").content.decode()
    assert solicitud.folio in sesion_de(supervisor).get("/atencion/").content.decode()


def test_a_change_in_another_area_keeps_the_page(contribuyente, analista, analista_otra_area):
    presentar(contribuyente)
    staff = sesion_de(analista_otra_area)  # ICSOE: none of these requests is hers
    staff.get("/atencion/")
    antes = memoria.version_de_areas([a.id for a in cola.consultas.areas_con_rol(analista)])
    presentar(contribuyente)  # Emisiones
    despues = memoria.version_de_areas([a.id for a in cola.consultas.areas_con_rol(analista)])
    assert despues != antes
    with CaptureQueriesContext(connection) as otra:
        staff.get("/atencion/")
    assert lecturas_de_solicitudes(otra) == 0


def test_a_new_day_is_a_new_page(contribuyente, supervisor, monkeypatch):
    solicitud = presentar(contribuyente)
    staff = sesion_de(supervisor)
    dia = solicitud.computo_desde.toordinal()  # well before its response date
    monkeypatch.setattr(cola, "_hoy", lambda: date.fromordinal(dia))
    for _ in range(2):
        html = staff.get("/atencion/").content.decode()
        assert re.search(r'data-testid="conteo-vencidas"[^>]*>Vencidas: 0<', html)
    dia = solicitud.respuesta_a_partir_del.toordinal() + 1
    html = staff.get("/atencion/").content.decode()
    assert "Vencida" in html
    assert re.search(r'data-testid="conteo-vencidas"[^>]*>Vencidas: 1<', html)


def test_each_session_gets_its_own_token_with_a_remembered_page(
    contribuyente, supervisor, analista
):
    solicitud = presentar(contribuyente)
    una, otra = sesion_de(supervisor), sesion_de(supervisor)
    otra.handler.enforce_csrf_checks = True  # as a browser: the token must be right
    una.get("/atencion/")
    html = otra.get("/atencion/").content.decode()  # the same page, from memory
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)" form="asignacion-masiva"', html)
    assert token is not None
    r = otra.post(
        "/atencion/asignaciones",
        {
            "csrfmiddlewaretoken": token.group(1),
            "folios": [solicitud.folio],
            "usuario": ANALISTA.username,
            "consulta": "",
        },
    )
    assert r.status_code == 302
    assert Solicitud.objects.get(pk=solicitud.pk).asignada_a == analista


def test_a_refused_filter_is_never_remembered(contribuyente, supervisor):
    presentar(contribuyente)
    staff = sesion_de(supervisor)
    staff.get("/atencion/")
    for _ in range(2):
        html = staff.get("/atencion/", {"recibida_desde": "31/02/2026"}).content.decode()
        assert 'value="31/02/2026"' in html  # what she typed, back in its field
    # Only the page of the filters that stood was remembered: none with a date.
    claves = [k for k in memoria._paginas.claves() if isinstance(k, tuple)]
    assert claves
    assert not [
        k for k in claves if isinstance(k[3], cola.consultas.FiltrosPersonal) and k[3].desde
    ]


def test_the_api_is_remembered_too_and_shows_a_change_at_once(contribuyente, supervisor):
    from atencion.tests.conftest import api_de

    presentar(contribuyente)
    api = api_de(supervisor)
    assert api.get("/api/v1/atencion/solicitudes").json()["total"] == 1
    with CaptureQueriesContext(connection) as recordada:
        assert api.get("/api/v1/atencion/solicitudes").json()["total"] == 1
    assert lecturas_de_solicitudes(recordada) == 0
    presentar(contribuyente)
    cuerpo = api.get("/api/v1/atencion/solicitudes").json()
    assert cuerpo["total"] == 2
    assert cuerpo["conteos"]["sin_asignar"] == 2


def test_the_supervisor_figures_are_remembered_and_follow_every_change(contribuyente, supervisor):
    from atencion.tests.conftest import api_de

    presentar(contribuyente)
    api = api_de(supervisor)
    assert api.get("/api/v1/atencion/indicadores").json()["abiertas"] == 1
    with CaptureQueriesContext(connection) as recordada:
        assert api.get("/api/v1/atencion/indicadores").json()["abiertas"] == 1
    assert lecturas_de_solicitudes(recordada) == 0
    solicitud = presentar(contribuyente)
    assert api.get("/api/v1/atencion/indicadores").json()["abiertas"] == 2
    services.responder(
        solicitud=solicitud, actor=supervisor, texto="Atendida.", documento=pdf_subido()
    )
    datos = api.get("/api/v1/atencion/indicadores").json()
    assert datos["abiertas"] == 1


def test_a_declared_non_working_day_makes_a_new_page_at_the_next_catalog_check(
    contribuyente, supervisor, settings
):
    """Overdue and days left count business days: a day declared in the admin reaches the
    remembered page within a catalog check (migration 0016), not a minute later."""
    presentar(contribuyente)
    staff = sesion_de(supervisor)
    staff.get("/atencion/")
    settings.CATALOGO_REVISAR_CADA_SEGUNDOS = 0  # every request checks the catalog
    staff.get("/atencion/", {"estatus": ""})
    with CaptureQueriesContext(connection) as sin_cambio:
        staff.get("/atencion/", {"estatus": ""})
    DiaInhabil.objects.create(fecha=date(2026, 12, 14), motivo="Contingencia")
    with CaptureQueriesContext(connection) as con_dia:
        staff.get("/atencion/", {"estatus": ""})
    assert lecturas_de_solicitudes(sin_cambio) == 0
    assert lecturas_de_solicitudes(con_dia) > 0
