"""Whether a certificate was revoked: none, a CRL file, or an OCSP responder.

One small interface with three implementations, chosen by settings
(``EFIRMA_REVOCACION``). Every implementation fails closed: when it cannot tell
(CRL missing, stale or not signed by the issuer; responder down, unsigned or
"unknown"), it raises ``revocacion_no_disponible`` instead of letting the
certificate through.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from efirma.certificados import Certificado
from efirma.confianza import firma_del_emisor_valida
from efirma.errores import ErrorEfirma
from efirma.nombres import NombreInvalido, leer_partes

logger = logging.getLogger(__name__)

# Clocks of responders and of this server drift; a response this far "in the future"
# or this far past its nextUpdate is still taken.
_TOLERANCIA_RELOJ = timedelta(minutes=5)
# An OCSP answer is a few KB; more than this is not an OCSP answer.
_MAXIMO_RESPUESTA = 1024 * 1024


class Revocacion(Protocol):
    def verificar(self, cert: Certificado, emisor_der: bytes, momento: datetime) -> None:
        """Returns when ``cert`` is not revoked; raises ``certificado_revocado`` when it is,
        ``revocacion_no_disponible`` when it cannot tell."""


def _no_disponible(motivo: str, *args: object) -> ErrorEfirma:
    logger.warning("Revocación no disponible: " + motivo, *args)
    return ErrorEfirma("revocacion_no_disponible")


def _revocado(cert: Certificado) -> ErrorEfirma:
    return ErrorEfirma(
        "certificado_revocado",
        f"Tu certificado de e.firma número {cert.numero_certificado} fue revocado. Tramita "
        "una nueva e.firma en el SAT e inténtalo de nuevo con ella.",
    )


class SinRevocacion:
    """No revocation check (the embedded default, and tests that do not test it)."""

    def verificar(self, cert: Certificado, emisor_der: bytes, momento: datetime) -> None:
        return None


_crls_en_cache: dict[str, tuple[tuple[int, int], list[x509.CertificateRevocationList]]] = {}


def _leer_crls(ruta: Path) -> list[x509.CertificateRevocationList]:
    """The CRLs in a file (one DER, or PEM blocks), re-read only when the file changes."""
    info = ruta.stat()
    huella = (info.st_mtime_ns, info.st_size)
    en_cache = _crls_en_cache.get(str(ruta))
    if en_cache is not None and en_cache[0] == huella:
        return en_cache[1]
    data = ruta.read_bytes()
    if b"-----BEGIN" in data:
        bloques = data.split(b"-----END X509 CRL-----")
        crls = [
            x509.load_pem_x509_crl(bloque + b"-----END X509 CRL-----")
            for bloque in bloques
            if b"-----BEGIN X509 CRL-----" in bloque
        ]
    else:
        crls = [x509.load_der_x509_crl(data)]
    _crls_en_cache[str(ruta)] = (huella, crls)
    return crls


class RevocacionCRL:
    """A CRL file (DER or PEM) that something else keeps fresh, e.g. a cron download.

    The CRL counts only when the certificate's issuer signed it, and only until its
    nextUpdate: a stale list could miss a revocation.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def verificar(self, cert: Certificado, emisor_der: bytes, momento: datetime) -> None:
        try:
            crls = _leer_crls(self.path)
        except OSError as exc:
            raise _no_disponible("no se pudo leer la CRL %s: %s", self.path, exc) from None
        except ValueError as exc:
            raise _no_disponible("la CRL %s no es válida: %s", self.path, exc) from None
        emisor = x509.load_der_x509_certificate(emisor_der)
        emisor_nombre = leer_partes(emisor.tbs_certificate_bytes).sujeto.der
        publica = emisor.public_key()
        if not isinstance(publica, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise _no_disponible("llave del emisor no soportada para CRL")
        for crl in crls:
            try:
                mismo_emisor = (
                    crl.issuer.public_bytes() == emisor_nombre or crl.issuer == emisor.subject
                )
            except ValueError:  # a name cryptography cannot parse: not this issuer's
                mismo_emisor = False
            if mismo_emisor and crl.is_signature_valid(publica):
                break
        else:
            raise _no_disponible(
                "%s no tiene una CRL firmada por el emisor del certificado %s",
                self.path,
                cert.numero_certificado,
            )
        siguiente = crl.next_update_utc
        if siguiente is not None and momento > siguiente + _TOLERANCIA_RELOJ:
            raise _no_disponible("la CRL %s venció el %s", self.path, siguiente.isoformat())
        # Listed means revoked, whatever the revocation date: a key reported
        # compromised must not open a session, even for a moment "before" the report.
        if crl.get_revoked_certificate_by_serial_number(cert.objeto_x509.serial_number):
            raise _revocado(cert)


class RevocacionOCSP:
    """Asks an OCSP responder (RFC 6960) over HTTP and verifies its signed answer.

    ``url`` None: the responder named in the certificate's Authority Information Access.
    The answer must be signed by the issuer, or by a responder certificate the issuer
    signed for OCSP signing; it must echo our nonce when it carries one, be current,
    and be about this certificate.
    """

    def __init__(self, url: str | None = None, timeout: float = 5) -> None:
        if url is not None:
            _validar_url(url)
        self.url = url
        self.timeout = timeout

    def _url(self, cert: Certificado) -> str:
        if self.url:
            return self.url
        try:
            acceso = cert.objeto_x509.extensions.get_extension_for_class(
                x509.AuthorityInformationAccess
            ).value
        except (x509.ExtensionNotFound, ValueError):
            raise _no_disponible(
                "el certificado %s no indica OCSP", cert.numero_certificado
            ) from None
        for descripcion in acceso:
            if descripcion.access_method == AuthorityInformationAccessOID.OCSP and isinstance(
                descripcion.access_location, x509.UniformResourceIdentifier
            ):
                url = descripcion.access_location.value
                try:
                    _validar_url(url)
                except ImproperlyConfigured:
                    continue
                return url
        raise _no_disponible("el certificado %s no indica OCSP", cert.numero_certificado)

    def verificar(self, cert: Certificado, emisor_der: bytes, momento: datetime) -> None:
        url = self._url(cert)
        emisor = x509.load_der_x509_certificate(emisor_der)
        try:
            hash_nombre = hashlib.sha1(cert.partes.emisor.der).digest()  # noqa: S324
            hash_llave = hashlib.sha1(  # noqa: S324 — SHA-1 is what RFC 6960 CertID uses
                leer_partes(emisor.tbs_certificate_bytes).llave_publica
            ).digest()
        except NombreInvalido:
            raise _no_disponible("no se pudo leer el emisor") from None
        serie = cert.objeto_x509.serial_number
        nonce = secrets.token_bytes(16)
        solicitud = (
            ocsp.OCSPRequestBuilder()
            .add_certificate_by_hash(hash_nombre, hash_llave, serie, hashes.SHA1())  # noqa: S303
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        cuerpo = self._enviar(url, solicitud)
        try:
            respuesta = ocsp.load_der_ocsp_response(cuerpo)
        except ValueError:
            raise _no_disponible("%s respondió algo que no es OCSP", url) from None
        if respuesta.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise _no_disponible("%s respondió %s", url, respuesta.response_status.name)
        ahora = datetime.now(UTC)
        if not _firma_respuesta_valida(respuesta, emisor, ahora):
            raise _no_disponible("la respuesta de %s no está firmada por el emisor", url)
        try:
            eco = respuesta.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            eco = None  # some responders serve pre-signed answers without nonces
        if eco is not None and eco != nonce:
            raise _no_disponible("la respuesta de %s no corresponde a la solicitud", url)
        for unica in respuesta.responses:
            if (
                unica.serial_number == serie
                and unica.issuer_name_hash == hash_nombre
                and unica.issuer_key_hash == hash_llave
            ):
                break
        else:
            raise _no_disponible("la respuesta de %s no habla del certificado", url)
        if unica.this_update_utc > ahora + _TOLERANCIA_RELOJ or (
            unica.next_update_utc is not None and unica.next_update_utc < ahora - _TOLERANCIA_RELOJ
        ):
            raise _no_disponible("la respuesta de %s no está vigente", url)
        if unica.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            raise _revocado(cert)
        if unica.certificate_status != ocsp.OCSPCertStatus.GOOD:
            raise _no_disponible("%s no conoce el certificado %s", url, cert.numero_certificado)

    def _enviar(self, url: str, solicitud: bytes) -> bytes:
        peticion = urllib.request.Request(  # noqa: S310 — scheme checked by _validar_url
            url,
            data=solicitud,
            method="POST",
            headers={
                "Content-Type": "application/ocsp-request",
                "Accept": "application/ocsp-response",
            },
        )
        try:
            with urllib.request.urlopen(peticion, timeout=self.timeout) as http:  # noqa: S310
                cuerpo: bytes = http.read(_MAXIMO_RESPUESTA + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise _no_disponible("no se pudo consultar %s: %s", url, exc) from None
        if len(cuerpo) > _MAXIMO_RESPUESTA:
            raise _no_disponible("la respuesta de %s es demasiado grande", url)
        return cuerpo


def _validar_url(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ImproperlyConfigured(f"La URL de OCSP debe ser http(s)://…, no {url!r}")


def _firma_valida(
    publica: object, firma: bytes, datos: bytes, algoritmo: hashes.HashAlgorithm | None
) -> bool:
    if algoritmo is None:
        return False
    try:
        if isinstance(publica, rsa.RSAPublicKey):
            publica.verify(firma, datos, padding.PKCS1v15(), algoritmo)
        elif isinstance(publica, ec.EllipticCurvePublicKey):
            publica.verify(firma, datos, ec.ECDSA(algoritmo))
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _respondedor_autorizado(
    respondedor: x509.Certificate, emisor: x509.Certificate, ahora: datetime
) -> bool:
    """A delegated responder (RFC 6960 §4.2.2.2): issued by the CA for OCSP signing."""
    if not respondedor.not_valid_before_utc <= ahora <= respondedor.not_valid_after_utc:
        return False
    try:
        usos = respondedor.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usos and firma_del_emisor_valida(emisor, respondedor)


def _firma_respuesta_valida(
    respuesta: ocsp.OCSPResponse, emisor: x509.Certificate, ahora: datetime
) -> bool:
    """Signed by the issuer itself or by a responder the issuer authorized."""
    try:
        algoritmo = respuesta.signature_hash_algorithm
        firmantes = [emisor.public_key()]
        firmantes += [
            c.public_key()
            for c in respuesta.certificates
            if _respondedor_autorizado(c, emisor, ahora)
        ]
    except (ValueError, UnsupportedAlgorithm):
        return False
    return any(
        _firma_valida(publica, respuesta.signature, respuesta.tbs_response_bytes, algoritmo)
        for publica in firmantes
    )


def revocacion_configurada() -> Revocacion:
    """The checker the settings choose: EFIRMA_REVOCACION = none | crl | ocsp."""
    modo = (settings.EFIRMA_REVOCACION or "none").strip().lower()
    if modo == "none":
        return SinRevocacion()
    if modo == "crl":
        if not settings.EFIRMA_CRL_FILE:
            raise ImproperlyConfigured("BUZON_EFIRMA_REVOCACION=crl requiere BUZON_EFIRMA_CRL_FILE")
        return RevocacionCRL(settings.EFIRMA_CRL_FILE)
    if modo == "ocsp":
        return RevocacionOCSP(settings.EFIRMA_OCSP_URL or None)
    raise ImproperlyConfigured(
        f"BUZON_EFIRMA_REVOCACION debe ser none, crl u ocsp, no {settings.EFIRMA_REVOCACION!r}"
    )
