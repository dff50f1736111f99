"""Is this PDF an acuse we issued, byte for byte? Used by the page, the API and the command.

A PDF passes only when all of these hold:

1. it has the ``SelloIMSS`` PAdES signature, cryptographically valid, whose digest
   matches and whose byte range covers the whole file except the signature itself;
2. the signature's own bytes (outside the digest) are exactly what our signer writes:
   the CMS rebuilt from our certificate and the signed parts, in upper-case hex, then
   zero padding;
3. the signer's certificate is one of our sealing certificates (current or rotated-out),
   compared byte for byte: we pin our own certificates instead of trusting a CA;
4. the cadena original and sello in the signed info dictionary verify with the sealing
   certificate the cadena names (one of ours), and the cadena states the same code;
5. with the database (the page and the API, not the offline command): an acuse with that
   code exists and stores that very cadena and sello.
"""

from __future__ import annotations

import binascii
import logging
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from acuses import sello
from acuses.pdf import CAMPO_FIRMA, INFO_CADENA, INFO_CODIGO, INFO_SELLO
from buzon.lib import cadena as cadena_lib

logger = logging.getLogger(__name__)

MOTIVOS: dict[str, str] = {
    "valido": "El acuse es auténtico y no ha sido modificado desde su emisión.",
    "pdf_ilegible": "El archivo no es un PDF legible o está dañado.",
    "sin_sello": "El PDF no tiene la firma electrónica del sello de acuses del Buzón IMSS.",
    "pdf_alterado": "El PDF fue modificado después de firmarse: su contenido no es el emitido.",
    "firmante_desconocido": (
        "El PDF está firmado con un certificado que no es un sello de acuses del Buzón IMSS."
    ),
    "sello_invalido": "La cadena original o el sello digital del acuse no son válidos.",
    "acuse_desconocido": "El Buzón IMSS no tiene registrado un acuse con estos datos.",
}


@dataclass
class Resultado:
    """The verdict, with a stable ``motivo`` code and, when readable, the sealed facts."""

    valido: bool
    motivo: str
    hechos: dict[str, Any] = field(default_factory=dict)

    @property
    def mensaje(self) -> str:
        return MOTIVOS[self.motivo]

    def como_dict(self) -> dict[str, Any]:
        datos: dict[str, Any] = {
            "valido": self.valido,
            "motivo": self.motivo,
            "mensaje": self.mensaje,
        }
        if self.valido:
            datos.update(resumen_publico(self.hechos))
        return datos


def resumen_publico(hechos: dict[str, Any]) -> dict[str, Any]:
    """What anyone may learn of a genuine acuse: no description, RFC and name masked."""
    return {
        "tipo": hechos["tipo"],
        "folio": hechos["folio"],
        "emitido": hechos["emitido"],
        "rfc": cadena_lib.enmascarar_rfc(hechos["rfc"]),
        "nombre": cadena_lib.enmascarar_nombre(hechos["nombre"]),
        "codigo_verificacion": hechos["codigo_verificacion"],
        "numero_certificado_sello": hechos["numero_certificado_sello"],
    }


def _falla(motivo: str) -> Resultado:
    return Resultado(valido=False, motivo=motivo)


def _cms_esperado(recibido: cms.ContentInfo, certificado: asn1_x509.Certificate) -> bytes:
    """The CMS our signer writes for this certificate, signed attributes and signature.

    Only the signed attributes and the signature value are bound by the signature; the
    rest of the CMS (signer identifier, algorithm identifiers, certificate set) could be
    edited without breaking it. Rebuilding everything else from what we know and
    comparing bytes makes any such edit show.
    """
    recibida = recibido["content"]["signer_infos"][0]
    sha256 = algos.DigestAlgorithm({"algorithm": "sha256", "parameters": core.Null()})
    firmante = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value=cms.IssuerAndSerialNumber(
                    {"issuer": certificado.issuer, "serial_number": certificado.serial_number}
                ),
            ),
            "digest_algorithm": sha256,
            "signed_attrs": recibida["signed_attrs"],
            "signature_algorithm": algos.SignedDigestAlgorithm(
                {"algorithm": "sha256_rsa", "parameters": core.Null()}
            ),
            "signature": recibida["signature"],
        }
    )
    esperado = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": cms.SignedData(
                {
                    "version": "v1",
                    "digest_algorithms": [sha256],
                    "encap_content_info": {"content_type": "data"},
                    "certificates": [certificado],
                    "signer_infos": [firmante],
                }
            ),
        }
    )
    return esperado.dump()


def _contenido_canonico(
    datos: bytes, rango: list[int], contenido: bytes, certificado: asn1_x509.Certificate
) -> bool:
    """Whether the unsigned gap holds exactly ``<HEX>`` of our CMS plus zero padding.

    pyHanko writes upper-case hex; a reader decodes "a" and "A" alike and ignores what
    follows the DER object, so either change would otherwise pass unnoticed.
    """
    if len(rango) != 4:
        return False
    hueco = datos[rango[1] : rango[2]]
    if hueco != b"<" + binascii.hexlify(contenido).upper() + b">":
        return False
    esperado = _cms_esperado(cms.ContentInfo.load(contenido), certificado)
    return contenido.startswith(esperado) and not contenido[len(esperado) :].strip(b"\x00")


def _texto_info(info: Any, clave: str) -> str | None:
    valor = info.get(clave) if info is not None else None
    return str(valor) if isinstance(valor, generic.TextStringObject) else None


def verificar_pdf(datos: bytes, *, consultar_registro: bool = True) -> Resultado:
    """Check ``datos`` (a PDF) as the module docstring says.

    ``consultar_registro=False`` skips step 5 (no database), for offline checks.
    """
    try:
        lector = PdfFileReader(BytesIO(datos), strict=False)
        firmas = [f for f in lector.embedded_regular_signatures if f.field_name == CAMPO_FIRMA]
    except Exception:  # a damaged file can fail anywhere in the parser
        logger.info("PDF ilegible al verificar un acuse", exc_info=True)
        return _falla("pdf_ilegible")
    if len(firmas) != 1:
        return _falla("sin_sello")
    firma = firmas[0]

    conocidos = {
        c.public_bytes(serialization.Encoding.DER): c for c in sello.certificados().values()
    }
    # Our own certificates are the only trust anchors, and nothing is fetched.
    contexto = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der) for der in conocidos],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        # Pinning first: a stranger's certificate is refused before pyHanko tries (and
        # logs its failure) to build a trust path for it.
        if firma.signer_cert.dump() not in conocidos:
            return _falla("firmante_desconocido")
        estado = validate_pdf_signature(firma, signer_validation_context=contexto, skip_diff=True)
        if not (
            estado.intact
            and estado.valid
            and estado.coverage == SignatureCoverageLevel.ENTIRE_FILE
            and estado.signing_cert.dump() in conocidos
        ):
            return _falla("pdf_alterado")
        rango = [int(x) for x in firma.byte_range]
        if not _contenido_canonico(datos, rango, firma.pkcs7_content, estado.signing_cert):
            return _falla("pdf_alterado")
    except Exception:  # a changed byte can break the CMS structure in many ways
        logger.info("Firma ilegible al verificar un acuse", exc_info=True)
        return _falla("pdf_alterado")

    try:
        info = lector.trailer["/Info"]
    except (KeyError, ValueError):
        info = None
    texto_cadena = _texto_info(info, INFO_CADENA)
    texto_sello = _texto_info(info, INFO_SELLO)
    codigo = _texto_info(info, INFO_CODIGO)
    if texto_cadena is None or texto_sello is None or codigo is None:
        return _falla("sello_invalido")
    try:
        hechos = cadena_lib.interpretar(texto_cadena)
    except cadena_lib.CadenaInvalida:
        return _falla("sello_invalido")
    # The sello was made at issue by the key then current, which may have been rotated
    # out since; the PDF is signed at download by the current one. Each is checked
    # against its own certificate.
    certificado_sello = sello.certificados().get(hechos["numero_certificado_sello"])
    if (
        certificado_sello is None
        or hechos["codigo_verificacion"] != codigo
        or not sello.sello_valido(texto_cadena, texto_sello, certificado_sello)
    ):
        return _falla("sello_invalido")

    if consultar_registro:
        from acuses.models import Acuse

        registrado = Acuse.objects.filter(
            codigo_verificacion=codigo, cadena_original=texto_cadena, sello=texto_sello
        ).exists()
        if not registrado:
            return _falla("acuse_desconocido")
    return Resultado(valido=True, motivo="valido", hechos=hechos)
