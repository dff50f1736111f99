"""Private keys: SAT's .key format made and read, PEM variants, wrong passwords."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyasn1.codec.der import decoder
from pyasn1_modules import rfc5208, rfc8018

from conftest import skip_or_fail
from efirma.certificados import leer_certificado
from efirma.emision import llave_sat_der
from efirma.errores import ErrorEfirma
from efirma.llaves import leer_llave_privada, verificar_par
from efirma.tests.ayudas import Emitido


@pytest.fixture(scope="module")
def key_sat(fisica: Emitido) -> bytes:
    return llave_sat_der(fisica.llave, "12345678a")


def estructura(der: bytes) -> tuple[object, ...]:
    """Everything in an EncryptedPrivateKeyInfo except the random salt, IV and ciphertext."""
    info, resto = decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    assert not resto
    algoritmo = info["encryptionAlgorithm"]
    pbes2, _ = decoder.decode(algoritmo["parameters"], asn1Spec=rfc8018.PBES2_params())
    kdf, _ = decoder.decode(
        pbes2["keyDerivationFunc"]["parameters"], asn1Spec=rfc8018.PBKDF2_params()
    )
    esquema = pbes2["encryptionScheme"]
    iv, _ = decoder.decode(esquema["parameters"])
    return (
        str(algoritmo["algorithm"]),
        str(pbes2["keyDerivationFunc"]["algorithm"]),
        len(kdf["salt"]["specified"]),
        int(kdf["iterationCount"]),
        str(kdf["prf"]["algorithm"]),
        # SEQUENCE {salt, iterations} and nothing else: no keyLength, the PRF left
        # to its default as SAT's files do.
        len(bytes(pbes2["keyDerivationFunc"]["parameters"])),
        str(esquema["algorithm"]),
        len(iv),
    )


def test_sat_key_made_here_is_pbes2_pbkdf2_sha1_3des(key_sat: bytes) -> None:
    assert estructura(key_sat) == (
        "1.2.840.113549.1.5.13",  # PBES2
        "1.2.840.113549.1.5.12",  # PBKDF2
        8,
        2048,
        "1.2.840.113549.2.7",  # hmacWithSHA1
        16,
        "1.2.840.113549.3.7",  # des-ede3-cbc
        8,
    )


def test_sat_key_made_here_has_the_structure_of_sat_fixture_keys(
    key_sat: bytes, sat_fixtures: Path
) -> None:
    sat = (sat_fixtures / "fiel-EKU9003173C9" / "private_key.key").read_bytes()
    assert estructura(key_sat) == estructura(sat)
    # Both RSA-2048, but the DER integers of a key (d, p, q, …) lose a byte now and
    # then to a leading zero, and 3DES pads to 8 bytes: sizes agree within a few blocks.
    assert abs(len(key_sat) - len(sat)) <= 24


def test_sat_key_made_here_opens_with_openssl(key_sat: bytes, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        skip_or_fail("OPENSSL", "openssl no está instalado")
    archivo = tmp_path / "llave.key"
    archivo.write_bytes(key_sat)
    bueno = subprocess.run(
        ["openssl", "pkcs8", "-inform", "DER", "-in", str(archivo), "-passin", "pass:12345678a"],
        capture_output=True,
        check=False,
    )
    assert bueno.returncode == 0, bueno.stderr
    assert b"BEGIN PRIVATE KEY" in bueno.stdout
    malo = subprocess.run(
        ["openssl", "pkcs8", "-inform", "DER", "-in", str(archivo), "-passin", "pass:otra"],
        capture_output=True,
        check=False,
    )
    assert malo.returncode != 0


def test_sat_key_decrypts_and_matches_its_certificate(key_sat: bytes, fisica: Emitido) -> None:
    llave = leer_llave_privada(key_sat, "12345678a")
    assert llave.private_numbers() == fisica.llave.private_numbers()
    verificar_par(leer_certificado(fisica.der), llave)  # raises llave_no_corresponde


@pytest.mark.parametrize("contrasena", ["12345678A", "", "1234"])
def test_wrong_password_is_contrasena_incorrecta(key_sat: bytes, contrasena: str) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_llave_privada(key_sat, contrasena)
    assert error.value.codigo == "contrasena_incorrecta"


def test_encrypted_pem_key_is_read(fisica: Emitido) -> None:
    pem = fisica.llave.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secreta"),
    )
    assert leer_llave_privada(pem, "secreta").public_key().public_numbers() == (
        fisica.llave.public_key().public_numbers()
    )
    with pytest.raises(ErrorEfirma) as error:
        leer_llave_privada(pem, "otra")
    assert error.value.codigo == "contrasena_incorrecta"


@pytest.mark.parametrize(
    ("codificacion", "formato"),
    [
        (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),
        (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8),
    ],
)
def test_unencrypted_key_is_read_whatever_password_is_typed(
    fisica: Emitido,
    codificacion: serialization.Encoding,
    formato: serialization.PrivateFormat,
) -> None:
    data = fisica.llave.private_bytes(codificacion, formato, serialization.NoEncryption())
    llave = leer_llave_privada(data, "lo que sea")
    verificar_par(leer_certificado(fisica.der), llave)


def test_password_with_enie_from_a_latin1_tool_is_accepted(fisica: Emitido) -> None:
    pem = fisica.llave.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption("contraseña".encode("latin-1")),
    )
    propia = fisica.llave.public_key().public_numbers()
    assert leer_llave_privada(pem, "contraseña").public_key().public_numbers() == propia
    utf8 = llave_sat_der(fisica.llave, "contraseña")
    assert leer_llave_privada(utf8, "contraseña").public_key().public_numbers() == propia


@pytest.mark.parametrize(
    "data", [b"", b"no es una llave", bytes(range(256)) * 4, b"-----BEGIN PRIVATE KEY-----\n"]
)
def test_garbage_is_llave_invalida(data: bytes) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_llave_privada(data, "12345678a")
    assert error.value.codigo == "llave_invalida"


def test_certificate_given_as_key_is_llave_invalida(fisica: Emitido) -> None:
    with pytest.raises(ErrorEfirma) as error:
        leer_llave_privada(fisica.der, "12345678a")
    assert error.value.codigo == "llave_invalida"


def test_non_rsa_key_is_llave_invalida() -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"12345678a"),
    )
    with pytest.raises(ErrorEfirma) as error:
        leer_llave_privada(pem, "12345678a")
    assert error.value.codigo == "llave_invalida"
    assert "RSA" in error.value.mensaje


def test_key_of_another_certificate_is_llave_no_corresponde(
    fisica: Emitido, moral: Emitido
) -> None:
    with pytest.raises(ErrorEfirma) as error:
        verificar_par(leer_certificado(fisica.der), moral.llave)
    assert error.value.codigo == "llave_no_corresponde"
