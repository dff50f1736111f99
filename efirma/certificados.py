"""Reading SAT certificates (.cer): who holds them and whether they are an e.firma.

cryptography parses the certificate (validity, extensions, public key, signature);
pyasn1 reads the subject and issuer names, which cryptography refuses for SAT's
T61String/Latin-1 holders (efirma.nombres, docs/decisions/0002-efirma-reading.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from efirma.errores import ErrorEfirma
from efirma.nombres import (
    OID_CN,
    OID_NAME,
    OID_O,
    OID_OU,
    OID_SERIAL_NUMBER,
    OID_X500_UNIQUE_IDENTIFIER,
    NombreInvalido,
    PartesCertificado,
    leer_partes,
)
from efirma.rfc import normalizar_rfc, tipo_por_longitud

_PEM_INICIO = b"-----BEGIN"
# SAT's certificates weigh about 2 KB; anything past this is not one, and parsing a
# megabyte of extensions for an unauthenticated login is work an attacker chooses.
MAX_BYTES_CERTIFICADO = 32 * 1024
# SAT's longest razón social is 254 characters; a name past this is not SAT's and would
# not fit where the taxpayer is recorded.
MAX_CARACTERES_ATRIBUTO = 300
# Where SAT's fields have a fixed size, the certificate must respect it.
MAX_CARACTERES_RFC = 13
MAX_CARACTERES_CURP = 18


@dataclass(frozen=True)
class Certificado:
    """A certificate as SAT's fields describe its holder. Read it with leer_certificado."""

    der: bytes
    rfc: str  # for a persona moral, the company's RFC
    rfc_representante: str | None
    curp: str | None  # persona física: hers; persona moral: the representative's
    nombre: str
    tipo: Literal["fisica", "moral"]
    es_efirma: bool
    numero_certificado: str
    emisor: str
    valido_desde: datetime
    valido_hasta: datetime

    def a_dict(self) -> dict[str, Any]:
        """The JSON shape of ``efirma_inspect`` (CONTRACT.md), without "archivo"."""
        return {
            "rfc": self.rfc,
            "rfc_representante": self.rfc_representante,
            "curp": self.curp,
            "nombre": self.nombre,
            "tipo": self.tipo,
            "es_efirma": self.es_efirma,
            "numero_certificado": self.numero_certificado,
            "emisor": self.emisor,
            "valido_desde": self.valido_desde.isoformat(),
            "valido_hasta": self.valido_hasta.isoformat(),
        }

    @cached_property
    def objeto_x509(self) -> x509.Certificate:
        """The parsed certificate. Never ask it for ``.subject``: it raises on T61 names."""
        return x509.load_der_x509_certificate(self.der)

    @cached_property
    def partes(self) -> PartesCertificado:
        """Subject and issuer names (and public key bits) read with pyasn1."""
        return leer_partes(self.objeto_x509.tbs_certificate_bytes)

    def vigente_en(self, momento: datetime) -> bool:
        return self.valido_desde <= momento <= self.valido_hasta


def certificado_x509(data: bytes) -> x509.Certificate:
    """A DER or PEM certificate parsed by cryptography; ``certificado_invalido`` if not one."""
    # A PEM saved by a Windows editor may start with a UTF-8 byte order mark.
    data = data.removeprefix(b"\xef\xbb\xbf")
    if len(data) > MAX_BYTES_CERTIFICADO:
        raise ErrorEfirma("certificado_invalido")
    try:
        if data.lstrip().startswith(_PEM_INICIO):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise ErrorEfirma("certificado_invalido") from None


def _partes_rfc(valor: str | None) -> list[str | None]:
    """SAT's "A / B" fields as [A, B], each stripped, empty parts as None."""
    if valor is None:
        return []
    return [parte.strip() or None for parte in valor.split("/")]


def numero_de_serie_sat(serie: int) -> str:
    """SAT's certificate number: the serial number's bytes are its ASCII digits.

    "30001000000500003416" is stored as the 20 bytes 0x33 0x30 0x30 …. A serial that
    is not made of ASCII digits (not issued by SAT) is shown in hex, as OpenSSL and
    browsers show serial numbers.
    """
    if serie <= 0:
        return str(serie)
    crudo = serie.to_bytes((serie.bit_length() + 7) // 8, "big")
    if crudo.isdigit():
        return crudo.decode("ascii")
    return format(serie, "X")


def _extension(cert: x509.Certificate, tipo: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(tipo).value
    except x509.ExtensionNotFound:
        return None


def es_certificado_efirma(cert: x509.Certificate, partes: PartesCertificado) -> bool:
    """An e.firma, not a CSD (sello digital) nor a CA, judged by the certificate's own fields.

    SAT's e.firmas have no OU, key usage with digitalSignature and an extended key
    usage for clientAuth/emailProtection. CSDs carry the branch in an OU, only
    digitalSignature + nonRepudiation and no extended key usage.
    """
    if partes.sujeto.tiene(OID_OU):
        return False
    restricciones = _extension(cert, x509.BasicConstraints)
    if restricciones is not None and restricciones.ca:
        return False
    usos = _extension(cert, x509.KeyUsage)
    if usos is not None and not usos.digital_signature:
        return False
    usos_extendidos = _extension(cert, x509.ExtendedKeyUsage)
    if usos_extendidos is None:
        return False
    return (
        ExtendedKeyUsageOID.CLIENT_AUTH in usos_extendidos
        or ExtendedKeyUsageOID.EMAIL_PROTECTION in usos_extendidos
    )


def leer_certificado(data: bytes) -> Certificado:
    """Reads a .cer (DER or PEM). Raises ErrorEfirma("certificado_invalido")."""
    cert = certificado_x509(data)
    try:
        partes = leer_partes(cert.tbs_certificate_bytes)
        es_efirma = es_certificado_efirma(cert, partes)
        valido_desde, valido_hasta = cert.not_valid_before_utc, cert.not_valid_after_utc
        serie = cert.serial_number
    except (NombreInvalido, ValueError, x509.DuplicateExtension):
        raise ErrorEfirma("certificado_invalido") from None

    sujeto = partes.sujeto
    if any(len(valor) > MAX_CARACTERES_ATRIBUTO for _, valor in sujeto.atributos):
        raise ErrorEfirma("certificado_invalido")
    rfcs = _partes_rfc(sujeto.primero(OID_X500_UNIQUE_IDENTIFIER))
    rfc = normalizar_rfc(rfcs[0]) if rfcs and rfcs[0] else ""
    tipo = tipo_por_longitud(rfc)
    if tipo is None:
        raise ErrorEfirma(
            "certificado_invalido",
            "El certificado no contiene el RFC de su titular como lo hace el SAT, así que no "
            "es una e.firma. Selecciona el archivo .cer de tu e.firma.",
        )
    rfc_representante = rfcs[1] if len(rfcs) > 1 else None
    curps = _partes_rfc(sujeto.primero(OID_SERIAL_NUMBER))
    # A persona moral's serialNumber is " / CURP_REPRESENTANTE"; a persona física's,
    # her own CURP.
    indice_curp = 1 if tipo == "moral" else 0
    curp = curps[indice_curp] if len(curps) > indice_curp else None

    if (rfc_representante and len(normalizar_rfc(rfc_representante)) > MAX_CARACTERES_RFC) or (
        curp and len(curp) > MAX_CARACTERES_CURP
    ):
        raise ErrorEfirma("certificado_invalido")

    emisor = partes.emisor
    certificado = Certificado(
        der=cert.public_bytes(Encoding.DER),
        rfc=rfc,
        rfc_representante=normalizar_rfc(rfc_representante) if rfc_representante else None,
        curp=curp.upper() if curp else None,
        nombre=sujeto.primero(OID_CN) or sujeto.primero(OID_NAME) or sujeto.primero(OID_O) or "",
        tipo=tipo,
        es_efirma=es_efirma,
        numero_certificado=numero_de_serie_sat(serie),
        emisor=emisor.primero(OID_CN) or emisor.legible,
        valido_desde=valido_desde,
        valido_hasta=valido_hasta,
    )
    # Already parsed: seed the cached properties instead of parsing twice.
    certificado.__dict__["objeto_x509"] = cert
    certificado.__dict__["partes"] = partes
    return certificado
