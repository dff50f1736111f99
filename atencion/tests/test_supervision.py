"""The supervisor's oversight page and API (atencion.supervision) on a small dataset
filed, extended, re-routed and answered through the real services; every expected
figure is counted by hand below."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from atencion import services, supervision
from atencion.tests.conftest import (
    api_contribuyente,
    api_de,
    pdf_subido,
    presentar,
    sesion_de,
)
from calendario.models import DiaInhabil
from calendario.services import ZONA_MEXICO
from promociones.tests.conftest import iniciar_sesion
from tests.personas import SUPERVISOR, crear_personal

pytestmark = pytest.mark.django_db

DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)
API = "/api/v1/atencion/indicadores"
PAGINA = "/atencion/supervision/"
# Wednesday 13 January 2027. The 12 weeks run from Monday 26 October 2026 (2026-W44) to
# the week of today (2027-W02), through 2026-W53 (2026 began on a Thursday).
HOY = date(2027, 1, 13)
SEMANAS = [*(f"2026-W{n}" for n in range(44, 54)), "2027-W01", "2027-W02"]


def conforme(datos, esquema):
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


def error(r, codigo, status):
    assert r.status_code == status, r.content
    assert conforme(r.json(), "Error")["codigo"] == codigo


@pytest.fixture(autouse=True)
def hoy(monkeypatch):
    """Today, for the figures: the dataset below is dated around it."""
    monkeypatch.setattr(supervision, "_hoy", lambda: HOY)
    return HOY


def a_las_10(dia: date) -> datetime:
    return datetime.combine(dia, time(10), tzinfo=ZONA_MEXICO)


def presentada(contribuyente, dia, **cambios):
    return presentar(contribuyente, momento=a_las_10(dia), **cambios)


def responder(solicitud, actor, dia):
    return services.responder(
        solicitud=solicitud,
        actor=actor,
        texto="Se aplicó su pago.",
        documento=pdf_subido(),
        momento=a_las_10(dia),
    )


@pytest.fixture
def datos(contribuyente, otro_contribuyente, analista, analista_otra, supervisor):
    """Emisiones (aclaración: 10 business days) and one area more of the supervisor's.

    Answered in Emisiones (business days after computo_desde, by hand; holidays 16 Nov
    and 25 Dec 2026, 1 Jan 2027):
      A filed Mon 7 Dec, due 21 Dec, answered Fri 18 Dec: on time, 9 days;
      B filed Mon 14 Dec, due 29 Dec, answered Thu 7 Jan: late, 16 days;
      C filed Mon 21 Dec, due 6 Jan, answered Tue 22 Dec: on time, 1 day;
      E filed Sat 26 Dec (counts from Mon 28), due 12 Jan, answered Thu 31 Dec: on time, 3;
      D filed Wed 4 Nov, due 19 Nov, answered Fri 20 Nov: late, 11 (in the 90 days only);
      F filed and answered in June: in no window.
    Open in Emisiones: G (recibido, due 29 Dec: overdue), H (recibido, filed Mon 11 Jan),
    J (en prórroga: due 18 Jan + 5 = 25 Jan), K (filed Tue 29 Dec in Atención a usuarios,
    re-routed on Tue 5 Jan to an Orientación of Emisiones, due 12 Jan: overdue).
    Atención a usuarios: M open (filed Tue 12 Jan); N filed Tue 1 Dec, due 15 Dec,
    answered Wed 16 Dec: late, 11 days. ICSOE (not the supervisor's): L, answered.
    """
    c = contribuyente
    s = {}
    for nombre, dia in [
        ("A", date(2026, 12, 7)),
        ("B", date(2026, 12, 14)),
        ("C", date(2026, 12, 21)),
        ("E", date(2026, 12, 26)),
        ("D", date(2026, 11, 4)),
        ("F", date(2026, 6, 1)),
        ("G", date(2026, 12, 14)),
        ("H", date(2027, 1, 11)),
        ("J", date(2027, 1, 4)),
    ]:
        s[nombre] = presentada(c, dia)
    s["K"] = presentada(c, date(2026, 12, 29), asunto="notificacion-electronica")
    s["M"] = presentada(
        otro_contribuyente,
        date(2027, 1, 12),
        servicio="orientacion",
        asunto="activacion-buzon",
        evidencia=None,
    )
    s["N"] = presentada(otro_contribuyente, date(2026, 12, 1), asunto="notificacion-electronica")
    s["L"] = presentada(c, date(2026, 12, 14), asunto="icsoe")
    # The terms the calendar gave, as counted by hand above.
    esperadas = {
        "A": date(2026, 12, 21),
        "B": date(2026, 12, 29),
        "C": date(2027, 1, 6),
        "E": date(2027, 1, 12),
        "D": date(2026, 11, 19),
        "G": date(2026, 12, 29),
        "N": date(2026, 12, 15),
    }
    assert {k: s[k].respuesta_a_partir_del for k in esperadas} == esperadas
    assert s["E"].computo_desde == date(2026, 12, 28)
    for nombre, dia in [
        ("A", date(2026, 12, 18)),
        ("B", date(2027, 1, 7)),
        ("C", date(2026, 12, 22)),
        ("E", date(2026, 12, 31)),
        ("D", date(2026, 11, 20)),
        ("F", date(2026, 6, 5)),
    ]:
        responder(s[nombre], analista, dia)
    responder(s["N"], supervisor, date(2026, 12, 16))
    responder(s["L"], analista_otra, date(2026, 12, 15))
    services.otorgar_prorroga(
        solicitud=s["J"],
        actor=supervisor,
        nota="Falta la cédula de determinación.",
        dias_habiles=5,
        momento=a_las_10(date(2027, 1, 6)),
    )
    services.canalizar(
        solicitud=s["K"],
        actor=supervisor,
        nota="Es una duda sobre la emisión, no sobre la notificación.",
        servicio="orientacion",
        asunto="emisiones",
        momento=a_las_10(date(2027, 1, 5)),
    )
    for k in s:
        s[k].refresh_from_db()
    assert (s["J"].estatus, s["J"].respuesta_a_partir_del) == ("en_prorroga", date(2027, 1, 25))
    assert (s["K"].estatus, s["K"].area.clave, s["K"].respuesta_a_partir_del) == (
        "canalizado",
        "emisiones",
        date(2027, 1, 12),
    )
    return s


def semanas(**cuentas: tuple[int, int]) -> list[dict]:
    """The 12 weeks with (recibidas, atendidas) given as W44=(1, 0), …; zero elsewhere."""
    filas = []
    for etiqueta in SEMANAS:
        clave = etiqueta.replace("2026-", "").replace("2027-", "Y")
        recibidas, atendidas = cuentas.get(clave, (0, 0))
        filas.append({"semana": etiqueta, "recibidas": recibidas, "atendidas": atendidas})
    return filas


def test_one_areas_figures_are_exact(datos, supervisor):
    r = api_de(supervisor).get(API, {"area": "emisiones"})
    assert r.status_code == 200
    cuerpo = conforme(r.json(), "Indicadores")
    assert cuerpo == {
        "areas": ["emisiones"],
        "fecha": "2027-01-13",
        # G, H (recibido), J (en prórroga), K (canalizado); G and K past their date.
        "abiertas": 4,
        "vencidas": 2,
        # A, B, C, E answered since 15 December; A, C, E on time. Days 1 3 9 16.
        "atendidas_a_tiempo_30d": 0.75,
        "mediana_dias_habiles_30d": 6,
        "atendidas_30d": 4,
        # And D (late, 11 days): 1 3 9 11 16.
        "atendidas_a_tiempo_90d": 0.6,
        "mediana_dias_habiles_90d": 9,
        "atendidas_90d": 5,
        "por_estatus": {"recibido": 2, "en_prorroga": 1, "canalizado": 1},
        "por_asunto": [
            {
                "area": "emisiones",
                "asunto": "emisiones",
                "nombre": "Emisiones",
                "abiertas": 4,
                "vencidas": 2,
                "por_estatus": {"recibido": 2, "en_prorroga": 1, "canalizado": 1},
            }
        ],
        # Filed: D (W45), A (W50), B and G (W51), C and E (W52), K (W53), J (W01),
        # H (W02). Answered: D (W47), A (W51), C (W52), E (W53), B (W01).
        "por_semana": semanas(
            W45=(1, 0),
            W47=(0, 1),
            W50=(1, 0),
            W51=(2, 1),
            W52=(2, 1),
            W53=(1, 1),
            YW01=(1, 1),
            YW02=(1, 0),
        ),
    }


def test_all_her_areas_together_and_each_on_its_own(datos, supervisor):
    api = api_de(supervisor)
    todas = conforme(api.get(API).json(), "Indicadores")
    assert todas["areas"] == ["atencion-buzon", "emisiones"]  # by name: Atención, Emisiones
    # M joins the open ones; N (late, 11 days, answered Wed 16 Dec) the answered.
    assert (todas["abiertas"], todas["vencidas"]) == (5, 2)
    assert (todas["atendidas_30d"], todas["atendidas_a_tiempo_30d"]) == (5, 0.6)
    assert todas["mediana_dias_habiles_30d"] == 9  # 1 3 9 11 16
    assert (todas["atendidas_90d"], todas["atendidas_a_tiempo_90d"]) == (6, 0.5)
    assert todas["mediana_dias_habiles_90d"] == 10  # 1 3 9 11 11 16
    assert [(f["area"], f["asunto"], f["abiertas"]) for f in todas["por_asunto"]] == [
        ("atencion-buzon", "activacion-buzon", 1),
        ("emisiones", "emisiones", 4),
    ]
    por_semana = {s["semana"]: (s["recibidas"], s["atendidas"]) for s in todas["por_semana"]}
    assert por_semana["2026-W49"] == (1, 0)  # N filed Tue 1 Dec
    assert por_semana["2026-W51"] == (2, 2)  # and answered Wed 16 Dec
    assert por_semana["2027-W02"] == (2, 0)  # H and M
    sola = api.get(API, {"area": "atencion-buzon"}).json()
    assert (sola["abiertas"], sola["atendidas_30d"], sola["atendidas_a_tiempo_30d"]) == (1, 1, 0)
    assert sola["mediana_dias_habiles_30d"] == 11
    # ICSOE's L is in none of them.
    assert sum(s["recibidas"] for s in todas["por_semana"]) == 11


def test_nothing_answered_gives_null_share_and_median(contribuyente, supervisor):
    presentada(contribuyente, date(2027, 1, 11))
    cuerpo = conforme(api_de(supervisor).get(API, {"area": "emisiones"}).json(), "Indicadores")
    assert (cuerpo["abiertas"], cuerpo["vencidas"]) == (1, 0)
    for campo in ("atendidas_a_tiempo_30d", "mediana_dias_habiles_30d"):
        assert cuerpo[campo] is None
    assert cuerpo["atendidas_90d"] == 0 and cuerpo["mediana_dias_habiles_90d"] is None
    pagina = sesion_de(supervisor).get(PAGINA, {"area": "emisiones"}).content.decode()
    assert pagina.count("Sin solicitudes atendidas") == 2


def test_an_extra_non_working_day_is_not_counted(contribuyente, analista, supervisor):
    DiaInhabil.objects.create(fecha=date(2026, 12, 24), motivo="Acuerdo del Consejo Técnico")
    s = presentada(contribuyente, date(2026, 12, 21))
    responder(s, analista, date(2026, 12, 28))  # 22, 23, (24 declared), (25), 28
    cuerpo = api_de(supervisor).get(API, {"area": "emisiones"}).json()
    assert cuerpo["mediana_dias_habiles_30d"] == 3


class Tablas(HTMLParser):
    """The cells of each table with a data-testid, and the chart's bars, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tablas: dict[str, list[list[str]]] = {}
        self.barras: list[tuple[str, int]] = []
        self.svg: dict[str, str] = {}
        self.textos_svg: dict[str, str] = {}
        self._tabla: str | None = None
        self._celda: list[str] | None = None
        self._en: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-testid" in a:
            self._tabla = a["data-testid"]
            self.tablas[self._tabla] = []
        elif tag == "tr" and self._tabla:
            self.tablas[self._tabla].append([])
        elif tag in ("td", "th") and self._tabla:
            self._celda = []
        elif tag == "svg":
            self.svg = a
        elif tag == "g" and "data-serie" in a:
            self.barras.append((a["data-serie"], int(a["data-valor"])))
        elif tag in ("title", "desc") and a.get("id"):
            self._en = a["id"]
            self.textos_svg[self._en] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._tabla = None
        elif tag in ("td", "th") and self._celda is not None and self._tabla:
            self.tablas[self._tabla][-1].append(" ".join("".join(self._celda).split()))
            self._celda = None
        elif tag in ("title", "desc"):
            self._en = None

    def handle_data(self, data):
        if self._celda is not None:
            self._celda.append(data)
        if self._en:
            self.textos_svg[self._en] += data


def leer(r) -> Tablas:
    assert r.status_code == 200, r.status_code
    t = Tablas()
    t.feed(r.content.decode())
    return t


def test_the_page_shows_the_same_figures_table_and_chart_agree(datos, supervisor):
    r = sesion_de(supervisor).get(PAGINA, {"area": "emisiones"})
    t = leer(r)
    texto = r.content.decode()
    assert "<h1>Supervisión</h1>" in texto and "Emisiones de cuotas obrero-patronales" in texto
    assert 'data-testid="abiertas">4<' in texto and 'data-testid="vencidas">2 ' in texto
    assert t.tablas["ventanas"][1:] == [
        ["Últimos 30 días", "4", "3", "75 %", "6"],
        ["Últimos 90 días", "5", "3", "60 %", "9"],
    ]
    assert t.tablas["abiertas-por-asunto"] == [
        ["Asunto", "Recibido", "En prórroga", "Canalizado", "Total", "Vencidas"],
        ["Emisiones", "2", "1", "1", "4", "2"],
        ["Total", "2", "1", "1", "4", "2"],
    ]
    filas = t.tablas["tabla-semanal"][1:]
    assert [f[0] for f in filas] == SEMANAS
    assert filas[9] == ["2026-W53", "28/12/2026", "03/01/2027", "1", "1"]
    # The chart: role, title and description, and one pair of bars per table row with
    # the same numbers.
    assert t.svg["role"] == "img"
    assert t.svg["aria-labelledby"] == "grafica-titulo grafica-desc"
    assert "por semana" in t.textos_svg["grafica-titulo"]
    assert "Semana 2026-W53: 1 recibidas, 1 atendidas." in t.textos_svg["grafica-desc"]
    pares = [(t.barras[i][1], t.barras[i + 1][1]) for i in range(0, len(t.barras), 2)]
    assert [s for s, _ in t.barras[:2]] == ["recibidas", "atendidas"]
    assert pares == [(int(f[3]), int(f[4])) for f in filas]
    # No inline style or script in what this page draws: the CSP allows neither.
    contenido = texto[texto.index("<main") : texto.index("</main>")]
    assert not re.search(r"\sstyle\s*=|<style|<script", contenido)


def test_the_page_for_all_areas_names_the_area_of_each_row(datos, supervisor):
    t = leer(sesion_de(supervisor).get(PAGINA))
    assert t.tablas["abiertas-por-asunto"][0][0] == "Área"
    assert t.tablas["abiertas-por-asunto"][-1] == ["Total", "3", "1", "1", "5", "2"]
    assert t.tablas["ventanas"][1][:4] == ["Últimos 30 días", "5", "3", "60 %"]


def test_only_supervisors_see_it(datos, contribuyente, analista, analista_otra, supervisor):
    for persona in (analista, analista_otra):
        assert sesion_de(persona).get(PAGINA).status_code == 403
        assert sesion_de(persona).get(PAGINA, {"area": "emisiones"}).status_code == 403
        error(api_de(persona).get(API, {"area": "emisiones"}), "solo_supervision", 403)
    error(api_contribuyente(contribuyente).get(API), "solo_personal", 403)
    pagina = iniciar_sesion(Client(), contribuyente).get(PAGINA)
    assert pagina.status_code == 403
    assert b"Emisiones" not in pagina.content
    assert Client().get(PAGINA).status_code == 302
    error(Client().get(API), "no_autenticado", 401)


def test_an_area_she_does_not_supervise_answers_like_one_that_does_not_exist(datos, supervisor):
    # Supervisor of Emisiones, analyst of ICSOE: neither ICSOE nor an unknown clave.
    mixta = crear_personal("supervisora_mixta", {"emisiones": "supervisor", "icsoe": "analista"})
    for persona in (supervisor, mixta):
        api, pagina = api_de(persona), sesion_de(persona)
        for clave in ("icsoe", "cobranza-32d", "no-existe", "x" * 500, "icsoe\x00", " icsoe "):
            error(api.get(API, {"area": clave}), "no_encontrado", 404)
            assert api.get(API, {"area": clave}).content == api.get(API, {"area": "zzz"}).content
            r = pagina.get(PAGINA, {"area": clave})
            assert r.status_code == 404
            assert r.content == pagina.get(PAGINA, {"area": "zzz"}).content
    assert api_de(mixta).get(API).json()["areas"] == ["emisiones"]


def test_the_menu_links_it_only_for_supervisors(datos, analista, supervisor):
    assert (
        'data-testid="menu-supervision"'
        in sesion_de(supervisor).get("/atencion/avisos/").content.decode()
    )
    assert "menu-supervision" not in sesion_de(analista).get("/atencion/avisos/").content.decode()


def test_queries_do_not_grow_with_requests(contribuyente, analista, supervisor):
    def consultas(cliente, ruta):
        cliente.get(ruta)  # the first request may renew the session
        with CaptureQueriesContext(connection) as capturadas:
            assert cliente.get(ruta).status_code == 200
        return len(capturadas)

    pagina, api = sesion_de(supervisor), api_de(supervisor)
    presentada(contribuyente, date(2026, 12, 14))
    antes = consultas(pagina, PAGINA), consultas(api, API)
    for dia in (date(2026, 12, 7), date(2026, 12, 21), date(2027, 1, 4)):
        responder(presentada(contribuyente, dia), analista, dia)
        presentada(contribuyente, dia, asunto="notificacion-electronica")
    despues = consultas(pagina, PAGINA), consultas(api, API)
    assert despues == antes
    # Session or token, the areas (one per area for the role), four of figures, asuntos.
    assert despues[1] <= 12, despues


def test_the_supervisor_persona_supervises_two_areas():
    # The tests above read "all her areas" as these two.
    assert dict(SUPERVISOR.roles) == {"emisiones": "supervisor", "atencion-buzon": "supervisor"}
