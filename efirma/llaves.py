"""Private keys (.key): SAT's encrypted PKCS#8 DER, and PEM, encrypted or not.

In the login page the key never leaves the browser; this module serves the
programs that hold a key themselves (the demo, tests, API clients written in Python).
"""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5208

from efirma.certificados import Certificado
from efirma.errores import ErrorEfirma

_PEM_INICIO = b"-----BEGIN"


def _esta_cifrada(data: bytes) -> bool:
    """Whether the key is password-protected, read from its structure, not guessed.

    Knowing this up front is what tells "wrong password" apart from "not a key":
    3DES-CBC has no integrity check, so a failed decryption of an encrypted key can
    only mean a wrong password (or a corrupt file, indistinguishable from it).
    """
    if data.lstrip().startswith(_PEM_INICIO):
        # PKCS#8 "ENCRYPTED PRIVATE KEY" or OpenSSL's legacy "Proc-Type: 4,ENCRYPTED".
        return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data
    try:
        _, resto = decoder.decode(data, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    except (PyAsn1Error, ValueError, TypeError):
        return False
    return not resto


def _contrasenas(contrasena: str) -> list[bytes]:
    """The password as bytes: UTF-8, then Latin-1 for keys made by Windows tools.

    Both are the same bytes for an ASCII password, which SAT's tools ask for; a
    password with ``ñ`` may have been encoded either way when the key was made.
    """
    candidatas = [contrasena.encode("utf-8")]
    try:
        latin1 = contrasena.encode("latin-1")
    except UnicodeEncodeError:
        return candidatas
    if latin1 != candidatas[0]:
        candidatas.append(latin1)
    return candidatas


def _cargar(data: bytes, contrasena: bytes | None) -> object:
    if data.lstrip().startswith(_PEM_INICIO):
        return serialization.load_pem_private_key(data, password=contrasena)
    return serialization.load_der_private_key(data, password=contrasena)


def leer_llave_privada(data: bytes, contrasena: str) -> rsa.RSAPrivateKey:
    """Decrypts a .key. Errors: ``llave_invalida`` (not an RSA key), ``contrasena_incorrecta``."""
    if _esta_cifrada(data):
        if not contrasena:
            raise ErrorEfirma("contrasena_incorrecta")
        for candidata in _contrasenas(contrasena):
            try:
                llave = _cargar(data, candidata)
            except ValueError:
                continue
            except (TypeError, UnsupportedAlgorithm):
                raise ErrorEfirma(
                    "llave_invalida",
                    "La llave privada está cifrada con un método que no se reconoce. "
                    "Selecciona el archivo .key de tu e.firma tal como te lo entregó el SAT.",
                ) from None
            break
        else:
            raise ErrorEfirma("contrasena_incorrecta")
    else:
        # An unencrypted key (PEM from OpenSSL, for instance) needs no password; the
        # one typed is simply not used.
        try:
            llave = _cargar(data, None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise ErrorEfirma("llave_invalida") from None
    if not isinstance(llave, rsa.RSAPrivateKey):
        raise ErrorEfirma(
            "llave_invalida",
            "La llave privada no es RSA, como las de e.firma del SAT. Selecciona el archivo "
            ".key de tu e.firma.",
        )
    return llave


def verificar_par(certificado: Certificado, llave: rsa.RSAPrivateKey) -> None:
    """The key is the certificate's: same public key. Raises ``llave_no_corresponde``."""
    try:
        publica = certificado.objeto_x509.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise ErrorEfirma("llave_no_corresponde") from None
    if not isinstance(publica, rsa.RSAPublicKey):
        raise ErrorEfirma("llave_no_corresponde")
    if publica.public_numbers() != llave.public_key().public_numbers():
        raise ErrorEfirma("llave_no_corresponde")


def firmar(llave: rsa.RSAPrivateKey, mensaje: bytes) -> bytes:
    """RSA PKCS#1 v1.5 SHA-256, the signature the session challenge asks for."""
    return llave.sign(mensaje, padding.PKCS1v15(), hashes.SHA256())
