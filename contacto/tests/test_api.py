"""GET/PUT/POST/DELETE /api/v1/medios…: the contract's contact means."""

from __future__ import annotations

import json

import pytest

from atencion.tests.conftest import api_contribuyente, api_de
from contacto.tests.conftest import codigo_enviado, otro_codigo

pytestmark = pytest.mark.django_db


def enviar(cliente, metodo: str, ruta: str, datos: dict | None = None):
    return getattr(cliente, metodo)(
        f"/api/v1/{ruta}",
        data=json.dumps(datos or {}),
        content_type="application/json",
    )


def test_register_and_confirm_a_phone_and_an_address(contribuyente):
    api = api_contribuyente(contribuyente)
    assert api.get("/api/v1/medios").json() == {
        "telefono": None,
        "telefono_por_confirmar": None,
        "correos": [],
    }
    r = enviar(api, "put", "medios/telefono", {"numero": "55 8765 4321"})
    assert r.status_code == 201
    assert r.json()["telefono"] == {"numero": "5587654321", "confirmado": False}
    r = enviar(
        api, "post", "medios/telefono/confirmacion", {"codigo": codigo_enviado("5587654321")}
    )
    assert r.status_code == 200
    assert r.json()["telefono"] == {"numero": "5587654321", "confirmado": True}

    r = enviar(api, "post", "medios/correos", {"direccion": "maria@dominio.mx"})
    assert r.status_code == 201
    r = enviar(
        api,
        "post",
        "medios/correos/confirmacion",
        {"direccion": "maria@dominio.mx", "codigo": codigo_enviado("maria@dominio.mx")},
    )
    assert r.json()["correos"] == [{"direccion": "maria@dominio.mx", "confirmado": True}]
    assert api.delete("/api/v1/medios/correos/maria@dominio.mx").status_code == 204
    assert api.get("/api/v1/medios").json()["correos"] == []
    assert api.delete("/api/v1/medios/correos/maria@dominio.mx").json()["codigo"] == (
        "no_encontrado"
    )


@pytest.mark.parametrize(
    ("metodo", "ruta", "datos", "codigo", "status"),
    [
        ("put", "medios/telefono", {"numero": "123"}, "telefono_invalido", 400),
        ("put", "medios/telefono", {"numero": ["5512345678"]}, "telefono_invalido", 400),
        ("post", "medios/correos", {"direccion": "no-es-correo"}, "correo_invalido", 400),
        ("post", "medios/telefono/confirmacion", {"codigo": "123456"}, "codigo_invalido", 400),
    ],
)
def test_errors_have_the_contract_shape(contribuyente, metodo, ruta, datos, codigo, status):
    r = enviar(api_contribuyente(contribuyente), metodo, ruta, datos)
    assert r.status_code == status
    assert r.json()["codigo"] == codigo
    assert r.json()["mensaje"]


def test_five_wrong_codes_answer_429(contribuyente):
    api = api_contribuyente(contribuyente)
    enviar(api, "put", "medios/telefono", {"numero": "5587654321"})
    malo = otro_codigo(codigo_enviado("5587654321"))
    estados = [
        enviar(api, "post", "medios/telefono/confirmacion", {"codigo": malo}).status_code
        for _ in range(6)
    ]
    assert estados == [400, 400, 400, 400, 400, 429]


def test_sixth_address_is_refused(contribuyente):
    api = api_contribuyente(contribuyente)
    for i in range(5):
        assert enviar(api, "post", "medios/correos", {"direccion": f"c{i}@d.mx"}).status_code == 201
    r = enviar(api, "post", "medios/correos", {"direccion": "c5@d.mx"})
    assert r.json()["codigo"] == "limite_de_correos"


def test_means_are_per_rfc_another_taxpayer_sees_none(contribuyente, otro_contribuyente):
    enviar(api_contribuyente(contribuyente), "put", "medios/telefono", {"numero": "5587654321"})
    otro = api_contribuyente(otro_contribuyente)
    assert otro.get("/api/v1/medios").json()["telefono"] is None
    # The other taxpayer cannot confirm it with the right code either.
    r = enviar(
        otro, "post", "medios/telefono/confirmacion", {"codigo": codigo_enviado("5587654321")}
    )
    assert r.json()["codigo"] == "codigo_invalido"


def test_staff_and_anonymous_are_refused(supervisor):
    assert api_de(supervisor).get("/api/v1/medios").json()["codigo"] == "solo_contribuyentes"
    from django.test import Client

    assert Client().get("/api/v1/medios").status_code == 401
