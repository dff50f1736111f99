"""The queue page (/atencion/): filters with their counts, marks in words, bulk
assignment by a supervisor, and a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from atencion import consultas
from atencion.tests.conftest import presentar, sesion_de
from calendario.services import fecha_en_mexico
from promociones.models import Evento, Solicitud
from tests.personas import ANALISTA, Personal

pytestmark = pytest.mark.django_db

ANALISTA_2 = Personal("analista_dos", {"emisiones": "analista"})


@pytest.fixture(autouse=True)
def sin_memoria():
    consultas.olvidar_plazos()
    consultas.olvidar_plegado()


def _hoy():
    return fecha_en_mexico(timezone.now())


@pytest.fixture
def cola(contribuyente):
    """An overdue emisiones request, one due tomorrow, one answered, one of ICSOE."""
    hoy = _hoy()
    vieja = presentar(contribuyente)
    pronto = presentar(contribuyente, momento=timezone.now())
    Solicitud.objects.filter(pk=pronto.pk).update(respuesta_a_partir_del=hoy)
    atendida = presentar(contribuyente, servicio="orientacion", evidencia=None)
    Solicitud.objects.filter(pk=atendida.pk).update(estatus="atendido")
    icsoe = presentar(contribuyente, asunto="icsoe")
    return {"vieja": vieja, "pronto": pronto, "atendida": atendida, "icsoe": icsoe}


def test_the_page_shows_open_requests_first_with_counts_and_marks_in_words(cola, supervisor):
    html = sesion_de(supervisor).get("/atencion/").content.decode()
    assert cola["vieja"].folio in html and cola["pronto"].folio in html
    assert cola["atendida"].folio not in html  # the page opens on the open requests
    assert cola["icsoe"].folio not in html  # not one of the supervisor's areas
    assert html.index(cola["vieja"].folio) < html.index(cola["pronto"].folio)
    assert ">Vencida</span>" in html and ">Vence pronto</span>" in html
    assert "2 solicitudes</strong>" in html
    assert "Vencidas: 1" in html and "días hábiles o menos: 1" in html
    assert "Sin asignar: 2" in html and "Asignadas a mí: 0" in html
    assert "Sin atender (2)" in html and "Atendido (1)" in html and "Todos (3)" in html
    todas = sesion_de(supervisor).get("/atencion/?estatus=").content.decode()
    assert cola["atendida"].folio in todas


@pytest.mark.parametrize(
    ("consulta", "presentes", "ausentes"),
    [
        ("vencidas=true", ["vieja"], ["pronto"]),
        ("vence_en=2", ["pronto"], ["vieja"]),
        ("asunto=emisiones&vencidas=true", ["vieja"], ["pronto"]),
        ("estatus=&servicio=orientacion", ["atendida"], ["vieja"]),
        ("asignacion=sin_asignar", ["vieja", "pronto"], []),
        ("asignacion=mias", [], ["vieja", "pronto"]),
        ("area=emisiones", ["vieja", "pronto"], []),
        ("recibida_desde=01/03/2026&recibida_hasta=02/03/2026", ["vieja"], ["pronto"]),
    ],
)
def test_each_filter_on_the_page(cola, supervisor, consulta, presentes, ausentes):
    html = sesion_de(supervisor).get("/atencion/?" + consulta).content.decode()
    assert 'role="alert"' not in html, html
    for nombre in presentes:
        assert cola[nombre].folio in html, (consulta, nombre)
    for nombre in ausentes:
        assert cola[nombre].folio not in html, (consulta, nombre)


def test_search_by_folio_or_rfc_and_a_clear_error_otherwise(cola, supervisor, contribuyente):
    staff = sesion_de(supervisor)
    html = staff.get("/atencion/", {"q": cola["pronto"].folio.lower()}).content.decode()
    assert cola["pronto"].folio in html and cola["vieja"].folio not in html
    html = staff.get("/atencion/", {"q": contribuyente.rfc}).content.decode()
    assert cola["pronto"].folio in html and cola["vieja"].folio in html
    html = staff.get("/atencion/", {"q": "María"}).content.decode()
    assert "Busca por un folio" in html and 'role="alert"' in html


def test_an_area_that_is_not_hers_is_an_error_not_a_leak(cola, analista_otra_area):
    html = sesion_de(analista_otra_area).get("/atencion/?area=emisiones").content.decode()
    assert "Elige una de tus áreas." in html
    assert cola["vieja"].folio not in html and cola["pronto"].folio not in html
    propia = sesion_de(analista_otra_area).get("/atencion/").content.decode()
    assert cola["icsoe"].folio in propia and cola["vieja"].folio not in propia


def test_bulk_assignment_by_a_supervisor_through_the_pipeline(cola, supervisor, analista):
    staff = sesion_de(supervisor)
    html = staff.get("/atencion/").content.decode()
    assert 'name="folios"' in html and f'value="{ANALISTA.username}"' in html
    r = staff.post(
        "/atencion/asignaciones",
        {
            "folios": [cola["vieja"].folio, cola["pronto"].folio, cola["icsoe"].folio],
            "usuario": analista.username,
            "consulta": "estatus=abiertas&pagina=1",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/atencion/?estatus=abiertas&pagina=1"
    for nombre in ("vieja", "pronto"):
        s = Solicitud.objects.get(pk=cola[nombre].pk)
        assert s.asignada_a_id == analista.pk
        evento = Evento.objects.get(solicitud=s, tipo="asignada")
        assert evento.actor_id == supervisor.pk
    assert Solicitud.objects.get(pk=cola["icsoe"].pk).asignada_a_id is None
    mensajes = staff.get(r["Location"]).content.decode()
    assert f"{cola['vieja'].folio}, {cola['pronto'].folio}" in mensajes
    # Another area's folio is reported as unknown, by folio.
    assert (
        f"{cola['icsoe'].folio}: no se asignó. No existe una solicitud con ese folio." in mensajes
    )
    assert "Asignadas a mí: 0" in mensajes and "Sin asignar: 0" in mensajes
    assert "Asignadas a mí: 2" in sesion_de(analista).get("/atencion/").content.decode()


def test_bulk_assignment_refuses_a_person_of_another_area_per_folio(
    cola, supervisor, analista_otra_area
):
    staff = sesion_de(supervisor)
    r = staff.post(
        "/atencion/asignaciones",
        {"folios": [cola["vieja"].folio], "usuario": analista_otra_area.username},
        follow=True,
    )
    texto = r.content.decode()
    assert f"{cola['vieja'].folio}: no se asignó. Elige a una persona adscrita" in texto
    assert Solicitud.objects.get(pk=cola["vieja"].pk).asignada_a_id is None


def test_an_analyst_cannot_assign_and_sees_no_checkboxes(cola, analista):
    otra = ANALISTA_2.crear()
    staff = sesion_de(analista)
    assert 'name="folios"' not in staff.get("/atencion/").content.decode()
    r = staff.post(
        "/atencion/asignaciones",
        {"folios": [cola["vieja"].folio], "usuario": otra.username},
        follow=True,
    )
    assert "solo la puede realizar el supervisor" in r.content.decode()
    assert Solicitud.objects.get(pk=cola["vieja"].pk).asignada_a_id is None


def test_bulk_assignment_needs_folios_a_person_and_a_csrf_token(cola, supervisor, analista):
    from django.test import Client

    staff = sesion_de(supervisor)
    r = staff.post("/atencion/asignaciones", {"usuario": analista.username}, follow=True)
    assert "Selecciona al menos una solicitud" in r.content.decode()
    r = staff.post(
        "/atencion/asignaciones",
        {"folios": ["A-2026-000001"] * 2 + [f"A-2026-{i:06d}" for i in range(60)], "usuario": "x"},
        follow=True,
    )
    assert "como máximo 50" in r.content.decode()
    estricto = Client(enforce_csrf_checks=True)
    estricto.cookies = staff.cookies
    r = estricto.post(
        "/atencion/asignaciones", {"folios": [cola["vieja"].folio], "usuario": analista.username}
    )
    assert r.status_code == 403
    assert Solicitud.objects.get(pk=cola["vieja"].pk).asignada_a_id is None
    assert Client().post("/atencion/asignaciones").status_code == 302  # to the sign-in


def test_the_page_pays_the_same_queries_whatever_the_rows(contribuyente, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = sesion_de(supervisor)
    presentar(contribuyente)
    staff.get("/atencion/")  # session renewal, catalog and fold: once per worker or minute
    with CaptureQueriesContext(connection) as una:
        staff.get("/atencion/?vencidas=true&asunto=emisiones")
    for _ in range(4):
        presentar(contribuyente)
    with CaptureQueriesContext(connection) as cinco:
        r = staff.get("/atencion/?vencidas=true&asunto=emisiones")
    assert "5 solicitudes</strong>" in r.content.decode()
    assert len(cinco) == len(una) <= 10, [q["sql"][:120] for q in cinco]


def test_query_budget_of_the_first_page(contribuyente, supervisor, django_assert_max_num_queries):
    staff = sesion_de(supervisor)
    presentar(contribuyente)
    staff.get("/atencion/")
    with django_assert_max_num_queries(10):
        assert staff.get("/atencion/").status_code == 200


def test_overdue_is_measured_in_mexico_city(contribuyente, supervisor):
    s = presentar(contribuyente)
    Solicitud.objects.filter(pk=s.pk).update(respuesta_a_partir_del=_hoy() - timedelta(days=1))
    html = sesion_de(supervisor).get("/atencion/?vencidas=true").content.decode()
    assert s.folio in html
    Solicitud.objects.filter(pk=s.pk).update(respuesta_a_partir_del=_hoy())
    html = sesion_de(supervisor).get("/atencion/?vencidas=true").content.decode()
    assert s.folio not in html
