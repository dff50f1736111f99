"""The server's half of an e.firma login: is this signature this taxpayer's, now?"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from efirma.certificados import Certificado, leer_certificado
from efirma.confianza import AlmacenConfianza, almacen_configurado
from efirma.errores import ErrorEfirma
from efirma.revocacion import Revocacion, revocacion_configurada
from efirma.rfc import validar_rfc


def verificar_acceso(
    *,
    rfc: str,
    certificado_der: bytes,
    mensaje: bytes,
    firma: bytes,
    momento: datetime | None = None,
    almacen: AlmacenConfianza | None = None,
    revocacion: Revocacion | None = None,
) -> Certificado:
    """The certificate, when the typed RFC, the certificate and the signature all hold.

    Checks in this order, and raises ErrorEfirma with the first that fails:
    certificado_invalido, rfc_invalido, no_es_efirma, certificado_no_confiable,
    certificado_vencido, certificado_revocado (or revocacion_no_disponible),
    rfc_no_coincide, firma_invalida. The cheap, local checks come before the
    revocation query, which may go over the network.

    ``mensaje`` is what was signed (the challenge's UTF-8 bytes); ``firma`` its RSA
    PKCS#1 v1.5 SHA-256 signature. ``almacen`` defaults to settings.EFIRMA_CA_DIR,
    ``revocacion`` to the configured checker, ``momento`` to now.
    """
    if momento is None:
        momento = datetime.now(UTC)
    elif momento.tzinfo is None:
        raise ValueError("momento debe tener zona horaria")
    cert = leer_certificado(certificado_der)
    rfc_tecleado = validar_rfc(rfc).rfc
    if not cert.es_efirma:
        raise ErrorEfirma("no_es_efirma")
    if almacen is None:
        almacen = almacen_configurado()
    cadena = almacen.cadena(cert, momento)
    if revocacion is None:
        revocacion = revocacion_configurada()
    revocacion.verificar(cert, cadena[0], momento)
    # For a persona moral the certificate's RFC is the company's: the representative
    # signs on its behalf, and typing the representative's own RFC does not match.
    if rfc_tecleado != cert.rfc:
        raise ErrorEfirma("rfc_no_coincide")
    verificar_firma(cert, mensaje, firma)
    return cert


def verificar_firma(cert: Certificado, mensaje: bytes, firma: bytes) -> None:
    """RSA PKCS#1 v1.5 SHA-256 of ``mensaje`` by the certificate's key; ``firma_invalida``."""
    try:
        publica = cert.objeto_x509.public_key()
        if not isinstance(publica, rsa.RSAPublicKey):
            raise ErrorEfirma("firma_invalida")
        publica.verify(firma, mensaje, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        raise ErrorEfirma("firma_invalida") from None
