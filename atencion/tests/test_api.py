"""The staff API (CONTRACT.md "Staff"), with every persona, checked against the OpenAPI
document's shared schemas (Error, Solicitud, SolicitudDetalle)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from acuses.models import Acuse
from atencion.tests.conftest import (
    api_contribuyente,
    api_de,
    pdf_subido,
    presentar,
)
from avisos.models import Aviso
from promociones.models import Evento, Solicitud
from tests.personas import ANALISTA

pytestmark = pytest.mark.django_db

DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)
BASE = "/api/v1/atencion/solicitudes"


def conforme(datos, esquema):
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


def error(r, codigo, status=400):
    assert r.status_code == status, r.content
    assert conforme(r.json(), "Error")["codigo"] == codigo


def post_json(cliente, url, datos):
    return cliente.post(url, json.dumps(datos), content_type="application/json")


def test_list_shows_only_the_requests_of_my_areas(contribuyente, analista, analista_otra):
    mia = presentar(contribuyente)
    ajena = presentar(contribuyente, asunto="icsoe")
    r = api_de(analista).get(BASE)
    assert r.status_code == 200
    cuerpo = r.json()
    assert [s["folio"] for s in cuerpo["resultados"]] == [mia.folio]
    assert (cuerpo["total"], cuerpo["pagina"], cuerpo["paginas"]) == (1, 1, 1)
    conforme(cuerpo["resultados"][0], "Solicitud")
    assert cuerpo["resultados"][0]["rfc"] == contribuyente.rfc
    r = api_de(analista_otra).get(BASE)
    assert [s["folio"] for s in r.json()["resultados"]] == [ajena.folio]


def test_list_filters_by_status_subject_and_overdue(contribuyente, supervisor):
    vieja = presentar(contribuyente)  # due 17 March 2026: overdue by now
    nueva = presentar(contribuyente, momento=datetime.now(UTC))
    activacion = presentar(
        contribuyente, servicio="orientacion", asunto="activacion-buzon", evidencia=None
    )
    api = api_de(supervisor)
    folios = lambda q: [s["folio"] for s in api.get(BASE + q).json()["resultados"]]  # noqa: E731
    assert set(folios("")) == {vieja.folio, nueva.folio, activacion.folio}
    assert set(folios("?asunto=emisiones")) == {vieja.folio, nueva.folio}
    assert folios("?vencidas=true&asunto=emisiones") == [vieja.folio]
    Solicitud.objects.filter(pk=vieja.pk).update(estatus="atendido")
    assert vieja.folio not in folios("?vencidas=true")
    assert folios("?estatus=atendido") == [vieja.folio]
    error(api.get(BASE + "?estatus=cerrado"), "estatus_invalido")
    error(api.get(BASE + "?asunto=nada"), "asunto_invalido")
    error(api.get(BASE + "?pagina=0"), "pagina_invalida")
    error(api.get(BASE + "?pagina=" + "9" * 20), "pagina_invalida")


def test_list_pages_twenty_at_a_time_with_constant_queries(contribuyente, supervisor, monkeypatch):
    # The queue shows 50 a page (test_cola_api.py); 20 here keeps this test's 21 filings.
    monkeypatch.setattr("atencion.consultas.POR_PAGINA", 20)
    for _ in range(21):
        presentar(contribuyente, servicio="orientacion", evidencia=None, telefono="")
    api = api_de(supervisor)
    api.get(BASE)  # a worker's first read also loads the catalog and folds overdue counts
    with CaptureQueriesContext(connection) as consultas:
        r = api.get(BASE + "?pagina=2")
    cuerpo = r.json()
    assert (cuerpo["total"], cuerpo["paginas"], len(cuerpo["resultados"])) == (21, 2, 1)
    assert len(consultas) <= 8, [q["sql"] for q in consultas]


def test_taxpayer_tokens_and_anonymous_calls_are_refused(contribuyente, solicitud):
    error(api_contribuyente(contribuyente).get(BASE), "solo_personal", 403)
    r = api_contribuyente(contribuyente).post(
        f"{BASE}/{solicitud.folio}/prorroga", "{}", content_type="application/json"
    )
    error(r, "solo_personal", 403)
    from django.test import Client

    assert Client().get(BASE).status_code == 401


def test_prorroga_returns_the_updated_request_and_the_taxpayer_sees_it(
    contribuyente, solicitud, supervisor
):
    r = post_json(
        api_de(supervisor),
        f"{BASE}/{solicitud.folio}/prorroga",
        {"nota": "Se revisa con el área de cobranza; dato interno.", "dias_habiles": 3},
    )
    assert r.status_code == 200, r.content
    cuerpo = conforme(r.json(), "SolicitudDetalle")
    assert (cuerpo["estatus"], cuerpo["respuesta_a_partir_del"]) == ("en_prorroga", "2026-03-20")
    assert [a["tipo"] for a in cuerpo["acuses"]] == ["recepcion", "prorroga"]

    vista = api_contribuyente(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}")
    detalle = conforme(vista.json(), "SolicitudDetalle")
    assert detalle["estatus"] == "en_prorroga"
    assert detalle["respuesta_a_partir_del"] == "2026-03-20"
    assert [h["evento"] for h in detalle["historial"]] == ["recibida", "prorroga"]
    assert "dato interno" not in vista.content.decode()
    assert "nota" not in detalle["historial"][1]
    pdf = api_contribuyente(contribuyente).get(
        f"/api/v1/solicitudes/{solicitud.folio}/acuses/prorroga"
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_prorroga_errors_follow_the_contract(solicitud, supervisor):
    api = api_de(supervisor)
    url = f"{BASE}/{solicitud.folio}/prorroga"
    error(post_json(api, url, {"nota": "", "dias_habiles": 2}), "nota_requerida")
    error(post_json(api, url, {"nota": "x", "dias_habiles": 11}), "dias_invalidos")
    error(post_json(api, url, {"nota": "x", "dias_habiles": "tres"}), "dias_invalidos")
    error(post_json(api, url, {"nota": "x", "dias_habiles": True}), "dias_invalidos")
    error(api.post(url, "no es json", content_type="application/json"), "json_invalido")
    assert post_json(api, url, {"nota": "x", "dias_habiles": "2"}).status_code == 200
    error(post_json(api, url, {"nota": "x", "dias_habiles": 2}), "prorroga_ya_otorgada", 409)


def test_canalizacion_through_the_api(contribuyente, solicitud, supervisor):
    api = api_de(supervisor)
    url = f"{BASE}/{solicitud.folio}/canalizacion"
    error(
        post_json(api, url, {"nota": "x", "servicio": "aclaracion", "asunto": "emisiones"}),
        "canalizacion_sin_cambio",
    )
    error(
        post_json(api, url, {"nota": "x", "servicio": "orientaciones", "asunto": "icsoe"}),
        "servicio_invalido",
    )
    r = post_json(
        api,
        url,
        {"nota": "Es de activación.", "servicio": "orientacion", "asunto": "activacion-buzon"},
    )
    assert r.status_code == 200, r.content
    cuerpo = conforme(r.json(), "SolicitudDetalle")
    assert (cuerpo["estatus"], cuerpo["servicio"], cuerpo["asunto"]) == (
        "canalizado",
        "orientacion",
        "activacion-buzon",
    )
    assert cuerpo["fecha_respuesta_o_canalizacion"] == cuerpo["respuesta_a_partir_del"]
    assert cuerpo["canalizada"] is not None
    error(
        post_json(api, url, {"nota": "x", "servicio": "aclaracion", "asunto": "icsoe"}),
        "transicion_invalida",
        409,
    )
    lista = api_contribuyente(contribuyente).get("/api/v1/solicitudes").json()
    assert lista["resultados"][0]["estatus"] == "canalizado"
    assert lista["resultados"][0]["canalizada"] == cuerpo["canalizada"]


def test_respuesta_multipart_and_answering_twice(contribuyente, solicitud, analista):
    api = api_de(analista)
    url = f"{BASE}/{solicitud.folio}/respuesta"
    error(api.post(url, {"texto": "Atendida."}), "documento_requerido")
    error(api.post(url, {"texto": "", "documento": pdf_subido()}), "texto_requerido")
    error(
        api.post(url, {"texto": "Atendida.", "documento": pdf_subido("r.pdf", b"GIF89a")}),
        "documento_no_pdf",
    )
    r = api.post(url, {"texto": "Atendida.", "documento": pdf_subido()})
    assert r.status_code == 200, r.content
    assert conforme(r.json(), "SolicitudDetalle")["estatus"] == "atendido"
    error(
        api.post(url, {"texto": "Otra vez.", "documento": pdf_subido()}), "transicion_invalida", 409
    )
    assert Acuse.objects.filter(solicitud=solicitud, tipo="respuesta").count() == 1
    detalle = api_contribuyente(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}").json()
    assert [a["tipo"] for a in detalle["acuses"]] == ["recepcion", "respuesta"]


def test_outsiders_get_the_same_404_as_an_unknown_folio(solicitud, analista_otra):
    api = api_de(analista_otra)
    desconocido = "A-2026-999999"
    for sufijo, metodo in (
        ("/prorroga", "json"),
        ("/canalizacion", "json"),
        ("/respuesta", "multipart"),
        ("/avisos", "get"),
    ):
        respuestas = []
        for folio in (solicitud.folio, desconocido):
            url = f"{BASE}/{folio}{sufijo}"
            if metodo == "json":
                r = post_json(api, url, {"nota": "x", "dias_habiles": 1})
            elif metodo == "multipart":
                r = api.post(url, {"texto": "x", "documento": pdf_subido()})
            else:
                r = api.get(url)
            error(r, "no_encontrada", 404)
            respuestas.append(r.content)
        assert respuestas[0] == respuestas[1]
    assert list(solicitud.eventos.values_list("tipo", flat=True)) == [Evento.Tipo.RECIBIDA]


def test_notices_of_a_request(solicitud, supervisor):
    post_json(
        api_de(supervisor),
        f"{BASE}/{solicitud.folio}/prorroga",
        {"nota": "Revisión.", "dias_habiles": 1},
    )
    r = api_de(supervisor).get(f"{BASE}/{solicitud.folio}/avisos")
    assert r.status_code == 200
    (aviso,) = r.json()["resultados"]
    assert aviso["canal"] == "sms"
    assert aviso["destino"] == "55******78"
    assert aviso["estado"] == "pendiente"
    assert aviso["enviado"] is None
    assert "prorrogada" in aviso["texto"]
    assert set(aviso) == {
        "canal",
        "destino",
        "texto",
        "estado",
        "intentos",
        "creado",
        "enviado",
        "entregado",
        "ultima_respuesta",
    }
    assert Aviso.objects.count() == 1


def test_taxpayer_downloads_the_pdf_acuse_of_every_staff_step(contribuyente, solicitud, supervisor):
    from acuses.verificacion import verificar_pdf

    staff = api_de(supervisor)
    post_json(staff, f"{BASE}/{solicitud.folio}/prorroga", {"nota": "x", "dias_habiles": 1})
    post_json(
        staff,
        f"{BASE}/{solicitud.folio}/canalizacion",
        {"nota": "x", "servicio": "orientacion", "asunto": "activacion-buzon"},
    )
    r = staff.post(
        f"{BASE}/{solicitud.folio}/respuesta", {"texto": "Listo.", "documento": pdf_subido()}
    )
    assert r.status_code == 200, r.content
    propio = api_contribuyente(contribuyente)
    for tipo in ("prorroga", "canalizacion", "respuesta"):
        pdf = propio.get(f"/api/v1/solicitudes/{solicitud.folio}/acuses/{tipo}")
        assert pdf.status_code == 200, (tipo, pdf.content[:200])
        datos = pdf.getvalue()
        resultado = verificar_pdf(datos)
        assert resultado.valido, (tipo, resultado)


def test_assignment_through_the_api_shows_in_the_list(solicitud, supervisor, analista):
    r = post_json(
        api_de(supervisor), f"{BASE}/{solicitud.folio}/asignacion", {"usuario": ANALISTA.username}
    )
    assert r.status_code == 200, r.content
    conforme(r.json(), "SolicitudDetalle")
    (fila,) = api_de(analista).get(BASE).json()["resultados"]
    assert fila["asignada_a"] == ANALISTA.username
    r = post_json(
        api_de(analista), f"{BASE}/{solicitud.folio}/asignacion", {"usuario": ANALISTA.username}
    )
    error(r, "sin_permiso", 403)
