"""The catalog and the taxpayer's requests through the JSON API, as CONTRACT.md says."""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from acuses.models import Acuse
from avisos.models import Aviso
from promociones.models import Evento, Evidencia, Solicitud
from tests.contrato.conftest import archivos_en, contenido, es_error, zip_bytes

LISTA = "/api/v1/solicitudes"
SERVICIO = ["clave", "nombre", "requiere_telefono", "requiere_evidencia", "plazo_dias_habiles"]
ASUNTO = ["clave", "nombre", "servicios", "recomendaciones"]
SOLICITUD = [
    "folio",
    "servicio",
    "asunto",
    "descripcion",
    "telefono",
    "estatus",
    "estatus_texto",
    "recibida",
    "respuesta_a_partir_del",
    "fecha_respuesta_o_canalizacion",
    "canalizada",
    "evidencia",
]
ESTATUS = {"recibido", "en_prorroga", "canalizado", "atendido"}


def evidencia(nombre: str = "evidencia.zip", datos: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, zip_bytes() if datos is None else datos)


def datos_validos(**cambios: object) -> dict[str, object]:
    datos: dict[str, object] = {
        "servicio": "aclaracion",
        "asunto": "emisiones",
        "descripcion": "No se refleja mi pago de cuotas del bimestre 2026-01. Año 2026.",
        "telefono": "5512345678",
        "evidencia": evidencia(),
    }
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def presentar(api: Client, **cambios: object) -> dict:
    r = api.post(LISTA, datos_validos(**cambios))
    assert r.status_code == 201, r.content
    return r.json()


def es_solicitud(s: dict) -> None:
    """Every key of the contract's solicitud, with its type."""
    assert set(SOLICITUD) <= set(s), set(SOLICITUD) - set(s)
    for clave in ("folio", "servicio", "asunto", "descripcion", "telefono", "estatus_texto"):
        assert isinstance(s[clave], str), clave
    assert s["estatus"] in ESTATUS
    assert datetime.fromisoformat(s["recibida"]).tzinfo is not None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["respuesta_a_partir_del"])
    date.fromisoformat(s["respuesta_a_partir_del"])
    if s["fecha_respuesta_o_canalizacion"] is not None:
        date.fromisoformat(s["fecha_respuesta_o_canalizacion"])
    if s["canalizada"] is not None:
        date.fromisoformat(s["canalizada"])
    if s["evidencia"] is not None:
        assert set(s["evidencia"]) >= {"nombre", "bytes", "sha256"}
        assert isinstance(s["evidencia"]["nombre"], str)
        assert isinstance(s["evidencia"]["bytes"], int)
        assert re.fullmatch(r"[0-9a-f]{64}", s["evidencia"]["sha256"])


def test_catalog_needs_no_login_and_has_the_contract_shape(db):
    r = Client().get("/api/v1/catalogo")
    assert r.status_code == 200
    cuerpo = r.json()
    assert set(cuerpo) >= {"servicios", "asuntos"}
    assert sorted(s["clave"] for s in cuerpo["servicios"]) == ["aclaracion", "orientacion"]
    for s in cuerpo["servicios"]:
        assert set(SERVICIO) <= set(s)
        assert isinstance(s["nombre"], str) and s["nombre"]
        assert isinstance(s["requiere_telefono"], bool)
        assert isinstance(s["requiere_evidencia"], bool)
        assert isinstance(s["plazo_dias_habiles"], int) and s["plazo_dias_habiles"] > 0
    claves = set()
    for a in cuerpo["asuntos"]:
        assert set(ASUNTO) <= set(a)
        assert isinstance(a["nombre"], str) and a["nombre"]
        assert isinstance(a["recomendaciones"], str)
        assert set(a["servicios"]) <= {"aclaracion", "orientacion"}
        claves.add(a["clave"])
    assert {
        "32d-opinion-publica",
        "32d-terceros-autorizados",
        "activacion-buzon",
        "emisiones",
        "icsoe",
        "notificacion-electronica",
    } <= claves


def test_filing_answers_201_with_a_solicitud_its_recepcion_acuse_and_history(api):
    s = presentar(api)
    es_solicitud(s)
    assert s["estatus"] == "recibido"
    assert (s["servicio"], s["asunto"], s["telefono"]) == ("aclaracion", "emisiones", "5512345678")
    assert s["descripcion"].endswith("Año 2026.")
    assert s["evidencia"]["nombre"] == "evidencia.zip"
    assert s["evidencia"]["bytes"] == len(zip_bytes())
    assert s["fecha_respuesta_o_canalizacion"] is None
    assert s["canalizada"] is None

    detalle = api.get(f"{LISTA}/{s['folio']}").json()
    es_solicitud(detalle)
    assert [a["tipo"] for a in detalle["acuses"]] == ["recepcion"]
    acuse = detalle["acuses"][0]
    assert set(acuse) >= {"tipo", "emitido", "codigo_verificacion", "url"}
    datetime.fromisoformat(acuse["emitido"])
    assert detalle["historial"] and all(
        set(e) >= {"evento", "fecha"} and datetime.fromisoformat(e["fecha"])
        for e in detalle["historial"]
    )
    pdf = api.get(acuse["url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert contenido(pdf).startswith(b"%PDF-")


def test_orientacion_follows_the_catalog_for_phone_and_evidence(api):
    catalogo = {s["clave"]: s for s in Client().get("/api/v1/catalogo").json()["servicios"]}
    orientacion = catalogo["orientacion"]
    s = presentar(
        api,
        servicio="orientacion",
        asunto="icsoe",
        telefono=None if not orientacion["requiere_telefono"] else "5512345678",
        evidencia=None if not orientacion["requiere_evidencia"] else evidencia(),
    )
    es_solicitud(s)
    assert s["servicio"] == "orientacion"


def zip_que_escapa() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../fuera.txt", b"x")
    return buffer.getvalue()


def zip_de(total: int) -> bytes:
    """A valid (stored) zip of exactly ``total`` bytes."""
    vacio = len(_almacenado(b""))
    datos = _almacenado(b"\0" * (total - vacio))
    assert len(datos) == total
    return datos


def _almacenado(contenido: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr("relleno.bin", contenido)
    return buffer.getvalue()


def requiere(servicio: str, campo: str) -> bool:
    catalogo = {s["clave"]: s for s in Client().get("/api/v1/catalogo").json()["servicios"]}
    return bool(catalogo[servicio][f"requiere_{campo}"])


CASOS = [
    ("servicio_invalido", 400, {"servicio": "queja"}),
    ("servicio_invalido", 400, {"servicio": None}),
    ("asunto_invalido", 400, {"asunto": "no-existe"}),
    ("asunto_invalido", 400, {"asunto": None}),
    ("descripcion_requerida", 400, {"descripcion": "  \n "}),
    ("descripcion_muy_larga", 400, {"descripcion": "ñ" * 4001}),
    ("telefono_requerido", 400, {"telefono": ""}),
    ("telefono_invalido", 400, {"telefono": "123"}),
    ("evidencia_requerida", 400, {"evidencia": None}),
    ("evidencia_no_zip", 400, {"evidencia": evidencia("pago.pdf", b"%PDF-1.7\n")}),
    ("evidencia_no_zip", 400, {"evidencia": evidencia("pago.zip", b"esto no es zip" * 50)}),
    ("evidencia_peligrosa", 400, {"evidencia": evidencia("e.zip", zip_que_escapa())}),
    ("evidencia_muy_grande", 413, {"evidencia": evidencia("e.zip", zip_de(10 * 1024 * 1024))}),
]


@pytest.mark.parametrize(("codigo", "status", "cambios"), CASOS, ids=[c[0] for c in CASOS])
def test_a_refused_filing_has_its_code_and_creates_nothing(api, entorno, codigo, status, cambios):
    if codigo.startswith(("telefono_requerido", "evidencia_requerida")):
        assert requiere("aclaracion", codigo.split("_")[0])
    archivo = cambios.get("evidencia")
    if archivo is not None:
        archivo.seek(0)  # parametrize shares the file object between runs
    es_error(api.post(LISTA, datos_validos(**cambios)), codigo, status)
    assert api.get(LISTA).json()["total"] == 0
    for modelo in (Solicitud, Evidencia, Evento, Acuse, Aviso):
        assert not modelo.objects.exists(), modelo
    assert archivos_en(entorno) == []


def test_evidence_just_under_ten_megabytes_is_accepted(api):
    s = presentar(api, evidencia=evidencia("e.zip", zip_de(10 * 1024 * 1024 - 1)))
    assert s["evidencia"]["bytes"] == 10 * 1024 * 1024 - 1


def test_list_is_newest_first_filters_and_pages_cover_every_request(api, api_otro):
    creadas = [presentar(api, asunto="emisiones")["folio"] for _ in range(19)]
    creadas += [presentar(api, asunto="icsoe")["folio"] for _ in range(2)]
    presentar(api_otro)  # another taxpayer's request never appears

    primera = api.get(LISTA).json()
    assert set(primera) >= {"resultados", "total", "pagina", "paginas"}
    assert (primera["total"], primera["pagina"]) == (21, 1)
    por_pagina = len(primera["resultados"])
    assert primera["paginas"] == math.ceil(21 / por_pagina)
    vistas = []
    for n in range(1, primera["paginas"] + 1):
        pagina = api.get(LISTA, {"pagina": n}).json()
        assert pagina["pagina"] == n
        for s in pagina["resultados"]:
            es_solicitud(s)
        vistas += [s["folio"] for s in pagina["resultados"]]
    assert vistas == list(reversed(creadas))

    icsoe = api.get(LISTA, {"asunto": "icsoe"}).json()
    assert [s["folio"] for s in icsoe["resultados"]] == list(reversed(creadas[-2:]))
    assert icsoe["total"] == 2
    assert api.get(LISTA, {"estatus": "atendido"}).json()["total"] == 0
    assert api.get(LISTA, {"estatus": "recibido"}).json()["total"] == 21

    dia = date.fromisoformat(primera["resultados"][0]["recibida"][:10])
    antes, despues = (dia - timedelta(days=1)).isoformat(), (dia + timedelta(days=1)).isoformat()
    assert api.get(LISTA, {"recibida_desde": dia.isoformat()}).json()["total"] == 21
    assert api.get(LISTA, {"recibida_hasta": dia.isoformat()}).json()["total"] == 21
    assert api.get(LISTA, {"recibida_hasta": antes}).json()["total"] == 0
    assert api.get(LISTA, {"recibida_desde": despues}).json()["total"] == 0


def test_bad_list_filters_are_contract_errors(api):
    for parametros, codigo in (
        ({"estatus": "perdido"}, "estatus_invalido"),
        ({"recibida_desde": "02/03/2026"}, "fecha_invalida"),
        ({"pagina": "0"}, "pagina_invalida"),
    ):
        es_error(api.get(LISTA, parametros), codigo, 400)
