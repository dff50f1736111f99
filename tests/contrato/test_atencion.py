"""The staff API with tokens from ``token_personal`` for the demo's staff, and what the
taxpayer then sees: updated solicitud, acuses of every tipo, no internal notes."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from atencion.tests.conftest import PDF  # a PDF a reader opens (answers must open)
from promociones.models import Solicitud
from tests.contrato.conftest import contenido, es_error, post_json
from tests.contrato.test_solicitudes import datos_validos, es_solicitud, presentar

ATENCION = "/api/v1/atencion/solicitudes"
NOTA = "Nota interna: el área de emisiones pidió revisar el pago en SIPARE."
ASUNTOS = [
    "32d-opinion-publica",
    "32d-terceros-autorizados",
    "activacion-buzon",
    "emisiones",
    "icsoe",
    "notificacion-electronica",
]


def url(folio: str, accion: str) -> str:
    return f"{ATENCION}/{folio}/{accion}"


def pdf(nombre: str = "respuesta.pdf", datos: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, datos, content_type="application/pdf")


def prorroga(c: Client, folio: str, nota: str = NOTA, dias: object = 5):
    return post_json(c, url(folio, "prorroga"), {"nota": nota, "dias_habiles": dias})


def canalizacion(c: Client, folio: str, servicio: str, asunto: str, nota: str = NOTA):
    return post_json(
        c, url(folio, "canalizacion"), {"nota": nota, "servicio": servicio, "asunto": asunto}
    )


def respuesta(c: Client, folio: str, **datos: object):
    datos = {"texto": "Su pago quedó aplicado el 5 de marzo.", "documento": pdf(), **datos}
    return c.post(url(folio, "respuesta"), {k: v for k, v in datos.items() if v is not None})


def actualizada(r) -> dict:
    assert r.status_code == 200, r.content
    s = r.json()
    es_solicitud(s)
    return s


def test_a_taxpayer_token_is_refused_on_the_staff_api_with_a_contract_error(api):
    es_error(api.get(ATENCION), "solo_personal", 403)


def test_staff_list_has_only_the_areas_requests_with_filters_and_pages(api, personal):
    folios = {a: presentar(api, asunto=a)["folio"] for a in ASUNTOS}
    supervisor, analista = personal("supervisor"), personal("analista")

    todo = supervisor.get(ATENCION).json()
    assert set(todo) >= {"resultados", "total", "pagina", "paginas"}
    assert todo["total"] == len(ASUNTOS) and todo["pagina"] == 1
    for s in todo["resultados"]:
        es_solicitud(s)
    assert {s["folio"] for s in todo["resultados"]} == set(folios.values())

    propias = analista.get(ATENCION).json()["resultados"]
    assert propias, "the analyst's area owns at least one demo asunto"
    assert folios["emisiones"] not in {s["folio"] for s in propias}
    assert len(propias) < len(ASUNTOS)

    icsoe = supervisor.get(ATENCION, {"asunto": "icsoe"}).json()
    assert [s["folio"] for s in icsoe["resultados"]] == [folios["icsoe"]]
    assert supervisor.get(ATENCION, {"estatus": "recibido"}).json()["total"] == len(ASUNTOS)
    assert supervisor.get(ATENCION, {"estatus": "atendido"}).json()["total"] == 0
    assert supervisor.get(ATENCION, {"vencidas": "true"}).json()["total"] == 0
    assert supervisor.get(ATENCION, {"pagina": 2}).json()["resultados"] == []

    # A request whose response date has passed, unanswered, is vencida.
    ayer = date.today() - timedelta(days=2)
    Solicitud.objects.filter(folio=folios["icsoe"]).update(respuesta_a_partir_del=ayer)
    vencidas = supervisor.get(ATENCION, {"vencidas": "true"}).json()
    assert [s["folio"] for s in vencidas["resultados"]] == [folios["icsoe"]]

    for parametros, codigo in (
        ({"estatus": "perdido"}, "estatus_invalido"),
        ({"pagina": "cero"}, "pagina_invalida"),
    ):
        es_error(supervisor.get(ATENCION, parametros), codigo, 400)


def test_every_acuse_tipo_exists_after_the_action_that_issues_it(api, personal):
    supervisor = personal("supervisor")
    s = presentar(api)
    folio = s["folio"]
    acuse = f"/api/v1/solicitudes/{folio}/acuses/"
    for tipo in ("prorroga", "canalizacion", "respuesta"):
        es_error(api.get(acuse + tipo), "acuse_no_encontrado", 404)

    p = actualizada(prorroga(supervisor, folio, dias=5))
    assert p["estatus"] == "en_prorroga"
    assert p["respuesta_a_partir_del"] > s["respuesta_a_partir_del"]
    c = actualizada(canalizacion(supervisor, folio, "orientacion", "icsoe"))
    assert (c["estatus"], c["servicio"], c["asunto"]) == ("canalizado", "orientacion", "icsoe")
    # As the guide reads the Tablero: the new response date, and the day it was canalized.
    assert c["fecha_respuesta_o_canalizacion"] == c["respuesta_a_partir_del"]
    assert date.fromisoformat(c["canalizada"]) < date.fromisoformat(c["respuesta_a_partir_del"])
    r = actualizada(respuesta(supervisor, folio))
    assert r["estatus"] == "atendido"
    # Answered: the day it was answered; the day it was canalized stays.
    assert date.fromisoformat(r["fecha_respuesta_o_canalizacion"]) >= date.fromisoformat(
        c["canalizada"]
    )
    assert r["canalizada"] == c["canalizada"]

    detalle = api.get(f"/api/v1/solicitudes/{folio}").json()
    assert detalle["estatus"] == "atendido"
    tipos = [a["tipo"] for a in detalle["acuses"]]
    assert tipos == ["recepcion", "prorroga", "canalizacion", "respuesta"]
    for a in detalle["acuses"]:
        assert set(a) >= {"tipo", "emitido", "codigo_verificacion", "url"}
        datetime.fromisoformat(a["emitido"])
        descarga = api.get(a["url"])
        assert descarga.status_code == 200
        assert descarga["Content-Type"] == "application/pdf"
        assert contenido(descarga).startswith(b"%PDF-")
        assert a["url"] == acuse + a["tipo"]
    for e in detalle["historial"]:
        assert set(e) >= {"evento", "fecha"}
        datetime.fromisoformat(e["fecha"])
    # Internal notes never reach the taxpayer, neither in the detail nor in the list.
    assert "Nota interna" not in json.dumps(detalle, ensure_ascii=False)
    assert "Nota interna" not in api.get("/api/v1/solicitudes").content.decode("utf-8")


def test_prorroga_errors(api, personal):
    supervisor = personal("supervisor")
    folio = presentar(api)["folio"]
    es_error(prorroga(supervisor, folio, nota="  "), "nota_requerida", 400)
    for dias in (0, -1, "cinco", None, 10_000):
        es_error(prorroga(supervisor, folio, dias=dias), "dias_invalidos", 400)
    actualizada(prorroga(supervisor, folio))
    es_error(prorroga(supervisor, folio), "prorroga_ya_otorgada", 409)


def test_canalizacion_errors(api, personal):
    supervisor = personal("supervisor")
    folio = presentar(api)["folio"]
    es_error(
        canalizacion(supervisor, folio, "orientacion", "icsoe", nota=""), "nota_requerida", 400
    )
    # Filed as aclaracion/emisiones: moving it there again changes nothing.
    es_error(
        canalizacion(supervisor, folio, "aclaracion", "emisiones"), "canalizacion_sin_cambio", 400
    )
    es_error(canalizacion(supervisor, folio, "queja", "icsoe"), "servicio_invalido", 400)
    es_error(canalizacion(supervisor, folio, "orientacion", "no-existe"), "asunto_invalido", 400)
    actualizada(canalizacion(supervisor, folio, "orientacion", "icsoe"))
    es_error(canalizacion(supervisor, folio, "aclaracion", "emisiones"), "transicion_invalida", 409)


@pytest.mark.parametrize(
    ("servicio", "asunto"),
    [("orientacion", "emisiones"), ("aclaracion", "icsoe"), ("orientacion", "icsoe")],
    ids=["solo-servicio", "solo-asunto", "ambos"],
)
def test_canalizacion_changes_the_service_the_subject_or_both(api, personal, servicio, asunto):
    supervisor = personal("supervisor")
    folio = presentar(api)["folio"]
    c = actualizada(canalizacion(supervisor, folio, servicio, asunto))
    assert (c["estatus"], c["servicio"], c["asunto"]) == ("canalizado", servicio, asunto)
    vista = api.get(f"/api/v1/solicitudes/{folio}").json()
    assert (vista["estatus"], vista["servicio"], vista["asunto"]) == (
        "canalizado",
        servicio,
        asunto,
    )


def test_respuesta_errors_and_nothing_after_atendido(api, personal):
    supervisor = personal("supervisor")
    folio = presentar(api)["folio"]
    es_error(respuesta(supervisor, folio, documento=None), "documento_requerido", 400)
    es_error(respuesta(supervisor, folio, documento=pdf(datos=b"")), "documento_requerido", 400)
    actualizada(respuesta(supervisor, folio))
    es_error(respuesta(supervisor, folio), "transicion_invalida", 409)
    es_error(prorroga(supervisor, folio), "transicion_invalida", 409)
    es_error(canalizacion(supervisor, folio, "orientacion", "icsoe"), "transicion_invalida", 409)


def test_staff_actions_answer_with_json_errors_for_bad_bodies_and_methods(api, personal):
    supervisor = personal("supervisor")
    folio = presentar(api)["folio"]
    r = supervisor.post(url(folio, "prorroga"), b"{nota:", content_type="application/json")
    es_error(r, "json_invalido", 400)
    es_error(supervisor.get(url(folio, "prorroga")), "metodo_no_permitido", 405)
    es_error(supervisor.post(url(folio, "avisos")), "metodo_no_permitido", 405)


def test_foreign_folios_answer_exactly_as_unknown_ones(api, api_otro, personal):
    folio = presentar(api, asunto="emisiones")["folio"]
    inexistente = folio[:-1] + ("1" if folio[-1] != "1" else "2")
    assert not Solicitud.objects.filter(folio=inexistente).exists()

    def iguales(c: Client, metodo: str, plantilla: str, **kw: object) -> None:
        ajena = getattr(c, metodo)(plantilla.format(folio), **kw)
        desconocida = getattr(c, metodo)(plantilla.format(inexistente), **kw)
        assert ajena.status_code == desconocida.status_code == 404
        assert ajena.content == desconocida.content
        assert ajena["Content-Type"] == desconocida["Content-Type"]
        es_error(ajena, "no_encontrada", 404)

    for ruta in ("/api/v1/solicitudes/{}", "/api/v1/solicitudes/{}/acuses/recepcion"):
        iguales(api_otro, "get", ruta)
    analista = personal("analista")
    iguales(analista, "get", ATENCION + "/{}/avisos")
    cuerpo = json.dumps({"nota": NOTA, "dias_habiles": 3})
    for accion in ("prorroga", "canalizacion"):
        iguales(
            analista,
            "post",
            ATENCION + "/{}/" + accion,
            data=cuerpo,
            content_type="application/json",
        )
    iguales(analista, "post", ATENCION + "/{}/respuesta", data={"texto": "x"})
    # And the foreign request was left exactly as it was.
    assert api.get(f"/api/v1/solicitudes/{folio}").json()["estatus"] == "recibido"


@pytest.mark.django_db(transaction=True)
def test_with_the_console_gateway_a_notice_reaches_enviado_within_seconds(
    settings, contribuyente_api, personal_transaccional
):
    settings.AVISOS_EN_PROCESO = True
    settings.AVISOS_SMS_PASARELA = "console"
    api = contribuyente_api()
    folio = presentar(api, telefono="5512345678")["folio"]
    supervisor = personal_transaccional("supervisor")
    actualizada(prorroga(supervisor, folio))

    limite = time.monotonic() + 10
    while True:
        r = supervisor.get(url(folio, "avisos"))
        assert r.status_code == 200
        avisos = r.json()["resultados"]
        if avisos and all(a["estado"] in ("enviado", "entregado") for a in avisos):
            break
        assert time.monotonic() < limite, avisos
        time.sleep(0.1)
    for a in avisos:
        # The contract's fields; the API may add others ("extend it freely").
        assert set(a) >= {"canal", "destino", "texto", "estado", "intentos", "creado", "enviado"}
        assert a["canal"] in ("sms", "email")
        assert isinstance(a["destino"], str) and isinstance(a["texto"], str) and a["texto"]
        assert isinstance(a["intentos"], int) and a["intentos"] >= 1
        datetime.fromisoformat(a["creado"])
        datetime.fromisoformat(a["enviado"])
    # Staff see the destination masked (the console gateway's file keeps it whole).
    assert any(a["canal"] == "sms" and a["destino"] == "55******78" for a in avisos), avisos
    assert not any("5512345678" in a["destino"] for a in avisos)


@pytest.fixture
def personal_transaccional(transactional_db, personal):
    return personal


@pytest.fixture(autouse=True)
def catalogo_si_falta(request):
    """A transactional test starts from a flushed database: seed the catalog as the
    data migration does."""
    if "transactional_db" in request.fixturenames:
        import_module("promociones.migrations.0002_catalogo").sembrar(apps, None)


def test_filing_from_a_staff_token_is_refused_and_creates_nothing(personal):
    supervisor = personal("supervisor")
    es_error(supervisor.post("/api/v1/solicitudes", datos_validos()), "solo_contribuyentes", 403)
    assert not Solicitud.objects.exists()
