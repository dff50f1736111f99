"""The JSON session API: every error code, the token's life, the audit rows, the limit."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.contrib.auth import get_user_model
from django.test import Client

from cuentas.models import Contribuyente, IntentoAcceso, TokenApi
from cuentas.tests.conftest import Efirma, Reloj, b64, entrar_api, pedir_reto, post_json
from efirma import emision
from efirma.emision import AutoridadCertificadora

pytestmark = pytest.mark.django_db


def codigo(r: Any) -> str:
    return str(r.json()["codigo"])


def test_reto_is_text_to_sign_with_an_id_and_an_expiry_within_five_minutes(client: Client):
    r = client.post("/api/v1/sesion/reto")
    assert r.status_code == 201
    datos = r.json()
    assert datos["reto"].startswith("BUZON-IMSS|")
    assert len(datos["reto_id"]) >= 20
    expira = datetime.fromisoformat(datos["expira"])
    assert timedelta(0) < expira - datetime.now(UTC) <= timedelta(minutes=5)


def test_login_gives_a_token_and_creates_the_taxpayer(client: Client, fisica: Efirma):
    r = entrar_api(client, fisica)
    assert r.status_code == 201, r.content
    datos = r.json()
    assert datos["rfc"] == "PEÑJ800101LM6"
    assert datos["nombre"] == "MARÍA JOSÉ PEÑA NÚÑEZ"
    assert datos["tipo"] == "fisica"
    c = Contribuyente.objects.get(rfc="PEÑJ800101LM6")
    assert c.curp == "PENJ800101MGTXXR05"
    assert c.usuario.username == "efirma:PEÑJ800101LM6"
    assert not c.usuario.has_usable_password()
    token = TokenApi.objects.get()
    assert token.clave_sha256 == TokenApi.hash_de(datos["token"])
    assert datos["token"] not in token.clave_sha256


def test_persona_moral_logs_in_with_the_company_rfc_and_keeps_the_representative(
    client: Client, moral: Efirma
):
    r = entrar_api(client, moral)
    assert r.status_code == 201, r.content
    assert r.json()["tipo"] == "moral"
    c = Contribuyente.objects.get(rfc="CSB050315K7A")
    assert c.rfc_representante == "GOAL750620QR8"
    assert c.curp_representante == "GOAL750620HGTMRS05"
    assert c.curp == ""


def test_representatives_own_rfc_does_not_open_the_company_session(client: Client, moral: Efirma):
    r = entrar_api(client, moral, rfc="GOAL750620QR8")
    assert r.status_code == 400
    assert codigo(r) == "rfc_no_coincide"


def test_a_new_certificate_updates_the_taxpayer_record(
    client: Client, fisica: Efirma, emitir: Callable[..., Efirma]
):
    assert entrar_api(client, fisica).status_code == 201
    nuevo = emitir(
        llave="fisica2",
        rfc="PEÑJ800101LM6",
        nombre="MARÍA JOSÉ PEÑA NÚÑEZ DE LA O",
        curp="PENJ800101MGTXXR05",
    )
    assert entrar_api(client, nuevo).status_code == 201
    c = Contribuyente.objects.get(rfc="PEÑJ800101LM6")
    assert c.nombre == "MARÍA JOSÉ PEÑA NÚÑEZ DE LA O"
    assert c.numero_certificado == x509_numero(nuevo.der)
    assert get_user_model().objects.filter(username="efirma:PEÑJ800101LM6").count() == 1


def x509_numero(der: bytes) -> str:
    serie = x509.load_der_x509_certificate(der).serial_number
    return serie.to_bytes((serie.bit_length() + 7) // 8, "big").decode("ascii")


@pytest.mark.parametrize(
    ("caso", "esperado"),
    [
        ("vencido", "certificado_vencido"),
        ("futuro", "certificado_vencido"),
        ("ajeno", "certificado_no_confiable"),
        ("alterado", "certificado_no_confiable"),
        ("csd", "no_es_efirma"),
    ],
)
def test_certificate_problems_answer_their_code(
    client: Client,
    emitir: Callable[..., Efirma],
    ca_ajena: AutoridadCertificadora,
    caso: str,
    esperado: str,
):
    ahora = datetime.now(UTC)
    kw: dict[str, Any] = {"rfc": "PEÑJ800101LM6", "nombre": "MARÍA JOSÉ PEÑA NÚÑEZ"}
    if caso == "vencido":
        kw |= {"valido_desde": ahora - timedelta(days=800), "valido_hasta": ahora - timedelta(1)}
    elif caso == "futuro":
        kw |= {"valido_desde": ahora + timedelta(days=1), "valido_hasta": ahora + timedelta(9)}
    elif caso == "ajeno":
        kw["emisor"] = ca_ajena
    elif caso == "csd":
        kw |= {"csd": True}
    efirma = emitir(**kw)
    if caso == "alterado":
        der = efirma.der[:-10] + bytes([efirma.der[-10] ^ 0x01]) + efirma.der[-9:]
        efirma = Efirma(der, efirma.llave, efirma.rfc)
    r = entrar_api(client, efirma)
    assert r.status_code == 400
    assert codigo(r) == esperado
    assert r.json()["mensaje"]
    assert not Contribuyente.objects.exists()


def test_revoked_certificate_by_crl(
    client: Client, settings: Any, tmp_path: Any, fisica: Efirma, ca: AutoridadCertificadora
):
    serie = x509.load_der_x509_certificate(fisica.der).serial_number
    crl = tmp_path / "ca.crl"
    crl.write_bytes(emision.crear_crl(ca, [serie]))
    settings.EFIRMA_REVOCACION = "crl"
    settings.EFIRMA_CRL_FILE = str(crl)
    r = entrar_api(client, fisica)
    assert r.status_code == 400
    assert codigo(r) == "certificado_revocado"
    crl.write_bytes(emision.crear_crl(ca, [], numero=2))
    assert entrar_api(client, fisica).status_code == 201


def test_wrong_rfc_and_invalid_rfc(client: Client, fisica: Efirma):
    r = entrar_api(client, fisica, rfc="GOAL750620QR8")
    assert (r.status_code, codigo(r)) == (400, "rfc_no_coincide")
    r = entrar_api(client, fisica, rfc="NO-ES-RFC")
    assert (r.status_code, codigo(r)) == (400, "rfc_invalido")


def test_signature_by_another_key_or_of_another_text_is_refused(
    client: Client, fisica: Efirma, moral: Efirma
):
    reto = pedir_reto(client)
    r = entrar_api(client, fisica, reto=reto, firma=moral.firmar(reto["reto"]))
    assert (r.status_code, codigo(r)) == (400, "firma_invalida")
    r = entrar_api(client, fisica, firma=fisica.firmar("otro texto"))
    assert (r.status_code, codigo(r)) == (400, "firma_invalida")


def test_a_reto_is_single_use_even_after_a_success(client: Client, fisica: Efirma):
    reto = pedir_reto(client)
    assert entrar_api(client, fisica, reto=reto).status_code == 201
    r = entrar_api(client, fisica, reto=reto)
    assert (r.status_code, codigo(r)) == (400, "reto_invalido")


def test_a_failed_attempt_also_uses_up_the_reto(client: Client, fisica: Efirma):
    reto = pedir_reto(client)
    assert entrar_api(client, fisica, reto=reto, rfc="GOAL750620QR8").status_code == 400
    r = entrar_api(client, fisica, reto=reto)
    assert codigo(r) == "reto_invalido"


def test_an_expired_reto_is_refused(client: Client, fisica: Efirma, reloj: Reloj):
    reto = pedir_reto(client)
    reloj.avanzar(seconds=5 * 60 + 1)
    r = entrar_api(client, fisica, reto=reto)
    assert (r.status_code, codigo(r)) == (400, "reto_invalido")


def test_expired_retos_are_cleared_so_asking_for_many_cannot_grow_the_table(
    client: Client, reloj: Reloj
):
    from cuentas.models import Reto

    for _ in range(5):
        pedir_reto(client)
    reloj.avanzar(minutes=30)
    reciente = pedir_reto(client)
    assert Reto.objects.count() == 6  # expired, but less than an hour ago: kept
    reloj.avanzar(minutes=36)  # the first five expired more than an hour ago
    pedir_reto(client)
    assert Reto.objects.count() == 2
    assert Reto.objects.filter(reto_id=reciente["reto_id"]).exists()


def test_an_unknown_reto_is_refused(client: Client, fisica: Efirma):
    r = entrar_api(client, fisica, reto={"reto_id": "inventado", "reto": "BUZON-IMSS|x"})
    assert codigo(r) == "reto_invalido"


@pytest.mark.parametrize(
    ("cambio", "esperado"),
    [
        ({"certificado": "esto no es base64!"}, "base64_invalido"),
        ({"firma": "%%%"}, "base64_invalido"),
        ({"certificado": b64(b"no soy un certificado")}, "certificado_invalido"),
        ({"rfc": ""}, "campo_requerido"),
        ({"reto_id": None}, "campo_requerido"),
        ({"firma": 12}, "campo_requerido"),
    ],
)
def test_garbage_input_answers_a_code_and_creates_nothing(
    client: Client, fisica: Efirma, cambio: dict[str, Any], esperado: str
):
    reto = pedir_reto(client)
    datos = {
        "rfc": fisica.rfc,
        "certificado": b64(fisica.der),
        "reto_id": reto["reto_id"],
        "firma": b64(fisica.firmar(reto["reto"])),
    } | cambio
    r = post_json(client, "/api/v1/sesion", datos)
    assert (r.status_code, codigo(r)) == (400, esperado)
    assert not Contribuyente.objects.exists()
    assert not TokenApi.objects.exists()


def test_a_body_that_is_not_json_object(client: Client):
    r = client.post("/api/v1/sesion", "[1,2]", content_type="application/json")
    assert (r.status_code, codigo(r)) == (400, "json_invalido")
    r = client.post("/api/v1/sesion", b"\xff", content_type="application/json")
    assert codigo(r) == "json_invalido"


def test_every_attempt_leaves_an_audit_row(client: Client, fisica: Efirma):
    entrar_api(client, fisica, rfc="GOAL750620QR8", REMOTE_ADDR="198.51.100.7")
    entrar_api(client, fisica, REMOTE_ADDR="198.51.100.7")
    filas = list(IntentoAcceso.objects.order_by("pk"))
    numero = x509_numero(fisica.der)
    assert [(f.rfc, f.resultado, f.exitoso) for f in filas] == [
        ("GOAL750620QR8", "rfc_no_coincide", False),
        ("PEÑJ800101LM6", "ok", True),
    ]
    assert all(f.direccion == "198.51.100.7" and f.canal == "api" for f in filas)
    assert all(f.numero_certificado == numero for f in filas)


def _fallar(client: Client, efirma: Efirma, rfc: str, addr: str) -> Any:
    return entrar_api(client, efirma, rfc=rfc, REMOTE_ADDR=addr)


def test_failures_naming_a_victims_rfc_from_many_addresses_do_not_lock_the_victim(
    client: Client, fisica: Efirma
):
    """Defect 1: anyone could lock a taxpayer out by naming its RFC in ten bad logins."""
    for i in range(30):
        r = entrar_api(client, fisica, firma=b"x" * 256, REMOTE_ADDR=f"198.51.100.{i}")
        assert codigo(r) == "firma_invalida"
    for i in range(30):
        r = entrar_api(client, fisica, certificado=b"basura", REMOTE_ADDR=f"192.0.2.{i}")
        assert r.status_code == 400
    assert entrar_api(client, fisica, REMOTE_ADDR="203.0.113.9").status_code == 201


def test_ten_failures_from_one_address_for_one_rfc_lock_that_pair_until_the_window_passes(
    client: Client, fisica: Efirma, reloj: Reloj
):
    for _ in range(10):
        r = entrar_api(client, fisica, firma=b"x" * 256, REMOTE_ADDR="198.51.100.40")
        assert codigo(r) == "firma_invalida"
    r = entrar_api(client, fisica, REMOTE_ADDR="198.51.100.40")
    assert (r.status_code, codigo(r)) == (429, "demasiados_intentos")
    assert IntentoAcceso.objects.filter(resultado="demasiados_intentos").count() == 1
    # The same RFC from elsewhere is not affected.
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.41").status_code == 201
    reloj.avanzar(minutes=14)
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.40").status_code == 429
    reloj.avanzar(minutes=1, seconds=1)
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.40").status_code == 201


def test_the_pair_limit_leaves_other_rfcs_from_that_address_until_the_address_limit(
    client: Client, fisica: Efirma, moral: Efirma, reloj: Reloj, settings: Any
):
    settings.ACCESO_MAX_FALLOS_DIRECCION = 25
    for _ in range(10):
        entrar_api(client, moral, rfc="GOAL750620QR8", REMOTE_ADDR="198.51.100.50")
    r = entrar_api(client, moral, rfc="GOAL750620QR8", REMOTE_ADDR="198.51.100.50")
    assert (r.status_code, codigo(r)) == (429, "demasiados_intentos")
    # Another RFC from the same address still gets in...
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.50").status_code == 201
    assert entrar_api(client, moral, REMOTE_ADDR="198.51.100.50").status_code == 201
    # ...until the address as a whole reaches its own limit (25 failures).
    for i in range(15):
        r = entrar_api(client, moral, rfc=f"XAXX0101010{i:02d}"[:13], REMOTE_ADDR="198.51.100.50")
        assert r.status_code == 400, r.content
    r = entrar_api(client, fisica, REMOTE_ADDR="198.51.100.50")
    assert (r.status_code, codigo(r)) == (429, "demasiados_intentos")
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.51").status_code == 201
    reloj.avanzar(minutes=15, seconds=1)
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.50").status_code == 201


def test_an_ipv6_client_cannot_rotate_through_its_64(client: Client, fisica: Efirma):
    for n in range(10):
        entrar_api(client, fisica, firma=b"x" * 256, REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    r = entrar_api(client, fisica, REMOTE_ADDR="2001:db8:1:2::ff")
    assert (r.status_code, codigo(r)) == (429, "demasiados_intentos")
    assert entrar_api(client, fisica, REMOTE_ADDR="2001:db8:1:3::1").status_code == 201


def test_nine_failures_do_not_lock(client: Client, fisica: Efirma):
    for _ in range(9):
        entrar_api(client, fisica, rfc="GOAL750620QR8", REMOTE_ADDR="198.51.100.60")
    assert entrar_api(client, fisica, REMOTE_ADDR="198.51.100.60").status_code == 201


def _token(client: Client, efirma: Efirma) -> str:
    r = entrar_api(client, efirma)
    assert r.status_code == 201, r.content
    return str(r.json()["token"])


def _protegido(token: str | None) -> Any:
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(**extra).get("/api/v1/solicitudes")


def test_token_works_and_delete_stops_it(client: Client, fisica: Efirma):
    token = _token(client, fisica)
    assert _protegido(token).status_code == 200
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").delete("/api/v1/sesion")
    assert r.status_code == 204
    r = _protegido(token)
    assert (r.status_code, codigo(r)) == (401, "no_autenticado")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").delete("/api/v1/sesion")
    assert r.status_code == 401


def test_no_token_or_unknown_token_is_401(client: Client):
    assert codigo(_protegido(None)) == "no_autenticado"
    assert _protegido("inventado").status_code == 401


def test_a_browser_session_does_not_authenticate_the_api(client: Client, fisica: Efirma):
    _token(client, fisica)
    client.force_login(Contribuyente.objects.get().usuario)
    assert client.get("/api/v1/solicitudes").status_code == 401


def test_session_token_expires_after_15_idle_minutes(client: Client, fisica: Efirma, reloj: Reloj):
    token = _token(client, fisica)
    reloj.avanzar(minutes=14)
    assert _protegido(token).status_code == 200
    reloj.avanzar(minutes=14)  # 28 minutes after login, 14 after the last use
    assert _protegido(token).status_code == 200
    reloj.avanzar(minutes=15, seconds=1)
    assert _protegido(token).status_code == 401


def test_session_token_expires_after_8_hours_however_active(
    client: Client, fisica: Efirma, reloj: Reloj
):
    token = _token(client, fisica)
    for _ in range(8 * 6 - 1):
        reloj.avanzar(minutes=10)
        assert _protegido(token).status_code == 200
    reloj.avanzar(minutes=10, seconds=1)
    assert _protegido(token).status_code == 401


def test_a_taxpayers_own_script_logs_in_with_the_sat_key_file(
    client: Client, fisica: Efirma, tmp_path: Any
):
    # What a taxpayer's program does with its .cer and .key and the cryptography package.
    (tmp_path / "mia.key").write_bytes(emision.llave_sat_der(fisica.llave, "Contraseña1"))
    (tmp_path / "mia.cer").write_bytes(fisica.der)
    llave = serialization.load_der_private_key(
        (tmp_path / "mia.key").read_bytes(), password="Contraseña1".encode()
    )
    assert isinstance(llave, rsa.RSAPrivateKey)
    reto = client.post("/api/v1/sesion/reto").json()
    firma = llave.sign(reto["reto"].encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    r = post_json(
        client,
        "/api/v1/sesion",
        {
            "rfc": "PEÑJ800101LM6",
            "certificado": base64.b64encode((tmp_path / "mia.cer").read_bytes()).decode(),
            "reto_id": reto["reto_id"],
            "firma": base64.b64encode(firma).decode(),
        },
    )
    assert r.status_code == 201, r.content
    token = r.json()["token"]
    assert _protegido(token).status_code == 200
