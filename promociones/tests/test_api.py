"""The taxpayer API, every response checked against docs/api/openapi.json."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from promociones.models import Asunto, Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import (
    DESCRIPCION_3999,
    DESCRIPCION_4000,
    archivos_guardados,
    zip_bytes,
    zip_de_tamano,
    zip_que_escapa,
    zip_subido,
)

pytestmark = pytest.mark.django_db

DOCUMENTO = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json").read_text("utf-8")
)


def conforme(datos, esquema):
    """Validates ``datos`` against components/schemas/<esquema> of the OpenAPI document."""
    validador = Draft202012Validator(
        {"$ref": f"#/components/schemas/{esquema}", "components": DOCUMENTO["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errores = [e.message for e in validador.iter_errors(datos)]
    assert errores == [], errores
    return datos


def error(r, codigo, status=400):
    assert r.status_code == status, r.content
    cuerpo = conforme(r.json(), "Error")
    assert cuerpo["codigo"] == codigo
    return cuerpo


def presentar(api, **cambios):
    datos = {
        "servicio": "aclaracion",
        "asunto": "icsoe",
        "descripcion": "La ICSOE del tercer cuatrimestre no aparece presentada.",
        "telefono": "55-1234-5678",
        "evidencia": zip_subido("icsoe.zip"),
    }
    datos.update(cambios)
    encabezados = {}
    if "clave" in datos:
        encabezados["HTTP_IDEMPOTENCY_KEY"] = datos.pop("clave")
    return api.post(
        "/api/v1/solicitudes", {k: v for k, v in datos.items() if v is not None}, **encabezados
    )


def test_catalog_needs_no_login_and_lists_active_asuntos(client, catalogo):
    Asunto.objects.filter(clave="emisiones").update(activo=False)
    r = client.get("/api/v1/catalogo")
    assert r.status_code == 200
    datos = conforme(r.json(), "Catalogo")
    assert {s["clave"]: s["plazo_dias_habiles"] for s in datos["servicios"]} == {
        "aclaracion": 10,
        "orientacion": 5,
    }
    aclaracion = next(s for s in datos["servicios"] if s["clave"] == "aclaracion")
    assert aclaracion["requiere_telefono"] and aclaracion["requiere_evidencia"]
    claves = [a["clave"] for a in datos["asuntos"]]
    assert claves == [
        "32d-opinion-publica",
        "32d-terceros-autorizados",
        "activacion-buzon",
        "icsoe",
        "notificacion-electronica",
    ]
    for asunto in datos["asuntos"]:
        assert asunto["servicios"] == ["aclaracion", "orientacion"]
        assert len(asunto["recomendaciones"]) > 200


def test_filing_returns_201_with_the_contract_shape(api, contribuyente):
    r = presentar(api)
    assert r.status_code == 201, r.content
    datos = conforme(r.json(), "SolicitudDetalle")
    assert datos["folio"].startswith("A-")
    assert datos["telefono"] == "5512345678"
    assert datos["estatus"] == "recibido" and datos["estatus_texto"] == "Recibido"
    assert datos["evidencia"]["nombre"] == "icsoe.zip"
    assert [a["tipo"] for a in datos["acuses"]] == ["recepcion"]
    assert datos["acuses"][0]["url"] == f"/api/v1/solicitudes/{datos['folio']}/acuses/recepcion"
    assert [h["evento"] for h in datos["historial"]] == ["recibida"]


@pytest.mark.parametrize(
    "cambios",
    [{}, {"servicio": "orientacion", "telefono": None, "evidencia": None}, {"clave": "k-1"}],
    ids=["con-evidencia", "sin-evidencia", "con-clave"],
)
def test_the_201_is_what_the_request_then_reads_as_and_reads_nothing_back(
    api, contribuyente, cambios
):
    with CaptureQueriesContext(connection) as consultas:
        r = presentar(api, **cambios)
    assert r.status_code == 201, r.content
    # Built from the rows the filing wrote: after its last write, not one read.
    sql = [q["sql"] for q in consultas.captured_queries]
    ultima_escritura = max(i for i, q in enumerate(sql) if q.startswith(("INSERT", "UPDATE")))
    assert [q for q in sql[ultima_escritura:] if q.startswith("SELECT")] == []
    leida = api.get(f"/api/v1/solicitudes/{r.json()['folio']}")
    assert r.json() == leida.json()
    if "clave" in cambios:  # the retry answers the request as it is now, read back
        assert presentar(api, **cambios).json() == leida.json()


@pytest.mark.parametrize(
    ("cambios", "codigo"),
    [
        ({"servicio": "queja"}, "servicio_invalido"),
        ({"asunto": "otro"}, "asunto_invalido"),
        ({"descripcion": ""}, "descripcion_requerida"),
        ({"descripcion": DESCRIPCION_4000}, "descripcion_muy_larga"),
        ({"telefono": None}, "telefono_requerido"),
        ({"telefono": "551234567"}, "telefono_invalido"),
        ({"telefono": "55123456789"}, "telefono_invalido"),
        ({"evidencia": None}, "evidencia_requerida"),
        ({"evidencia": zip_subido("a.zip", b"PK no es un zip")}, "evidencia_no_zip"),
        ({"evidencia": zip_subido("a.zip", zip_que_escapa())}, "evidencia_peligrosa"),
    ],
)
def test_each_rule_answers_its_code_and_creates_nothing(
    api, contribuyente, almacen_temporal, cambios, codigo
):
    error(presentar(api, **cambios), codigo)
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_3999_graphemes_with_crlf_and_emoji_are_accepted(api, contribuyente):
    r = presentar(api, descripcion=DESCRIPCION_3999)
    assert r.status_code == 201
    assert r.json()["descripcion"] == DESCRIPCION_3999.replace("\r\n", "\n")


def test_ten_digits_accepted_and_orientacion_needs_no_phone_or_evidence(api, contribuyente):
    assert presentar(api, telefono="5512345678").status_code == 201
    r = presentar(api, servicio="orientacion", telefono=None, evidencia=None)
    assert r.status_code == 201
    assert r.json()["evidencia"] is None and r.json()["telefono"] == ""


def test_evidence_size_edge(api, contribuyente, almacen_temporal):
    assert (
        presentar(api, evidencia=zip_subido("a.zip", zip_de_tamano(10_485_759))).status_code == 201
    )
    error(
        presentar(api, evidencia=zip_subido("b.zip", zip_de_tamano(10_485_760))),
        "evidencia_muy_grande",
        413,
    )
    assert Solicitud.objects.count() == 1
    assert len(archivos_guardados(almacen_temporal)) == 1


def test_retry_with_the_same_idempotency_key_creates_one_request(api, contribuyente):
    primera = presentar(api, clave="reintento-7")
    segunda = presentar(api, clave="reintento-7")
    assert primera.status_code == segunda.status_code == 201
    assert primera.json()["folio"] == segunda.json()["folio"]
    assert Solicitud.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_409_and_stores_nothing(
    api, contribuyente, almacen_temporal
):
    primera = presentar(api, clave="reusada")
    otra_descripcion = presentar(api, clave="reusada", descripcion="Otro planteamiento.")
    cuerpo = error(otra_descripcion, "idempotencia_reutilizada", 409)
    assert "clave nueva" in cuerpo["mensaje"]
    otra_evidencia = presentar(
        api, clave="reusada", evidencia=zip_subido("otra.zip", zip_de_tamano(5000))
    )
    error(otra_evidencia, "idempotencia_reutilizada", 409)
    # Same content, other spacing and line endings: still the first request.
    misma = presentar(
        api,
        clave="reusada",
        telefono="5512345678",
        descripcion="La ICSOE del tercer cuatrimestre no aparece presentada.  \r\n",
    )
    assert misma.status_code == 201
    assert misma.json()["folio"] == primera.json()["folio"]
    assert Solicitud.objects.count() == 1
    assert len(archivos_guardados(almacen_temporal)) == 1


def test_a_filing_with_a_dozen_extra_file_parts_is_refused_and_stores_nothing(
    api, contribuyente, almacen_temporal, settings
):
    r = presentar(
        api,
        evidencia=[zip_subido(f"e{i}.zip", zip_de_tamano(200_000)) for i in range(13)],
    )
    cuerpo = error(r, "demasiados_archivos")
    assert cuerpo["mensaje"].startswith("El envío trae más archivos")
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("*.upload*")) == []


def test_listing_filters_and_pages(api, contribuyente):
    for i in range(23):
        registrar_solicitud(
            contribuyente=contribuyente,
            servicio="orientacion",
            asunto="icsoe" if i % 2 else "emisiones",
            descripcion=f"Consulta {i}",
            telefono="",
            evidencia=None,
            momento=datetime(2026, 3, 2 + i // 10, 17, i, tzinfo=UTC),
        )
    primera = conforme(api.get("/api/v1/solicitudes").json(), "ListaSolicitudes")
    assert (primera["total"], primera["pagina"], primera["paginas"]) == (23, 1, 2)
    assert len(primera["resultados"]) == 20
    assert primera["resultados"][0]["folio"] == "O-2026-000023"
    segunda = api.get("/api/v1/solicitudes", {"pagina": 2}).json()
    assert [s["folio"] for s in segunda["resultados"]] == [
        "O-2026-000003",
        "O-2026-000002",
        "O-2026-000001",
    ]
    icsoe = api.get("/api/v1/solicitudes", {"asunto": "icsoe"}).json()
    assert icsoe["total"] == 11
    dia = api.get(
        "/api/v1/solicitudes", {"recibida_desde": "2026-03-03", "recibida_hasta": "2026-03-03"}
    ).json()
    assert dia["total"] == 10
    assert api.get("/api/v1/solicitudes", {"estatus": "atendido"}).json()["total"] == 0
    error(api.get("/api/v1/solicitudes", {"recibida_desde": "ayer"}), "fecha_invalida")
    error(api.get("/api/v1/solicitudes", {"estatus": "perdido"}), "estatus_invalido")
    error(api.get("/api/v1/solicitudes", {"pagina": "0"}), "pagina_invalida")
    # Too many digits for the SQL OFFSET, or for int(): a 400, never a 500.
    error(api.get("/api/v1/solicitudes", {"pagina": "9" * 20}), "pagina_invalida")
    error(api.get("/api/v1/solicitudes", {"pagina": "9" * 5000}), "pagina_invalida")


def test_detail_and_evidence_download(api, contribuyente):
    folio = presentar(api).json()["folio"]
    detalle = conforme(api.get(f"/api/v1/solicitudes/{folio}").json(), "SolicitudDetalle")
    assert detalle["recibida"].endswith("-06:00")
    r = api.get(f"/api/v1/solicitudes/{folio}/evidencia")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"].startswith("attachment;")
    assert b"".join(r.streaming_content) == zip_bytes()


def test_another_taxpayers_folio_answers_exactly_like_an_unknown_one(api, api_otro, contribuyente):
    folio = presentar(api).json()["folio"]
    for ruta in ("/api/v1/solicitudes/{}", "/api/v1/solicitudes/{}/evidencia"):
        ajena = api_otro.get(ruta.format(folio))
        desconocida = api_otro.get(ruta.format("A-2099-000001"))
        assert ajena.status_code == desconocida.status_code == 404
        assert ajena.json() == desconocida.json()
    assert api_otro.get("/api/v1/solicitudes").json()["total"] == 0


def test_without_a_token_the_api_answers_401(client, catalogo):
    assert client.get("/api/v1/solicitudes").status_code == 401
    assert client.post("/api/v1/solicitudes", {}).status_code == 401


def test_openapi_document_is_served(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["openapi"].startswith("3.1")
    assert "/solicitudes/{folio}" in r.json()["paths"]


def test_control_characters_never_reach_the_database(api, contribuyente):
    r = presentar(api, asunto="icsoe\x00", descripcion="Hola\x00 mundo", telefono="55\x0012345678")
    assert r.status_code == 201, r.content
    assert r.json()["descripcion"] == "Hola mundo"
    assert api.get("/api/v1/solicitudes", {"folio": "A\x00"}).status_code == 200
    assert api.get("/api/v1/solicitudes", {"asunto": "\x00"}).json()["total"] == 1


def test_every_schema_in_the_document_is_valid_json_schema():
    for esquema in DOCUMENTO["components"]["schemas"].values():
        Draft202012Validator.check_schema(esquema)


def test_every_taxpayer_route_is_documented():
    from promociones import urls

    rutas = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern).removeprefix("api/v1/"))
        for p in urls.urlpatterns
        if str(p.pattern).startswith("api/v1/") and p.name != "api_openapi"
    }
    assert rutas <= set(DOCUMENTO["paths"])
