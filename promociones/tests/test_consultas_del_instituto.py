"""What the taxpayer sees of the institution's audit in Detalle (*Consultas y acciones
del Instituto*): when, which area, which role, what; never who, never a note's text."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from atencion import services as atencion_services
from atencion.tests.conftest import api_contribuyente, api_de, pdf_subido, presentar, sesion_de
from promociones.models import ConsultaInstitucional
from promociones.tests.conftest import iniciar_sesion

pytestmark = pytest.mark.django_db

DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)
TABLA = ConsultaInstitucional._meta.db_table
EMISIONES = "Emisiones de cuotas obrero-patronales"
NOTA = "El patrón debe 3 bimestres; no decírselo todavía."
# Names given to the staff personas here so a test can look for them in what the
# taxpayer receives (their usernames alone are also words of the page, e.g. «Analista»).
NOMBRE_ANALISTA = ("Guadalupe", "Ramírez Solís")
NOMBRE_SUPERVISOR = ("Octavio", "Bermúdez Lara")


def conforme(datos, esquema):
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


@pytest.fixture
def personal(analista, supervisor):
    for persona, (nombre, apellido) in (
        (analista, NOMBRE_ANALISTA),
        (supervisor, NOMBRE_SUPERVISOR),
    ):
        persona.first_name, persona.last_name = nombre, apellido
        persona.save()
    return analista, supervisor


@pytest.fixture
def atendida(contribuyente, personal):
    """A request the institution viewed (page and API), noted, extended and answered."""
    analista, supervisor = personal
    solicitud = presentar(contribuyente)
    assert sesion_de(analista).get(f"/atencion/{solicitud.folio}/").status_code == 200
    api_de(supervisor).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    atencion_services.anotar(solicitud=solicitud, actor=analista, nota=NOTA)
    atencion_services.otorgar_prorroga(
        solicitud=solicitud, actor=supervisor, nota="Se revisa con el banco.", dias_habiles=2
    )
    atencion_services.responder(
        solicitud=solicitud, actor=analista, texto="Pago aplicado.", documento=pdf_subido()
    )
    return solicitud


ESPERADAS = [
    ("Analista", "Consultó la solicitud"),
    ("Supervisor", "Consultó la solicitud"),
    ("Analista", "Agregó una nota interna"),
    ("Supervisor", "Otorgó una prórroga"),
    ("Analista", "Respondió la solicitud"),
]


def _rastros(personal) -> list[str]:
    """Everything that would name a staff member: usernames, full names, e-mails."""
    rastros = []
    for persona in personal:
        rastros += [persona.get_full_name(), persona.first_name, persona.last_name]
        if persona.email:
            rastros.append(persona.email)
    return rastros


def _sin_personas(texto: str, personal) -> None:
    for rastro in _rastros(personal):
        assert rastro not in texto, rastro
    for persona in personal:
        # The username as a word of its own, in any case but the role's label («Analista»).
        for encontrado in re.findall(rf"\b{re.escape(persona.username)}\b", texto, re.I):
            assert encontrado == persona.username.title(), encontrado


def test_detalle_shows_when_which_area_role_and_action_never_who(contribuyente, atendida, personal):
    html = iniciar_sesion(Client(), contribuyente).get(f"/solicitudes/{atendida.folio}/")
    assert html.status_code == 200
    texto = html.content.decode()
    assert "Consultas y acciones del Instituto" in texto
    assert "Se muestra el área y el cargo, no el nombre de la persona." in texto
    seccion = texto.split('data-testid="consultas-del-instituto"')[1].split("</table>")[0]
    filas = seccion.split("<tr>")[2:]
    assert len(filas) == len(ESPERADAS)
    for fila, (rol, accion) in zip(filas, ESPERADAS, strict=True):
        assert f"<td>{EMISIONES}</td><td>{rol}</td><td>{accion}</td>" in fila
    _sin_personas(texto, personal)
    assert NOTA not in texto
    assert "Se revisa con el banco." not in texto


def test_the_api_detail_carries_the_same_rows_valid_against_the_document(
    contribuyente, atendida, personal
):
    r = api_contribuyente(contribuyente).get(f"/api/v1/solicitudes/{atendida.folio}")
    assert r.status_code == 200
    cuerpo = conforme(r.json(), "SolicitudDetalle")
    consultas = cuerpo["consultas_del_instituto"]
    assert [(c["area"], c["rol"], c["accion"]) for c in consultas] == [
        (EMISIONES, rol, accion) for rol, accion in ESPERADAS
    ]
    assert all(set(c) == {"fecha", "area", "rol", "accion"} for c in consultas)
    crudo = json.dumps(r.json(), ensure_ascii=False)
    _sin_personas(crudo, personal)
    assert NOTA not in crudo


def test_dates_are_mexico_city_time(contribuyente, personal):
    analista, _ = personal
    solicitud = presentar(contribuyente)
    api_de(analista).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    # 20 March 2026 01:30 UTC is still the 19th, 19:30, in Mexico City (UTC-6).
    ConsultaInstitucional.objects.filter(solicitud=solicitud).update(
        creado=datetime(2026, 3, 20, 1, 30, tzinfo=UTC)
    )
    cuerpo = api_contribuyente(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}").json()
    assert cuerpo["consultas_del_instituto"][0]["fecha"] == "2026-03-19T19:30:00-06:00"
    html = iniciar_sesion(Client(), contribuyente).get(f"/solicitudes/{solicitud.folio}/")
    assert "<td>19/03/2026 19:30</td>" in html.content.decode()


def test_empty_state_when_no_one_from_the_institution_looked(cliente, contribuyente):
    solicitud = presentar(contribuyente)
    texto = cliente.get(f"/solicitudes/{solicitud.folio}/").content.decode()
    assert "Consultas y acciones del Instituto" in texto
    assert "Hasta ahora el personal del Instituto no ha consultado tu solicitud." in texto
    assert 'data-testid="consultas-del-instituto"' not in texto
    cuerpo = api_contribuyente(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}").json()
    assert cuerpo["consultas_del_instituto"] == []


def test_the_taxpayers_own_views_and_downloads_are_not_recorded(cliente, api, atendida):
    antes = ConsultaInstitucional.objects.count()
    folio = atendida.folio
    for r in (
        cliente.get(f"/solicitudes/{folio}/"),
        cliente.get(f"/solicitudes/{folio}/evidencia"),
        cliente.get(f"/solicitudes/{folio}/respuesta.pdf"),
        api.get(f"/api/v1/solicitudes/{folio}"),
        api.get(f"/api/v1/solicitudes/{folio}/evidencia"),
    ):
        assert r.status_code == 200
    assert ConsultaInstitucional.objects.count() == antes


def test_another_taxpayer_sees_nothing_of_it(cliente_otro, api_otro, atendida):
    desconocido = atendida.folio[:-1] + ("1" if atendida.folio[-1] != "1" else "2")
    ajena, nada = (cliente_otro.get(f"/solicitudes/{f}/") for f in (atendida.folio, desconocido))
    assert ajena.status_code == nada.status_code == 404
    assert ajena.content == nada.content
    ajena, nada = (api_otro.get(f"/api/v1/solicitudes/{f}") for f in (atendida.folio, desconocido))
    assert ajena.status_code == nada.status_code == 404
    assert ajena.json() == nada.json()
    assert EMISIONES.encode() not in ajena.content


def test_after_a_canalizacion_earlier_rows_keep_their_area(cliente, contribuyente, personal):
    analista, supervisor = personal
    solicitud = presentar(contribuyente)
    api_de(analista).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    atencion_services.canalizar(
        solicitud=solicitud,
        actor=supervisor,
        nota="Es de activación.",
        servicio="orientacion",
        asunto="activacion-buzon",
    )
    api_de(supervisor).get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    texto = cliente.get(f"/solicitudes/{solicitud.folio}/").content.decode()
    seccion = texto.split('data-testid="consultas-del-instituto"')[1].split("</table>")[0]
    filas = seccion.split("<tr>")[2:]
    assert f"<td>{EMISIONES}</td><td>Analista</td><td>Consultó la solicitud</td>" in filas[0]
    assert f"<td>{EMISIONES}</td><td>Supervisor</td><td>Canalizó la solicitud</td>" in filas[1]
    assert (
        "<td>Atención a usuarios del Buzón IMSS</td><td>Supervisor</td>"
        "<td>Consultó la solicitud</td>" in filas[2]
    )


def test_the_section_is_one_query_whatever_the_number_of_rows(
    cliente, api, contribuyente, personal, settings
):
    settings.BUZON_DETALLE_PAGINAS = 0  # Detalle read each time (remembered: test_memoria_detalle)
    analista, _ = personal
    solicitud = presentar(contribuyente)
    staff = api_de(analista)
    url, url_api = f"/solicitudes/{solicitud.folio}/", f"/api/v1/solicitudes/{solicitud.folio}"
    staff.get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    cliente.get(url)  # the first request renews the session: a write, once a minute
    with CaptureQueriesContext(connection) as una:
        cliente.get(url)
    with CaptureQueriesContext(connection) as una_api:
        api.get(url_api)
    for _ in range(30):
        staff.get(f"/api/v1/atencion/solicitudes/{solicitud.folio}")
    with CaptureQueriesContext(connection) as muchas:
        r = cliente.get(url)
    assert r.content.decode().count("Consultó la solicitud") == 31
    with CaptureQueriesContext(connection) as muchas_api:
        cuerpo = api.get(url_api).json()
    assert len(cuerpo["consultas_del_instituto"]) == 31
    assert len(muchas) == len(una)
    assert len(muchas_api) == len(una_api)
    for capturadas in (muchas, muchas_api):
        lecturas = [q["sql"] for q in capturadas if TABLA in q["sql"]]
        assert len(lecturas) == 1, lecturas
        # The person's columns are not even read.
        assert "username" not in lecturas[0] and "first_name" not in lecturas[0]
