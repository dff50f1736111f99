"""What one person can make the service spend: text bounded in code points as well as
in what a person sees, and a database that is locked or gone answered with a 503."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from atencion.services import anotar, responder
from atencion.tests.conftest import pdf_subido
from buzon.errores import ErrorDominio
from buzon.lib.texto import MAX_MARCAS_SEGUIDAS
from promociones.models import Solicitud
from promociones.tests.conftest import aclaracion, token_para, zip_subido

# Defect 1 as reported: 3,000 visible characters, each letter carrying 299 combining
# marks: 900,000 code points and 1.8 MB that once took 150 s of CPU per acuse download.
INUNDACION = ("e" + "\u0301" * 299) * 3000


def presentar_por_api(contribuyente, descripcion: str):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    return api.post(
        "/api/v1/solicitudes",
        {
            "servicio": "aclaracion",
            "asunto": "emisiones",
            "descripcion": descripcion,
            "telefono": "5512345678",
            "evidencia": zip_subido(),
        },
    )


@pytest.mark.django_db
def test_the_reported_combining_mark_flood_is_refused_quickly_and_stores_nothing(
    contribuyente,
):
    assert len(INUNDACION) == 900_000
    inicio = time.perf_counter()
    respuesta = presentar_por_api(contribuyente, INUNDACION)
    assert time.perf_counter() - inicio < 2.0
    assert respuesta.status_code == 400
    assert respuesta.json()["codigo"] == "descripcion_muy_larga"
    assert Solicitud.objects.count() == 0


@pytest.mark.django_db
def test_few_letters_with_too_many_marks_are_refused(contribuyente):
    descripcion = "Solicito aclaración " + "a" + "\u0301" * (MAX_MARCAS_SEGUIDAS + 1)
    respuesta = presentar_por_api(contribuyente, descripcion)
    assert respuesta.json()["codigo"] == "descripcion_muy_larga"
    assert "demasiados acentos o marcas combinadas" in respuesta.json()["mensaje"]


@pytest.mark.django_db
def test_accents_written_apart_and_emoji_still_fit(contribuyente):
    # 3,999 visible characters: decomposed accents (2 code points) and ZWJ families (5).
    descripcion = ("e\u0301" + "\U0001f468\u200d\U0001f469\u200d\U0001f467" + "ñ") * 1333
    respuesta = presentar_por_api(contribuyente, descripcion)
    assert respuesta.status_code == 201, respuesta.content


@pytest.mark.django_db
def test_bidi_overrides_never_reach_the_stored_description(contribuyente):
    respuesta = presentar_por_api(contribuyente, "Pago de factura\u202egpj.exe del mes")
    assert respuesta.status_code == 201
    assert Solicitud.objects.get().descripcion == "Pago de facturagpj.exe del mes"


@pytest.mark.django_db
def test_staff_texts_that_reach_a_pdf_or_a_page_are_bounded_too(solicitud, analista, supervisor):
    with pytest.raises(ErrorDominio) as nota:
        anotar(solicitud=solicitud, actor=supervisor, nota=INUNDACION)
    assert nota.value.codigo == "nota_muy_larga"
    with pytest.raises(ErrorDominio) as respuesta:
        responder(solicitud=solicitud, actor=analista, texto=INUNDACION, documento=pdf_subido())
    assert respuesta.value.codigo == "texto_muy_largo"


# ---------------------------------------------------------------- database gone or locked


@pytest.fixture
def base_inalcanzable():
    """The connection's next connect goes to a database that does not answer: a
    nonexistent SQLite file in a missing folder, or a PostgreSQL port nobody listens on."""
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/dir/buzon.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
        connection.settings_dict["HOST"] = "127.0.0.1"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_gone_is_a_503_with_retry_after(base_inalcanzable, caplog):
    cliente = Client(raise_request_exception=False)
    with caplog.at_level(logging.CRITICAL):
        api = cliente.get("/api/v1/catalogo", HTTP_AUTHORIZATION="Bearer x")
        pagina = cliente.get("/verificar/codigo-cualquiera")
    assert api.status_code == 503
    assert api.json()["codigo"] == "servicio_ocupado"
    assert int(api["Retry-After"]) > 0
    assert pagina.status_code == 503
    assert int(pagina["Retry-After"]) > 0
    assert "ocupado" in pagina.content.decode()


@pytest.fixture
def api_de_contribuyente(contribuyente) -> Client:
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}", raise_request_exception=False
    )


@pytest.fixture
def base_bloqueada(api_de_contribuyente):
    """Another connection holds the write lock on the requests' table while the
    service's own connection gives up waiting after 0.2 s (20 s in production)."""
    original = dict(connection.settings_dict)
    opciones = dict(original.get("OPTIONS") or {})
    otra: Any
    if connection.vendor == "sqlite":
        import sqlite3

        otra = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        otra.execute("BEGIN IMMEDIATE")
        opciones["timeout"] = 0.2
    else:
        import psycopg

        otra = psycopg.connect(
            host=original["HOST"] or None,
            port=original["PORT"] or None,
            user=original["USER"],
            password=original["PASSWORD"] or None,
            dbname=connection.settings_dict["NAME"],
        )
        otra.execute("LOCK TABLE promociones_solicitud IN ACCESS EXCLUSIVE MODE")
        opciones["options"] = "-c lock_timeout=200"
    connection.close()
    connection.settings_dict["OPTIONS"] = opciones
    try:
        yield
    finally:
        otra.rollback()
        otra.close()
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_a_database_locked_longer_than_its_wait_is_a_503_and_stores_nothing(
    api_de_contribuyente, base_bloqueada, almacen_por_prueba, caplog
):
    api = api_de_contribuyente
    with caplog.at_level(logging.CRITICAL):
        respuesta = api.post(
            "/api/v1/solicitudes",
            aclaracion(),
        )
    assert respuesta.status_code == 503, respuesta.content
    assert respuesta.json()["codigo"] == "servicio_ocupado"
    assert int(respuesta["Retry-After"]) > 0
    # The evidence stored before the transaction was removed when it failed.
    assert [p for p in almacen_por_prueba.rglob("*") if p.is_file()] == []
