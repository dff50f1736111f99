"""GET /api/v1/atencion/solicitudes (CONTRACT.md "Staff"): every filter, the counts,
50 a page, the errors, the outsider; checked against docs/api/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from atencion import consultas
from atencion.tests.conftest import api_contribuyente, api_de, presentar
from calendario.services import fecha_en_mexico
from promociones.models import Solicitud

pytestmark = pytest.mark.django_db

BASE = "/api/v1/atencion/solicitudes"
DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)


@pytest.fixture(autouse=True)
def sin_memoria():
    consultas.olvidar_plazos()
    consultas.olvidar_plegado()


def conforme(datos, esquema):
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


def _enum(ruta: str, status: str) -> list[str]:
    esquema = DOCUMENTO["paths"][ruta]["get"]["responses"][status]["content"]["application/json"]
    return esquema["schema"]["allOf"][1]["properties"]["codigo"]["enum"]


@pytest.fixture
def cola(contribuyente, otro_contribuyente):
    hoy = fecha_en_mexico(timezone.now())
    vieja = presentar(contribuyente)
    pronto = presentar(otro_contribuyente, momento=timezone.now())
    Solicitud.objects.filter(pk=pronto.pk).update(respuesta_a_partir_del=hoy)
    atendida = presentar(contribuyente, servicio="orientacion", evidencia=None)
    Solicitud.objects.filter(pk=atendida.pk).update(estatus="atendido")
    activacion = presentar(
        contribuyente, servicio="orientacion", asunto="activacion-buzon", evidencia=None
    )
    icsoe = presentar(contribuyente, asunto="icsoe")
    return {
        "vieja": vieja,
        "pronto": pronto,
        "atendida": atendida,
        "activacion": activacion,
        "icsoe": icsoe,
    }


def test_the_list_has_counts_within_the_other_filters_and_matches_the_document(cola, supervisor):
    api = api_de(supervisor)
    cuerpo = conforme(api.get(BASE).json(), "ColaPersonal")
    assert cuerpo["total"] == 4 and cuerpo["pagina"] == 1 and cuerpo["paginas"] == 1
    assert cuerpo["conteos"] == {"vencidas": 2, "por_vencer": 1, "sin_asignar": 4, "mias": 0}
    # Soonest response date first; every estatus unless asked (the contract's list).
    fechas = [s["respuesta_a_partir_del"] for s in cuerpo["resultados"]]
    assert fechas == sorted(fechas)
    assert cola["atendida"].folio in {s["folio"] for s in cuerpo["resultados"]}
    vencidas = conforme(
        api.get(BASE, {"vencidas": "true", "asunto": "emisiones"}).json(), "ColaPersonal"
    )
    assert [s["folio"] for s in vencidas["resultados"]] == [cola["vieja"].folio]
    # vencidas and por_vencer ignore the due-date filter; the rest are within it.
    assert vencidas["conteos"] == {"vencidas": 1, "por_vencer": 1, "sin_asignar": 1, "mias": 0}


@pytest.mark.parametrize(
    ("parametros", "esperados"),
    [
        ({"estatus": "atendido"}, ["atendida"]),
        ({"estatus": "abiertas"}, ["vieja", "activacion", "pronto"]),
        ({"servicio": "orientacion"}, ["atendida", "activacion"]),
        ({"asunto": "activacion-buzon"}, ["activacion"]),
        ({"area": "atencion-buzon"}, ["activacion"]),
        ({"asignacion": "sin_asignar", "asunto": "emisiones"}, ["vieja", "atendida", "pronto"]),
        ({"asignacion": "mias"}, []),
        ({"vencidas": "true"}, ["vieja", "activacion"]),
        ({"vence_en": "0"}, ["pronto"]),
        (
            {"recibida_desde": "2026-03-01", "recibida_hasta": "2026-03-02"},
            ["vieja", "atendida", "activacion"],
        ),
        ({"q": "__pronto__"}, ["pronto"]),
        ({"q": "__rfc_otro__"}, ["pronto"]),
    ],
)
def test_every_filter(cola, supervisor, otro_contribuyente, parametros, esperados):
    valores = {
        k: {"__pronto__": cola["pronto"].folio, "__rfc_otro__": otro_contribuyente.rfc}.get(v, v)
        for k, v in parametros.items()
    }
    cuerpo = api_de(supervisor).get(BASE, valores).json()
    assert {s["folio"] for s in cuerpo["resultados"]} == {cola[n].folio for n in esperados}
    assert cuerpo["total"] == len(esperados)


def test_assigned_to_me(cola, supervisor, analista):
    from atencion import services

    services.asignar(solicitud=cola["vieja"], actor=supervisor, usuario=analista.username)
    cuerpo = api_de(analista).get(BASE, {"asignacion": "mias"}).json()
    assert [s["folio"] for s in cuerpo["resultados"]] == [cola["vieja"].folio]
    assert cuerpo["resultados"][0]["asignada_a"] == analista.username
    assert cuerpo["conteos"]["mias"] == 1 and cuerpo["conteos"]["sin_asignar"] == 2


def test_the_outsider_sees_none_and_cannot_name_the_area(cola, analista_otra_area):
    api = api_de(analista_otra_area)
    cuerpo = api.get(BASE).json()
    assert [s["folio"] for s in cuerpo["resultados"]] == [cola["icsoe"].folio]
    assert api.get(BASE, {"q": cola["vieja"].folio}).json()["total"] == 0
    r = api.get(BASE, {"area": "emisiones"})
    assert r.status_code == 400 and r.json()["codigo"] == "area_invalida"
    desconocida = api.get(BASE, {"area": "no-existe"})
    assert desconocida.json() == r.json()  # another area answers as an unknown one


def test_fifty_a_page(contribuyente, supervisor):
    base = presentar(contribuyente)
    Solicitud.objects.bulk_create(
        [
            Solicitud(
                folio=f"A-2026-{800000 + i:06d}",
                contribuyente=contribuyente,
                servicio_id=base.servicio_id,
                asunto_id=base.asunto_id,
                area_id=base.area_id,
                descripcion="Carga",
                recibida=base.recibida,
                computo_desde=base.computo_desde,
                respuesta_a_partir_del=base.respuesta_a_partir_del,
            )
            for i in range(60)
        ]
    )
    api = api_de(supervisor)
    primera = conforme(api.get(BASE).json(), "ColaPersonal")
    assert (primera["total"], primera["paginas"], len(primera["resultados"])) == (61, 2, 50)
    segunda = api.get(BASE, {"pagina": 2}).json()
    assert len(segunda["resultados"]) == 11
    ids = [s["folio"] for s in primera["resultados"] + segunda["resultados"]]
    assert len(set(ids)) == 61
    assert api.get(BASE, {"pagina": 3}).json()["resultados"] == []


@pytest.mark.parametrize(
    ("parametros", "codigo"),
    [
        ({"estatus": "cerrado"}, "estatus_invalido"),
        ({"servicio": "x"}, "servicio_invalido"),
        ({"asunto": "x"}, "asunto_invalido"),
        ({"area": "x"}, "area_invalida"),
        ({"asignacion": "todas"}, "asignacion_invalida"),
        ({"vencidas": "si"}, "vencidas_invalido"),
        ({"vence_en": "dos"}, "vence_en_invalido"),
        ({"vence_en": "3", "vencidas": "true"}, "vence_en_invalido"),
        ({"recibida_desde": "01/03/2026"}, "fecha_invalida"),
        ({"recibida_desde": "2026-03-02", "recibida_hasta": "2026-03-01"}, "rango_invalido"),
        ({"q": "no es folio"}, "busqueda_invalida"),
        ({"q": "A" * 5000}, "busqueda_invalida"),
        ({"pagina": "0"}, "pagina_invalida"),
    ],
)
def test_bad_values_have_stable_codes_listed_in_the_document(supervisor, parametros, codigo):
    for ruta in (BASE, BASE + ".csv"):
        r = api_de(supervisor).get(ruta, parametros)
        assert r.status_code == 400, r.content
        datos = conforme(r.json(), "Error")
        assert datos["codigo"] == codigo
        assert codigo in _enum(
            "/atencion/solicitudes" + (".csv" if ruta.endswith(".csv") else ""), "400"
        )


def test_taxpayers_and_anonymous_callers_are_refused(contribuyente):
    from django.test import Client

    for ruta in (BASE, BASE + ".csv"):
        r = api_contribuyente(contribuyente).get(ruta)
        assert r.status_code == 403 and r.json()["codigo"] == "solo_personal"
        assert Client().get(ruta).status_code == 401


def test_query_count_of_the_api(cola, supervisor, django_assert_max_num_queries):
    api = api_de(supervisor)
    api.get(BASE)
    with django_assert_max_num_queries(9):
        api.get(BASE, {"vencidas": "true", "asunto": "emisiones"})
