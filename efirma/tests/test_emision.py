"""What emision makes has SAT's shape, checked on the certificates themselves."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5280

from conftest import skip_or_fail
from efirma.confianza import firma_del_emisor_valida
from efirma.emision import AutoridadCertificadora, a_pem, crear_crl, numero_a_serie
from efirma.tests.ayudas import Emitido


def tipos_del_sujeto(der: bytes) -> dict[str, int]:
    """oid -> universal tag of the value, as written in the certificate."""
    tbs = decoder.decode(der, asn1Spec=rfc5280.Certificate())[0]["tbsCertificate"]
    return {
        str(atv["type"]): bytes(atv["value"])[0]
        for rdn in tbs["subject"]["rdnSequence"]
        for atv in rdn
    }


def test_efirma_has_sat_key_usages_and_no_ou(fisica: Emitido) -> None:
    cert = x509.load_der_x509_certificate(fisica.der)
    usos = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (
        usos.digital_signature,
        usos.content_commitment,
        usos.data_encipherment,
        usos.key_agreement,
        usos.key_encipherment,
        usos.key_cert_sign,
    ) == (True, True, True, True, False, False)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    ]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert "2.5.4.11" not in tipos_del_sujeto(fisica.der)


def test_csd_has_an_ou_two_key_usages_and_no_eku(csd: Emitido) -> None:
    cert = x509.load_der_x509_certificate(csd.der)
    usos = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usos.digital_signature, usos.content_commitment) == (True, True)
    assert (usos.data_encipherment, usos.key_agreement) == (False, False)
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert "2.5.4.11" in tipos_del_sujeto(csd.der)


def test_rfc_and_curp_are_where_sat_puts_them(moral: Emitido, fisica: Emitido) -> None:
    tbs = decoder.decode(moral.der, asn1Spec=rfc5280.Certificate())[0]["tbsCertificate"]
    valores = {
        str(atv["type"]): bytes(atv["value"])[2:]
        for rdn in tbs["subject"]["rdnSequence"]
        for atv in rdn
    }
    assert valores["2.5.4.45"] == b"H&E951128469 / GODE561231GR8"
    assert valores["2.5.4.5"] == b" / GODE561231HDFRNN09"
    # An ASCII RFC goes in a PrintableString as SAT writes it; one with Ñ cannot.
    assert tipos_del_sujeto(moral.der)["2.5.4.5"] == 0x13
    assert tipos_del_sujeto(fisica.der)["2.5.4.45"] == 0x0C  # PEÑM…: UTF8String


def test_serial_number_bytes_are_the_certificate_numbers_ascii_digits(fisica: Emitido) -> None:
    serie = x509.load_der_x509_certificate(fisica.der).serial_number
    assert serie.to_bytes(20, "big") == b"30001000000500001234"


def test_random_certificate_number_has_20_digits(emitir: Callable[..., Emitido]) -> None:
    serie = x509.load_der_x509_certificate(emitir(rfc="GODE561231GR8", nombre="X").der)
    crudo = serie.serial_number.to_bytes(20, "big")
    assert crudo.isdigit()
    assert crudo.startswith(b"30001")


@pytest.mark.parametrize("numero", ["", "12a", "1" * 21, "١٢٣"])
def test_certificate_number_must_be_up_to_20_ascii_digits(numero: str) -> None:
    with pytest.raises(ValueError):
        numero_a_serie(numero)


def test_intermediate_ca_is_signed_by_its_root(
    ca_raiz: AutoridadCertificadora, ca_intermedia: AutoridadCertificadora
) -> None:
    assert firma_del_emisor_valida(ca_raiz.certificado, ca_intermedia.certificado)
    assert not firma_del_emisor_valida(ca_intermedia.certificado, ca_intermedia.certificado)
    assert ca_intermedia.certificado.issuer == ca_raiz.certificado.subject
    restricciones = ca_intermedia.certificado.extensions.get_extension_for_class(
        x509.BasicConstraints
    ).value
    assert restricciones.ca is True


def test_crl_is_signed_by_its_ca_and_lists_the_serials(
    ca_raiz: AutoridadCertificadora, ca_ajena: AutoridadCertificadora
) -> None:
    crl = x509.load_der_x509_crl(crear_crl(ca_raiz, [7, 11]))
    assert crl.is_signature_valid(ca_raiz.llave.public_key())
    assert not crl.is_signature_valid(ca_ajena.llave.public_key())
    assert sorted(r.serial_number for r in crl) == [7, 11]
    assert crl.next_update_utc is not None


def test_openssl_verifies_the_chain_we_make(
    tmp_path: Path,
    emitir: Callable[..., Emitido],
    ca_raiz: AutoridadCertificadora,
    ca_intermedia: AutoridadCertificadora,
) -> None:
    if shutil.which("openssl") is None:
        skip_or_fail("OPENSSL", "openssl no está instalado")
    hoja = emitir(ca=ca_intermedia, rfc="GODE561231GR8", nombre="DEMETRIO GÓMEZ")
    (tmp_path / "raiz.pem").write_bytes(ca_raiz.certificado_pem)
    (tmp_path / "intermedia.pem").write_bytes(ca_intermedia.certificado_pem)
    (tmp_path / "hoja.pem").write_bytes(a_pem(hoja.der))
    resultado = subprocess.run(
        [
            *("openssl", "verify", "-CAfile", "raiz.pem", "-untrusted", "intermedia.pem"),
            *("-purpose", "sslclient", "hoja.pem"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultado.returncode == 0, resultado.stdout + resultado.stderr
