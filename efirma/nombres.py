"""X.509 names (subject and issuer) read with pyasn1, because SAT's do not always parse.

SAT encodes the names of holders with ``Ñ`` or accents as T61String holding Latin-1
bytes, and puts the RFC (2.5.4.45, a BIT STRING in X.520) in a PrintableString.
pyca/cryptography refuses the first, asn1crypto the second; a reader that raises
locks those taxpayers out. See docs/decisions/0002-efirma-reading.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280

OID_CN = "2.5.4.3"
OID_NAME = "2.5.4.41"
OID_O = "2.5.4.10"
OID_OU = "2.5.4.11"
OID_SERIAL_NUMBER = "2.5.4.5"
OID_X500_UNIQUE_IDENTIFIER = "2.5.4.45"

# Short labels for the readable form of a name (RFC 4514 style where one exists).
_ETIQUETAS = {
    OID_CN: "CN",
    OID_O: "O",
    OID_OU: "OU",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.17": "postalCode",
    OID_NAME: "name",
    OID_SERIAL_NUMBER: "serialNumber",
    OID_X500_UNIQUE_IDENTIFIER: "x500UniqueIdentifier",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
}

# Universal tags of the string types a DirectoryString (and SAT) uses.
_UTF8, _NUMERIC, _PRINTABLE, _T61, _VIDEOTEX, _IA5 = 12, 18, 19, 20, 21, 22
_GRAPHIC, _VISIBLE, _GENERAL, _UNIVERSAL, _BMP = 25, 26, 27, 28, 30
# C0 and C1 controls and DEL: no name carries them, a Latin-1 reading of stray bytes
# can produce them, and PostgreSQL refuses NUL in text.
_CONTROLES = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)])
_OCHO_BITS = {_UTF8, _NUMERIC, _PRINTABLE, _T61, _VIDEOTEX, _IA5, _GRAPHIC, _VISIBLE, _GENERAL}


class NombreInvalido(ValueError):
    """The bytes are not a DER X.509 certificate whose names can be read."""


def _cabecera(datos: bytes, pos: int) -> tuple[int, int, int]:
    """(tag byte, start of contents, end of element) of the DER element at ``pos``.

    Only one-byte tags: every element read this way (strings, SEQUENCEs, [0]) has one.
    """
    if pos + 2 > len(datos):
        raise NombreInvalido("elemento DER truncado")
    etiqueta, largo = datos[pos], datos[pos + 1]
    inicio = pos + 2
    if largo & 0x80:
        n = largo & 0x7F
        if n == 0 or n > 4 or inicio + n > len(datos):
            raise NombreInvalido("longitud DER inválida")
        largo = int.from_bytes(datos[inicio : inicio + n], "big")
        inicio += n
    if inicio + largo > len(datos):
        raise NombreInvalido("elemento DER truncado")
    return etiqueta, inicio, inicio + largo


def _contenido(tlv: bytes) -> tuple[int, bytes]:
    """(tag byte, contents) of one attribute value.

    The value of an attribute is an ANY; its string type is only known from its tag,
    and the raw contents are needed to choose the character set ourselves instead of
    letting a library raise on bytes that are not in the type's nominal charset.
    """
    etiqueta, inicio, fin = _cabecera(tlv, 0)
    if fin != len(tlv):
        raise NombreInvalido("longitud de atributo inválida")
    return etiqueta, tlv[inicio:]


def _nombres_crudos(tbs_der: bytes) -> tuple[bytes, bytes]:
    """The exact DER of the issuer and subject Names inside a TBSCertificate.

    Re-encoding a decoded Name could reorder a multi-valued RDN; OCSP hashes and
    issuer matching need the bytes the CA signed.
    """
    _, pos, fin = _cabecera(tbs_der, 0)
    elementos: list[bytes] = []
    while pos < fin and len(elementos) < 6:
        _, _, siguiente = _cabecera(tbs_der, pos)
        elementos.append(tbs_der[pos:siguiente])
        pos = siguiente
    if elementos and elementos[0][0] == 0xA0:  # explicit [0] version
        elementos = elementos[1:]
    # serialNumber, signature, issuer, validity, subject
    if len(elementos) < 5:
        raise NombreInvalido("TBSCertificate incompleto")
    return elementos[2], elementos[4]


def _texto_8_bits(contenido: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, otherwise Latin-1.

    SAT writes Latin-1 into T61String (and sometimes elsewhere). Bytes that are
    valid UTF-8 with anything beyond ASCII are, in practice, UTF-8 written by another
    CA: as Latin-1 they would read as "Ã‘"-style pairs, which no name contains. Pure
    ASCII reads the same either way. Latin-1 never fails, so no name is unreadable.
    """
    try:
        return contenido.decode("utf-8")
    except UnicodeDecodeError:
        return contenido.decode("latin-1")


def texto_de_valor(tlv: bytes) -> str:
    """The text of one AttributeValue, whatever string type encodes it."""
    etiqueta, contenido = _contenido(tlv)
    if etiqueta in _OCHO_BITS:
        texto = _texto_8_bits(contenido)
    elif etiqueta == _BMP:
        texto = contenido.decode("utf-16-be", errors="replace")
    elif etiqueta == _UNIVERSAL:
        texto = contenido.decode("utf-32-be", errors="replace")
    else:
        # A value that is not a string (e.g. a real BIT STRING unique identifier):
        # shown as hex rather than guessed at.
        return "#" + tlv.hex()
    return unicodedata.normalize("NFC", texto.translate(_CONTROLES))


def _plegar(texto: str) -> str:
    """RFC 5280 §7.1 comparison form: case-folded, inner whitespace collapsed."""
    return " ".join(texto.casefold().split())


@dataclass(frozen=True)
class NombreX509:
    """A Name: its DER (to compare and hash) and its attributes as (oid, text) in order."""

    der: bytes
    atributos: tuple[tuple[str, str], ...]

    def primero(self, oid: str) -> str | None:
        for tipo, valor in self.atributos:
            if tipo == oid:
                return valor
        return None

    def tiene(self, oid: str) -> bool:
        return any(tipo == oid for tipo, _ in self.atributos)

    @property
    def legible(self) -> str:
        return ", ".join(f"{_ETIQUETAS.get(t, t)}={v}" for t, v in self.atributos)

    def equivale(self, otro: NombreX509) -> bool:
        """Same name: identical DER, or the same attributes once case and spaces are folded.

        The second form is the one RFC 5280 asks for when a CA re-encodes its own name
        (e.g. PrintableString in one certificate, UTF8String in the next).
        """
        if self.der == otro.der:
            return True
        return [(t, _plegar(v)) for t, v in self.atributos] == [
            (t, _plegar(v)) for t, v in otro.atributos
        ]


def _nombre(nombre: rfc5280.Name, der: bytes) -> NombreX509:
    atributos: list[tuple[str, str]] = []
    for rdn in nombre["rdnSequence"]:
        for atv in rdn:
            atributos.append((str(atv["type"]), texto_de_valor(bytes(atv["value"]))))
    return NombreX509(der=der, atributos=tuple(atributos))


@dataclass(frozen=True)
class PartesCertificado:
    """What is read from a certificate with pyasn1 instead of cryptography."""

    sujeto: NombreX509
    emisor: NombreX509
    # The subjectPublicKey BIT STRING's bytes: what OCSP's issuerKeyHash hashes.
    llave_publica: bytes


def leer_partes(tbs_der: bytes) -> PartesCertificado:
    """Subject, issuer and public key bits from a TBSCertificate's DER."""
    try:
        tbs, resto = decoder.decode(tbs_der, asn1Spec=rfc5280.TBSCertificate())
        if resto:
            raise NombreInvalido("datos sobrantes después del certificado")
        emisor_der, sujeto_der = _nombres_crudos(tbs_der)
        return PartesCertificado(
            sujeto=_nombre(tbs["subject"], sujeto_der),
            emisor=_nombre(tbs["issuer"], emisor_der),
            llave_publica=tbs["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets(),
        )
    except PyAsn1Error as exc:
        raise NombreInvalido(str(exc)) from exc
