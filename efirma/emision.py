"""Making CAs, SAT-shaped certificates, SAT-format .key files and CRLs.

For the demo data of ``make run`` and for tests: real X.509 made with cryptography,
with the fields where SAT puts them (efirma.certificados reads them back):
x500UniqueIdentifier (2.5.4.45) "RFC" or "RFC_MORAL / RFC_REPRESENTANTE",
serialNumber (2.5.4.5) "CURP" or " / CURP_REPRESENTANTE", a serial number whose
bytes are ASCII digits, e.firma key usages, and for a CSD an OU and no EKU.
Nothing here is presented as issued by SAT: the CAs carry the name they are given.
"""

from __future__ import annotations

import base64
import secrets
import textwrap
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5208, rfc5280, rfc8018

from efirma.nombres import OID_CN, OID_NAME, OID_O, OID_OU, texto_de_valor

# Four years, as SAT issues e.firmas and CSDs.
VIGENCIA_CERTIFICADO = timedelta(days=4 * 365)
VIGENCIA_CA = timedelta(days=10 * 365)
# Certificates start a little in the past so that a clock slightly behind still
# accepts a certificate made a moment ago.
_HOLGURA_INICIO = timedelta(hours=1)
# SAT's .key: PBKDF2-HMAC-SHA1 with an 8-byte salt and 2048 iterations, 3DES-CBC.
_ITERACIONES_SAT = 2048
_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")


def generar_llave() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class AutoridadCertificadora:
    """A CA made here: its certificate (DER) and its private key."""

    certificado_der: bytes
    llave: rsa.RSAPrivateKey
    _certificado: x509.Certificate | None = field(default=None, repr=False, compare=False)

    @property
    def certificado(self) -> x509.Certificate:
        if self._certificado is None:
            self._certificado = x509.load_der_x509_certificate(self.certificado_der)
        return self._certificado

    @property
    def certificado_pem(self) -> bytes:
        return self.certificado.public_bytes(serialization.Encoding.PEM)

    @property
    def llave_pem(self) -> bytes:
        """The key unencrypted (PKCS#8 PEM), e.g. for ``openssl ocsp -rkey``."""
        return self.llave.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _ahora() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _atributo(oid: x509.ObjectIdentifier, valor: str) -> x509.NameAttribute:
    """PrintableString when the value fits it (as SAT writes RFCs), UTF8String otherwise."""
    tipo = _ASN1Type.PrintableString if set(valor) <= _PRINTABLE else _ASN1Type.UTF8String
    if oid == NameOID.COUNTRY_NAME:
        return x509.NameAttribute(oid, valor, _ASN1Type.PrintableString)
    if oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME):
        tipo = _ASN1Type.UTF8String
    with warnings.catch_warnings():
        # RFC 5280 caps CN at 64 characters; SAT's razones sociales can be longer, and
        # SAT issues them anyway, so a longer one is allowed here too.
        warnings.simplefilter("ignore")
        return x509.NameAttribute(oid, valor, tipo, _validate=False)


def _identificador_llave(publica: rsa.RSAPublicKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(publica)


def crear_ca(
    nombre: str,
    *,
    emisor: AutoridadCertificadora | None = None,
    valido_desde: datetime | None = None,
    valido_hasta: datetime | None = None,
    llave: rsa.RSAPrivateKey | None = None,
    organizacion: str = "Autoridad certificadora de pruebas",
) -> AutoridadCertificadora:
    """A root CA (``emisor`` None) or an intermediate CA signed by ``emisor``."""
    llave = llave or generar_llave()
    desde = valido_desde or _ahora() - _HOLGURA_INICIO
    hasta = valido_hasta or desde + VIGENCIA_CA
    sujeto = x509.Name(
        [
            _atributo(NameOID.COMMON_NAME, nombre),
            _atributo(NameOID.ORGANIZATION_NAME, organizacion),
            _atributo(NameOID.COUNTRY_NAME, "MX"),
        ]
    )
    emisor_nombre = emisor.certificado.subject if emisor else sujeto
    llave_firma = emisor.llave if emisor else llave
    constructor = (
        x509.CertificateBuilder()
        .subject_name(sujeto)
        .issuer_name(emisor_nombre)
        .public_key(llave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(desde)
        .not_valid_after(hasta)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_identificador_llave(llave.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(llave_firma.public_key()),
            critical=False,
        )
    )
    certificado = constructor.sign(llave_firma, hashes.SHA256())
    return AutoridadCertificadora(
        certificado_der=certificado.public_bytes(serialization.Encoding.DER),
        llave=llave,
        _certificado=certificado,
    )


def numero_a_serie(numero: str) -> int:
    """SAT's certificate number as the serial number whose bytes are its ASCII digits."""
    if not numero.isascii() or not numero.isdigit() or not 1 <= len(numero) <= 20:
        raise ValueError("el número de certificado son de 1 a 20 dígitos")
    return int.from_bytes(numero.encode("ascii"), "big")


def numero_aleatorio() -> str:
    """A 20-digit certificate number shaped like SAT's ("30001000000500003416")."""
    return "30001" + "".join(secrets.choice("0123456789") for _ in range(15))


def _usos_llave(csd: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=not csd,
        key_agreement=not csd,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def emitir_certificado(
    ca: AutoridadCertificadora,
    *,
    rfc: str,
    nombre: str,
    curp: str | None = None,
    rfc_representante: str | None = None,
    curp_representante: str | None = None,
    csd: bool = False,
    valido_desde: datetime | None = None,
    valido_hasta: datetime | None = None,
    llave: rsa.RSAPrivateKey | None = None,
    numero: str | None = None,
    sucursal: str = "Sucursal 1",
    ocsp_url: str | None = None,
    nombres_t61: bool = False,
) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A SAT-shaped e.firma (or CSD with ``csd=True``) issued by ``ca``: (DER, key).

    A persona moral is an RFC of 12 characters with ``rfc_representante`` and
    ``curp_representante``. ``nombres_t61`` writes CN, name, O and OU as T61String in
    Latin-1, as SAT did for some holders with Ñ or accents.
    """
    llave = llave or generar_llave()
    desde = valido_desde or _ahora() - _HOLGURA_INICIO
    hasta = valido_hasta or desde + VIGENCIA_CERTIFICADO
    numero = numero or numero_aleatorio()

    identificador = f"{rfc} / {rfc_representante}" if rfc_representante else rfc
    if curp_representante or rfc_representante:
        serie_sujeto: str | None = f"{curp or ''} / {curp_representante or ''}"
    else:
        serie_sujeto = curp
    atributos = [
        _atributo(NameOID.COMMON_NAME, nombre),
        _atributo(x509.ObjectIdentifier(OID_NAME), nombre),
        _atributo(NameOID.ORGANIZATION_NAME, nombre),
    ]
    if not csd:
        atributos.append(_atributo(NameOID.COUNTRY_NAME, "MX"))
    atributos.append(_atributo(NameOID.X500_UNIQUE_IDENTIFIER, identificador))
    if serie_sujeto:
        atributos.append(_atributo(NameOID.SERIAL_NUMBER, serie_sujeto))
    if csd:
        atributos.append(_atributo(NameOID.ORGANIZATIONAL_UNIT_NAME, sucursal))

    constructor = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(atributos))
        .issuer_name(ca.certificado.subject)
        .public_key(llave.public_key())
        .serial_number(numero_a_serie(numero))
        .not_valid_before(desde)
        .not_valid_after(hasta)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usos_llave(csd), critical=False)
        .add_extension(_identificador_llave(llave.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.llave.public_key()),
            critical=False,
        )
    )
    if not csd:
        constructor = constructor.add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    if ocsp_url:
        constructor = constructor.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(ocsp_url),
                    )
                ]
            ),
            critical=False,
        )
    der = constructor.sign(ca.llave, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    if nombres_t61:
        der = _con_nombres_t61(der, ca.llave)
    return der, llave


def _con_nombres_t61(der: bytes, llave_ca: rsa.RSAPrivateKey) -> bytes:
    """The same certificate with CN, name, O and OU re-encoded as T61String (Latin-1),
    its TBSCertificate signed again by the CA, since cryptography's builder writes
    UTF-8 into every string type."""
    cert, _ = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    tbs = cert["tbsCertificate"]
    for rdn in tbs["subject"]["rdnSequence"]:
        for atv in rdn:
            if str(atv["type"]) in (OID_CN, OID_NAME, OID_O, OID_OU):
                latin1 = texto_de_valor(bytes(atv["value"])).encode("latin-1")
                atv["value"] = rfc5280.AttributeValue(_tlv(0x14, latin1))
    tbs_der = encoder.encode(tbs)
    cert["signature"] = univ.BitString.fromOctetString(
        llave_ca.sign(tbs_der, PKCS1v15(), hashes.SHA256())
    )
    return encoder.encode(cert)


def _tlv(etiqueta: int, contenido: bytes) -> bytes:
    largo = len(contenido)
    if largo < 0x80:
        return bytes([etiqueta, largo]) + contenido
    octetos = largo.to_bytes((largo.bit_length() + 7) // 8, "big")
    return bytes([etiqueta, 0x80 | len(octetos)]) + octetos + contenido


def emitir_respondedor_ocsp(
    ca: AutoridadCertificadora,
    *,
    nombre: str = "Respondedor OCSP de pruebas",
    valido_desde: datetime | None = None,
    valido_hasta: datetime | None = None,
    llave: rsa.RSAPrivateKey | None = None,
) -> tuple[bytes, rsa.RSAPrivateKey]:
    """A certificate ``ca`` delegates OCSP signing to (EKU OCSPSigning): (DER, key)."""
    llave = llave or generar_llave()
    desde = valido_desde or _ahora() - _HOLGURA_INICIO
    hasta = valido_hasta or desde + VIGENCIA_CERTIFICADO
    certificado = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([_atributo(NameOID.COMMON_NAME, nombre)]))
        .issuer_name(ca.certificado.subject)
        .public_key(llave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(desde)
        .not_valid_after(hasta)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .sign(ca.llave, hashes.SHA256())
    )
    return certificado.public_bytes(serialization.Encoding.DER), llave


def llave_sat_der(llave: rsa.RSAPrivateKey, contrasena: str) -> bytes:
    """The key as SAT's .key: DER EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA1
    (8-byte salt, 2048 iterations, default PRF so no ``prf`` field) and DES-EDE3-CBC.

    cryptography only writes PBES2 with AES, so the structure is assembled here with
    pyasn1 around cryptography's primitives.
    """
    pkcs8 = llave.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sal, iv = secrets.token_bytes(8), secrets.token_bytes(8)
    clave = PBKDF2HMAC(
        algorithm=hashes.SHA1(),  # noqa: S303 — the KDF SAT's .key files use
        length=24,
        salt=sal,
        iterations=_ITERACIONES_SAT,
    ).derive(contrasena.encode("utf-8"))
    relleno = padding.PKCS7(64).padder()
    claro = relleno.update(pkcs8) + relleno.finalize()
    cifrador = Cipher(TripleDES(clave), modes.CBC(iv)).encryptor()
    cifrado = cifrador.update(claro) + cifrador.finalize()

    kdf = rfc8018.PBKDF2_params()
    kdf["salt"]["specified"] = univ.OctetString(sal)
    kdf["iterationCount"] = _ITERACIONES_SAT
    algoritmo_kdf = rfc5280.AlgorithmIdentifier()
    algoritmo_kdf["algorithm"] = rfc8018.id_PBKDF2
    algoritmo_kdf["parameters"] = encoder.encode(kdf)
    algoritmo_cifrado = rfc5280.AlgorithmIdentifier()
    algoritmo_cifrado["algorithm"] = rfc8018.des_EDE3_CBC
    algoritmo_cifrado["parameters"] = encoder.encode(univ.OctetString(iv))
    pbes2 = rfc8018.PBES2_params()
    pbes2["keyDerivationFunc"] = algoritmo_kdf
    pbes2["encryptionScheme"] = algoritmo_cifrado

    info = rfc5208.EncryptedPrivateKeyInfo()
    info["encryptionAlgorithm"]["algorithm"] = rfc8018.id_PBES2
    info["encryptionAlgorithm"]["parameters"] = encoder.encode(pbes2)
    info["encryptedData"] = cifrado
    return encoder.encode(info)


def crear_crl(
    ca: AutoridadCertificadora,
    revocados: list[int],
    *,
    emitida: datetime | None = None,
    siguiente: datetime | None = None,
    revocado_el: datetime | None = None,
    numero: int = 1,
) -> bytes:
    """A CRL (DER) signed by ``ca`` listing the given serial numbers.

    Serial numbers are the integers (``numero_a_serie`` for SAT-style numbers).
    ``siguiente`` (nextUpdate) defaults to a week after ``emitida``.
    """
    emitida = emitida or _ahora() - timedelta(minutes=1)
    siguiente = siguiente or emitida + timedelta(days=7)
    constructor = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificado.subject)
        .last_update(emitida)
        .next_update(siguiente)
        .add_extension(x509.CRLNumber(numero), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.llave.public_key()),
            critical=False,
        )
    )
    for serie in revocados:
        constructor = constructor.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serie)
            .revocation_date(revocado_el or emitida)
            .build()
        )
    return constructor.sign(ca.llave, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def a_pem(der: bytes, etiqueta: str = "CERTIFICATE") -> bytes:
    """DER wrapped as PEM (e.g. ``a_pem(crl, "X509 CRL")``)."""
    cuerpo = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN {etiqueta}-----\n{cuerpo}\n-----END {etiqueta}-----\n".encode("ascii")
