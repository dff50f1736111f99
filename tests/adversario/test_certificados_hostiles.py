"""Hostile certificates: each gets an e.firma verdict, quickly, never an exception.

A login is unauthenticated: whatever bytes arrive as ``certificado`` are parsed before
anything else is known, so a malformed, huge or cunning certificate must end in an
``ErrorEfirma`` within a second, and through ``POST /api/v1/sesion`` in a 4xx JSON.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import Client
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5280

from efirma import emision
from efirma.confianza import AlmacenConfianza
from efirma.emision import AutoridadCertificadora
from efirma.errores import ErrorEfirma
from efirma.revocacion import SinRevocacion
from efirma.tests.ayudas import PoolLlaves
from efirma.verificacion import verificar_acceso

RFC = "PEÑM800101AB9"
MENSAJE = b"Reto de prueba"
# CPU seconds of this process (not wall time, which a busy CI machine inflates).
LIMITE_SEGUNDOS = 1.0
OID_MD5_RSA = "1.2.840.113549.1.1.4"
OID_SHA1_RSA = "1.2.840.113549.1.1.5"

Llave = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | dsa.DSAPrivateKey


@pytest.fixture(scope="module")
def llaves() -> PoolLlaves:
    return PoolLlaves()


@pytest.fixture(scope="module")
def ca(llaves: PoolLlaves) -> AutoridadCertificadora:
    return emision.crear_ca("AC de Pruebas Adversarias", llave=llaves("ca"))


@pytest.fixture(scope="module")
def almacen(ca: AutoridadCertificadora) -> AlmacenConfianza:
    return AlmacenConfianza([ca.certificado_der])


def _atributo(oid: x509.ObjectIdentifier, valor: str) -> x509.NameAttribute:
    with warnings.catch_warnings():
        # Oversized values are the point: cryptography only warns about them.
        warnings.simplefilter("ignore", UserWarning)
        return x509.NameAttribute(oid, valor, _ASN1Type.UTF8String, _validate=False)


def sujeto_sat(nombre: str = "MARÍA PEÑA NÚÑEZ", rfc: str = RFC) -> x509.Name:
    return x509.Name(
        [
            _atributo(NameOID.COMMON_NAME, nombre),
            _atributo(NameOID.X500_UNIQUE_IDENTIFIER, rfc),
            _atributo(NameOID.SERIAL_NUMBER, "PENM800101MDFXXR09"),
        ]
    )


def uso_efirma(**cambios: bool) -> x509.KeyUsage:
    usos = {
        "digital_signature": True,
        "content_commitment": True,
        "key_encipherment": False,
        "data_encipherment": True,
        "key_agreement": True,
        "key_cert_sign": False,
        "crl_sign": False,
        "encipher_only": False,
        "decipher_only": False,
    }
    usos.update(cambios)
    return x509.KeyUsage(**usos)


def certificado(
    emisor_nombre: x509.Name,
    firmante: Llave,
    publica: Any,
    *,
    sujeto: x509.Name | None = None,
    ca: bool = False,
    usos: x509.KeyUsage | None = None,
    extras: tuple[x509.ExtensionType, ...] = (),
) -> bytes:
    ahora = datetime.now(UTC)
    constructor = (
        x509.CertificateBuilder()
        .subject_name(sujeto or sujeto_sat())
        .issuer_name(emisor_nombre)
        .public_key(publica)
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - timedelta(hours=1))
        .not_valid_after(ahora + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usos or uso_efirma(), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    )
    for extra in extras:
        constructor = constructor.add_extension(extra, critical=False)
    return constructor.sign(firmante, hashes.SHA256()).public_bytes(Encoding.DER)


def refirmar(
    der: bytes,
    llave_ca: rsa.RSAPrivateKey,
    *,
    oid_algoritmo: str | None = None,
    hash_firma: hashes.HashAlgorithm | None = None,
    cambiar: Callable[[Any], None] | None = None,
) -> bytes:
    """``der`` rewritten below cryptography's builder (which refuses weak hashes and bad
    strings) and signed again by the CA, so only the rewritten part is wrong."""
    cert, _ = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    tbs = cert["tbsCertificate"]
    if cambiar is not None:
        cambiar(tbs)
    if oid_algoritmo is not None:
        tbs["signature"]["algorithm"] = univ.ObjectIdentifier(oid_algoritmo)
        cert["signatureAlgorithm"]["algorithm"] = univ.ObjectIdentifier(oid_algoritmo)
    tbs_der = encoder.encode(tbs)
    firma = llave_ca.sign(tbs_der, padding.PKCS1v15(), hash_firma or hashes.SHA256())
    cert["signature"] = univ.BitString.fromOctetString(firma)
    return bytes(encoder.encode(cert))


def valor_del_cn(contenido_tlv: bytes) -> Callable[[Any], None]:
    """A change that puts ``contenido_tlv`` (tag, length and bytes) as the CN's value."""

    def cambiar(tbs: Any) -> None:
        for rdn in tbs["subject"]["rdnSequence"]:
            for atv in rdn:
                if str(atv["type"]) == "2.5.4.3":
                    atv["value"] = rfc5280.AttributeValue(contenido_tlv)

    return cambiar


def tlv(etiqueta: int, contenido: bytes) -> bytes:
    largo = len(contenido)
    if largo < 0x80:
        return bytes([etiqueta, largo]) + contenido
    octetos = largo.to_bytes((largo.bit_length() + 7) // 8, "big")
    return bytes([etiqueta, 0x80 | len(octetos)]) + octetos + contenido


def veredicto(der: bytes, almacen: AlmacenConfianza, *, llave: Any = None, rfc: str = RFC) -> str:
    """The ErrorEfirma code ``verificar_acceso`` gives ``der``, timed."""
    firma = b"\x00" * 256
    if isinstance(llave, rsa.RSAPrivateKey):
        firma = llave.sign(MENSAJE, padding.PKCS1v15(), hashes.SHA256())
    inicio = time.process_time()
    with pytest.raises(ErrorEfirma) as error:
        verificar_acceso(
            rfc=rfc,
            certificado_der=der,
            mensaje=MENSAJE,
            firma=firma,
            almacen=almacen,
            revocacion=SinRevocacion(),
        )
    transcurrido = time.process_time() - inicio
    assert transcurrido < LIMITE_SEGUNDOS, f"el veredicto tardó {transcurrido:.2f} s"
    return error.value.codigo


@pytest.fixture(scope="module")
def hostiles(
    llaves: PoolLlaves, ca: AutoridadCertificadora
) -> dict[str, tuple[bytes, Any, set[str]]]:
    """name -> (DER, the holder's key, the verdicts that are right for it)."""
    titular = llaves("titular")
    nombre_ca = ca.certificado.subject
    bien = certificado(nombre_ca, ca.llave, titular.public_key())
    ecdsa = ec.generate_private_key(ec.SECP256R1())
    dsa_llave = dsa.generate_private_key(1024)  # noqa: S505 -- hostile on purpose, and fast
    casos: dict[str, tuple[bytes, Any, set[str]]] = {
        "basura": (b"\x30\x82\xff\xff" + b"\x00" * 64, None, {"certificado_invalido"}),
        "vacio": (b"", None, {"certificado_invalido"}),
        "truncado": (bien[: len(bien) // 2], None, {"certificado_invalido"}),
        "un_byte_menos": (bien[:-1], None, {"certificado_invalido"}),
        "bytes_sobrantes": (bien + b"\x00" * 16, None, {"certificado_invalido"}),
        "pem_basura": (
            b"-----BEGIN CERTIFICATE-----\n@@@\n-----END",
            None,
            {"certificado_invalido"},
        ),
        "extension_de_1_mb": (
            certificado(
                nombre_ca,
                ca.llave,
                titular.public_key(),
                extras=(
                    x509.UnrecognizedExtension(
                        x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x04" * 1_000_000
                    ),
                ),
            ),
            titular,
            {"certificado_invalido"},
        ),
        "sujeto_de_10000_caracteres": (
            certificado(nombre_ca, ca.llave, titular.public_key(), sujeto=sujeto_sat("Ñ" * 10_000)),
            titular,
            {"certificado_invalido"},
        ),
        "3000_atributos_en_el_sujeto": (
            certificado(
                nombre_ca,
                ca.llave,
                titular.public_key(),
                sujeto=x509.Name(
                    list(sujeto_sat()) + [_atributo(NameOID.ORGANIZATIONAL_UNIT_NAME, "x")] * 3000
                ),
            ),
            titular,
            {"certificado_invalido", "no_es_efirma"},
        ),
        "llave_ecdsa": (
            certificado(nombre_ca, ca.llave, ecdsa.public_key()),
            ecdsa,
            {"firma_invalida", "certificado_invalido"},
        ),
        "llave_dsa": (
            certificado(nombre_ca, ca.llave, dsa_llave.public_key()),
            dsa_llave,
            {"firma_invalida", "certificado_invalido"},
        ),
        "firmado_por_ecdsa_con_el_nombre_de_la_ca": (
            certificado(nombre_ca, ecdsa, titular.public_key()),
            titular,
            {"certificado_no_confiable"},
        ),
        "firmado_con_md5": (
            refirmar(bien, ca.llave, oid_algoritmo=OID_MD5_RSA, hash_firma=hashes.MD5()),  # noqa: S303 -- the attack
            titular,
            {"certificado_no_confiable", "certificado_invalido"},
        ),
        "firmado_con_sha1": (
            refirmar(bien, ca.llave, oid_algoritmo=OID_SHA1_RSA, hash_firma=hashes.SHA1()),  # noqa: S303 -- the attack
            titular,
            {"certificado_no_confiable", "certificado_invalido"},
        ),
        "sin_digital_signature": (
            certificado(
                nombre_ca, ca.llave, titular.public_key(), usos=uso_efirma(digital_signature=False)
            ),
            titular,
            {"no_es_efirma"},
        ),
        "hoja_con_ca_true": (
            certificado(nombre_ca, ca.llave, titular.public_key(), ca=True),
            titular,
            {"no_es_efirma"},
        ),
        "cn_utf8_invalido": (
            refirmar(bien, ca.llave, cambiar=valor_del_cn(tlv(0x0C, b"\xff\xfe\xc3(\x80"))),
            titular,
            set(),
        ),
        "cn_bmp_impar": (
            refirmar(bien, ca.llave, cambiar=valor_del_cn(tlv(0x1E, b"\x00A\x00"))),
            titular,
            set(),
        ),
        "cn_universal_fuera_de_rango": (
            refirmar(bien, ca.llave, cambiar=valor_del_cn(tlv(0x1C, b"\xff\xff\xff\xff"))),
            titular,
            set(),
        ),
        "cn_con_nul_y_controles": (
            refirmar(bien, ca.llave, cambiar=valor_del_cn(tlv(0x14, b"MAR\x00IA\x1b[2J\x7f"))),
            titular,
            set(),
        ),
        "cn_con_longitud_mentirosa": (
            refirmar(bien, ca.llave, cambiar=valor_del_cn(b"\x0c\x84\x7f\xff\xff\xffabc")),
            titular,
            {"certificado_invalido"},
        ),
    }
    return casos


CASOS = [
    "basura",
    "vacio",
    "truncado",
    "un_byte_menos",
    "bytes_sobrantes",
    "pem_basura",
    "extension_de_1_mb",
    "sujeto_de_10000_caracteres",
    "3000_atributos_en_el_sujeto",
    "llave_ecdsa",
    "llave_dsa",
    "firmado_por_ecdsa_con_el_nombre_de_la_ca",
    "firmado_con_md5",
    "firmado_con_sha1",
    "sin_digital_signature",
    "hoja_con_ca_true",
    "cn_utf8_invalido",
    "cn_bmp_impar",
    "cn_universal_fuera_de_rango",
    "cn_con_nul_y_controles",
    "cn_con_longitud_mentirosa",
]


@pytest.mark.parametrize("caso", CASOS)
def test_cada_certificado_hostil_recibe_un_veredicto_de_efirma(
    caso: str, hostiles: dict[str, tuple[bytes, Any, set[str]]], almacen: AlmacenConfianza
) -> None:
    der, llave, esperados = hostiles[caso]
    if not esperados:
        # Odd strings in a trusted certificate: reading them may succeed, but a name
        # never carries control characters (PostgreSQL refuses NUL in text).
        try:
            cert = verificar_acceso(
                rfc=RFC,
                certificado_der=der,
                mensaje=MENSAJE,
                firma=llave.sign(MENSAJE, padding.PKCS1v15(), hashes.SHA256()),
                almacen=almacen,
                revocacion=SinRevocacion(),
            )
        except ErrorEfirma:
            return
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in cert.nombre), cert.nombre
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cert.nombre)
        cert.nombre.encode("utf-8")
        return
    assert veredicto(der, almacen, llave=llave) in esperados


def test_una_cadena_de_50_intermedias_se_resuelve_rapido(llaves: PoolLlaves) -> None:
    """Fifty CAs in the trusted folder, one below the other, and a leaf under the last."""
    raiz_llave = ec.generate_private_key(ec.SECP256R1())
    nombre = x509.Name([_atributo(NameOID.COMMON_NAME, "AC 0")])
    autoridades = [
        certificado(
            nombre,
            raiz_llave,
            raiz_llave.public_key(),
            sujeto=nombre,
            ca=True,
            usos=uso_efirma(key_cert_sign=True),
        )
    ]
    llave_anterior, nombre_anterior = raiz_llave, nombre
    for i in range(1, 51):
        llave = ec.generate_private_key(ec.SECP256R1())
        sujeto = x509.Name([_atributo(NameOID.COMMON_NAME, f"AC {i}")])
        autoridades.append(
            certificado(
                nombre_anterior,
                llave_anterior,
                llave.public_key(),
                sujeto=sujeto,
                ca=True,
                usos=uso_efirma(key_cert_sign=True),
            )
        )
        llave_anterior, nombre_anterior = llave, sujeto
    titular = llaves("titular")
    hoja = certificado(nombre_anterior, llave_anterior, titular.public_key())
    almacen = AlmacenConfianza(autoridades)
    inicio = time.process_time()
    with contextlib.suppress(ErrorEfirma):
        verificar_acceso(
            rfc=RFC,
            certificado_der=hoja,
            mensaje=MENSAJE,
            firma=titular.sign(MENSAJE, padding.PKCS1v15(), hashes.SHA256()),
            almacen=almacen,
            revocacion=SinRevocacion(),
        )
    assert time.process_time() - inicio < LIMITE_SEGUNDOS


def test_muchas_ac_con_el_mismo_nombre_no_multiplican_las_cadenas(llaves: PoolLlaves) -> None:
    """Thirty CAs with one name, each cross-signed by every other: the chain search must
    not enumerate every path between them."""
    nombre = x509.Name([_atributo(NameOID.COMMON_NAME, "AC Repetida")])
    claves = [ec.generate_private_key(ec.SECP256R1()) for _ in range(12)]
    autoridades = [
        certificado(
            nombre,
            firmante,
            llave.public_key(),
            sujeto=nombre,
            ca=True,
            usos=uso_efirma(key_cert_sign=True),
        )
        for llave in claves
        for firmante in claves
    ]
    titular = llaves("titular")
    hoja = certificado(nombre, claves[0], titular.public_key())
    inicio = time.process_time()
    with contextlib.suppress(ErrorEfirma):
        verificar_acceso(
            rfc=RFC,
            certificado_der=hoja,
            mensaje=MENSAJE,
            firma=titular.sign(MENSAJE, padding.PKCS1v15(), hashes.SHA256()),
            almacen=AlmacenConfianza(autoridades),
            revocacion=SinRevocacion(),
        )
    assert time.process_time() - inicio < 2 * LIMITE_SEGUNDOS


@pytest.mark.django_db
@pytest.mark.parametrize("caso", CASOS)
def test_por_la_api_cada_certificado_hostil_es_un_4xx_json(
    caso: str,
    hostiles: dict[str, tuple[bytes, Any, set[str]]],
    ca: AutoridadCertificadora,
    settings: Any,
    tmp_path: Any,
) -> None:
    carpeta = tmp_path / "ca"
    carpeta.mkdir()
    (carpeta / "ca.cer").write_bytes(ca.certificado_der)
    settings.EFIRMA_CA_DIR = carpeta
    settings.EFIRMA_REVOCACION = "none"
    der, llave, _ = hostiles[caso]
    c = Client(REMOTE_ADDR=f"10.9.{CASOS.index(caso)}.1")
    reto = c.post("/api/v1/sesion/reto").json()
    firma = b"\x00" * 256
    if isinstance(llave, rsa.RSAPrivateKey):
        firma = llave.sign(reto["reto"].encode(), padding.PKCS1v15(), hashes.SHA256())
    cuerpo = {
        "rfc": RFC,
        "certificado": base64.b64encode(der).decode() or "AA==",
        "reto_id": reto["reto_id"],
        "firma": base64.b64encode(firma).decode(),
    }
    r = c.post("/api/v1/sesion", json.dumps(cuerpo), content_type="application/json")
    if r.status_code == 201:
        # Only the odd-string cases may log in; the name stored must be clean text.
        assert not hostiles[caso][2], r.content
        assert "\x00" not in r.json()["nombre"]
        return
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:200])
    assert r["Content-Type"].startswith("application/json")
    assert isinstance(r.json()["codigo"], str)


@pytest.mark.django_db
@pytest.mark.parametrize("rfc", ["PEÑ-800101AB9", "PEÑM 800101AB", "PEÑM_800101A9", "\ud800" * 13])
def test_un_rfc_tecleado_con_separadores_es_rfc_invalido(
    rfc: str, llaves: PoolLlaves, ca: AutoridadCertificadora, settings: Any, tmp_path: Any
) -> None:
    """stdnum drops "-", "_" and spaces before checking the format, and then its check
    digit raised ValueError on them: a 500 for one typed character."""
    carpeta = tmp_path / "ca"
    carpeta.mkdir()
    (carpeta / "ca.cer").write_bytes(ca.certificado_der)
    settings.EFIRMA_CA_DIR = carpeta
    settings.EFIRMA_REVOCACION = "none"
    titular = llaves("titular")
    der = certificado(ca.certificado.subject, ca.llave, titular.public_key())
    c = Client(REMOTE_ADDR="10.8.0.1")
    reto = c.post("/api/v1/sesion/reto").json()
    cuerpo = {
        "rfc": rfc,
        "certificado": base64.b64encode(der).decode(),
        "reto_id": reto["reto_id"],
        "firma": base64.b64encode(
            titular.sign(reto["reto"].encode(), padding.PKCS1v15(), hashes.SHA256())
        ).decode(),
    }
    r = c.post(
        "/api/v1/sesion",
        json.dumps(cuerpo, ensure_ascii=True),
        content_type="application/json",
    )
    assert r.status_code == 400, r.content[:300]
    assert r.json()["codigo"] == "rfc_invalido"
