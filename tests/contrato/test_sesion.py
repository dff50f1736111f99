"""The e.firma session of the JSON API: challenge, login, every error code, logout."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from efirma import emision
from efirma.tests.ayudas import alterar_firma, en, hace
from tests.contrato.conftest import entrar, es_error, pedir_reto, post_json

LISTA = "/api/v1/solicitudes"


def test_reto_is_201_with_its_id_text_and_expiry_within_five_minutes(db):
    antes = timezone.now()
    r = Client().post("/api/v1/sesion/reto")
    assert r.status_code == 201
    cuerpo = r.json()
    assert set(cuerpo) == {"reto_id", "reto", "expira"}
    assert all(isinstance(v, str) and v for v in cuerpo.values())
    expira = datetime.fromisoformat(cuerpo["expira"])
    assert antes < expira <= timezone.now() + timedelta(minutes=5)


def test_sesion_is_201_with_token_rfc_nombre_tipo_and_the_token_opens_the_api(db, emitir):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="MARÍA JOSÉ PEÑA NÚÑEZ", curp="PENJ800101MGTXXR05")
    r = entrar(Client(), efirma)
    assert r.status_code == 201, r.content
    assert r.json().keys() == {"token", "rfc", "nombre", "tipo"}
    assert r.json()["rfc"] == "PEÑJ800101LM6"
    assert r.json()["nombre"] == "MARÍA JOSÉ PEÑA NÚÑEZ"
    assert r.json()["tipo"] == "fisica"
    con_token = Client(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    assert con_token.get(LISTA).status_code == 200


def test_a_persona_moral_signs_through_its_representative(db, emitir):
    efirma = emitir(
        rfc="CSB050315K7A",
        nombre="CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV",
        rfc_representante="GOAL750620QR8",
        curp_representante="GOAL750620HGTMRS05",
    )
    r = entrar(Client(), efirma)
    assert r.status_code == 201, r.content
    assert (r.json()["rfc"], r.json()["tipo"]) == ("CSB050315K7A", "moral")


def test_delete_sesion_is_204_and_the_token_stops_working(api):
    assert api.get(LISTA).status_code == 200
    r = api.delete("/api/v1/sesion")
    assert r.status_code == 204
    es_error(api.get(LISTA), "no_autenticado", 401)


def test_a_reto_is_single_use(db, emitir):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="MARÍA PEÑA")
    reto = pedir_reto(Client())
    assert entrar(Client(), efirma, reto=reto).status_code == 201
    es_error(entrar(Client(), efirma, reto=reto), "reto_invalido", 400)


def test_an_unknown_or_expired_reto_is_reto_invalido(db, emitir, monkeypatch):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="MARÍA PEÑA")
    desconocido = {"reto_id": "no-existe", "reto": "BUZON-IMSS|x"}
    es_error(entrar(Client(), efirma, reto=desconocido), "reto_invalido", 400)

    reto = pedir_reto(Client())
    despues = datetime.fromisoformat(reto["expira"]) + timedelta(seconds=1)
    monkeypatch.setattr("cuentas.services.ahora", lambda: despues)
    es_error(entrar(Client(), efirma, reto=reto), "reto_invalido", 400)


def test_certificate_errors_have_their_codes(db, emitir, llaves):
    ajena = emision.crear_ca("AC Ajena", llave=llaves("ajena"))
    rfc = "PEÑJ800101LM6"
    casos = [
        ("certificado_no_confiable", emitir(rfc=rfc, nombre="M", emisor=ajena)),
        (
            "certificado_vencido",
            emitir(rfc=rfc, nombre="M", valido_desde=hace(30), valido_hasta=hace(1)),
        ),
        (
            "certificado_vencido",
            emitir(rfc=rfc, nombre="M", valido_desde=en(1), valido_hasta=en(30)),
        ),
        ("no_es_efirma", emitir(rfc=rfc, nombre="M", csd=True)),
    ]
    for codigo, efirma in casos:
        es_error(entrar(Client(), efirma), codigo, 400)

    buena = emitir(rfc=rfc, nombre="M")
    # The issuer's signature altered: the bytes still parse, the signature does not verify.
    alterada = type(buena)(alterar_firma(buena.der), buena.llave, rfc)
    es_error(entrar(Client(), alterada), "certificado_no_confiable", 400)
    basura = type(buena)(b"no es un certificado", buena.llave, rfc)
    es_error(entrar(Client(), basura), "certificado_invalido", 400)


def test_revoked_certificate_is_certificado_revocado(db, emitir, ca, settings, tmp_path):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="M", numero="30001000000500009999")
    crl = tmp_path / "sat.crl"
    crl.write_bytes(emision.crear_crl(ca, [emision.numero_a_serie("30001000000500009999")]))
    settings.EFIRMA_REVOCACION = "crl"
    settings.EFIRMA_CRL_FILE = str(crl)
    es_error(entrar(Client(), efirma), "certificado_revocado", 400)


def test_rfc_errors_and_a_wrong_signature_have_their_codes(db, emitir):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="M")
    es_error(entrar(Client(), efirma, rfc="NO-ES-RFC"), "rfc_invalido", 400)
    es_error(entrar(Client(), efirma, rfc="GOAL750620QR8"), "rfc_no_coincide", 400)
    reto = pedir_reto(Client())
    otra = efirma.firmar(reto["reto"] + "x")
    es_error(entrar(Client(), efirma, reto=reto, firma=otra), "firma_invalida", 400)


def test_repeated_failures_are_refused_with_429_demasiados_intentos(db, emitir, settings):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="M")
    for _ in range(settings.ACCESO_MAX_FALLOS):
        reto = pedir_reto(Client())
        r = entrar(Client(), efirma, reto=reto, firma=efirma.firmar("otro texto"))
        es_error(r, "firma_invalida", 400)
    es_error(entrar(Client(), efirma), "demasiados_intentos", 429)


def test_malformed_json_body_is_a_contract_error(db):
    r = Client().post("/api/v1/sesion", b"{no json", content_type="application/json")
    es_error(r, "json_invalido", 400)
    r = post_json(Client(), "/api/v1/sesion", ["una", "lista"])
    es_error(r, "json_invalido", 400)


def test_api_refusals_without_token_unknown_route_and_wrong_method_are_contract_errors(db):
    for r, codigo, status in [
        (Client().get(LISTA), "no_autenticado", 401),
        (Client(HTTP_AUTHORIZATION="Bearer inventado").get(LISTA), "no_autenticado", 401),
        (Client().get("/api/v1/no-existe"), "no_encontrado", 404),
        (Client().get("/api/v1/sesion/reto"), "metodo_no_permitido", 405),
        (Client().put("/api/v1/catalogo"), "metodo_no_permitido", 405),
    ]:
        es_error(r, codigo, status)
        assert r["Content-Type"] == "application/json" or "utf-8" in r["Content-Type"].lower()


def test_errors_carry_spanish_text_as_utf8_not_escapes(db, emitir):
    efirma = emitir(rfc="PEÑJ800101LM6", nombre="M")
    r = entrar(Client(), efirma, rfc="GOAL750620QR8")
    texto = r.content.decode("utf-8")
    assert "\\u" not in texto
    assert json.loads(texto)["mensaje"] == r.json()["mensaje"]
