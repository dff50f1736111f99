"""Reading certificates made by the tests: fields, PEM/DER, T61 names, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280

from efirma.certificados import leer_certificado, numero_de_serie_sat
from efirma.confianza import AlmacenConfianza
from efirma.emision import AutoridadCertificadora, a_pem
from efirma.errores import ErrorEfirma
from efirma.tests.ayudas import AHORA, Emitido


def test_persona_fisica_fields(fisica: Emitido) -> None:
    cert = leer_certificado(fisica.der)
    assert cert.rfc == "PEÑM800101AB9"
    assert cert.rfc_representante is None
    assert cert.curp == "PENM800101MDFXXR09"
    assert cert.nombre == "MARÍA PEÑA NÚÑEZ"
    assert cert.tipo == "fisica"
    assert cert.es_efirma is True
    assert cert.numero_certificado == "30001000000500001234"
    assert cert.emisor == "AC Raíz de Pruebas"
    assert cert.valido_desde.tzinfo is not None
    assert cert.valido_hasta - cert.valido_desde == timedelta(days=4 * 365)
    assert cert.der == fisica.der


def test_persona_moral_fields_with_ampersand_and_enie(moral: Emitido) -> None:
    cert = leer_certificado(moral.der)
    assert cert.rfc == "H&E951128469"
    assert cert.rfc_representante == "GODE561231GR8"
    assert cert.curp == "GODE561231HDFRNN09"  # the representative's
    assert cert.nombre == "HERNÁNDEZ & ESPAÑA SA DE CV"
    assert cert.tipo == "moral"
    assert cert.es_efirma is True


def test_csd_is_not_an_efirma(csd: Emitido) -> None:
    cert = leer_certificado(csd.der)
    assert cert.es_efirma is False
    assert cert.rfc == "H&E951128469"


def test_pem_and_der_read_the_same(moral: Emitido) -> None:
    pem = a_pem(moral.der)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert leer_certificado(b"\n" + pem) == leer_certificado(moral.der)


def test_a_dict_is_the_efirma_inspect_shape(fisica: Emitido) -> None:
    datos = leer_certificado(fisica.der).a_dict()
    assert list(datos) == [
        "rfc",
        "rfc_representante",
        "curp",
        "nombre",
        "tipo",
        "es_efirma",
        "numero_certificado",
        "emisor",
        "valido_desde",
        "valido_hasta",
    ]
    assert datos["rfc_representante"] is None
    assert datos["valido_desde"].endswith("+00:00")
    assert datos["valido_desde"] == leer_certificado(fisica.der).valido_desde.isoformat()


def test_t61_latin1_subject_is_read_where_cryptography_refuses_it(
    emitir: Callable[..., Emitido], almacen: AlmacenConfianza
) -> None:
    hecho = emitir(
        llave="moral",
        rfc="SMA0112284B2",
        nombre="COMPAÑÍA SANTA MARÍA SA DE CV",
        rfc_representante="GOCA741120HY0",
        curp_representante="GOCA741120HVZMNR00",
        nombres_t61=True,
    )
    # The test's certificate really is the troublesome kind: T61String, Latin-1 bytes.
    tbs = decoder.decode(hecho.der, asn1Spec=rfc5280.Certificate())[0]["tbsCertificate"]
    cn = bytes(tbs["subject"]["rdnSequence"][0][0]["value"])
    assert cn[0] == 0x14
    assert "COMPAÑÍA".encode("latin-1") in cn
    with pytest.raises(ValueError, match="subject"):
        _ = x509.load_der_x509_certificate(hecho.der).subject

    cert = leer_certificado(hecho.der)
    assert cert.nombre == "COMPAÑÍA SANTA MARÍA SA DE CV"
    assert cert.rfc == "SMA0112284B2"
    assert cert.rfc_representante == "GOCA741120HY0"
    assert cert.es_efirma is True
    # Re-signed after re-encoding: the issuer's signature still holds.
    almacen.verificar(cert, AHORA)


def test_certificate_without_rfc_is_rejected(ca_raiz: AutoridadCertificadora) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_certificado(ca_raiz.certificado_der)
    assert error.value.codigo == "certificado_invalido"
    assert "RFC" in error.value.mensaje


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"esto no es un certificado",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        bytes(range(256)),
    ],
)
def test_garbage_is_certificado_invalido(data: bytes) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_certificado(data)
    assert error.value.codigo == "certificado_invalido"


def test_truncated_certificate_is_certificado_invalido(fisica: Emitido) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_certificado(fisica.der[:-20])
    assert error.value.codigo == "certificado_invalido"


def test_sat_serial_bytes_are_ascii_digits() -> None:
    assert numero_de_serie_sat(int.from_bytes(b"30001000000500003416", "big")) == (
        "30001000000500003416"
    )
    # A serial that is not SAT's digits is shown in hex, as OpenSSL shows it.
    assert numero_de_serie_sat(0x1A2B) == "1A2B"


def test_certificate_validity_comes_from_the_certificate(emitir: Callable[..., Emitido]) -> None:
    desde, hasta = AHORA - timedelta(days=3), AHORA + timedelta(days=30)
    hecho = emitir(rfc="GODE561231GR8", nombre="X", valido_desde=desde, valido_hasta=hasta)
    cert = leer_certificado(hecho.der)
    assert (cert.valido_desde, cert.valido_hasta) == (desde, hasta)
    assert cert.objeto_x509.public_bytes(Encoding.DER) == hecho.der
