"""The trust store: which certification authorities may issue the e.firmas we accept.

Every certificate in the configured folder is trusted (CONTRACT.md,
``BUZON_EFIRMA_CA_DIR``). A taxpayer's certificate is accepted when a chain leads
from it to one of them: each link's signature verified with its issuer's key, each
certificate in the chain valid at the moment of use. An intermediate CA in the
folder is trusted on its own; when its root is in the folder too, the chain goes on
to the root and the root must hold as well.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.utils import timezone

from efirma.certificados import Certificado
from efirma.errores import ErrorEfirma
from efirma.nombres import OID_CN, NombreInvalido, PartesCertificado, leer_partes

logger = logging.getLogger(__name__)

# Longer chains than this are not built; SAT's are two links (leaf -> CA).
_PROFUNDIDAD_MAXIMA = 8
# CAs that share a name and sign each other make the paths between them grow
# exponentially with depth; the search stops after this many steps (SAT's take two).
_PASOS_MAXIMOS = 64
# Hashes whose collisions can be bought: a signature made with them proves nothing.
_HASHES_DEBILES = (hashes.MD5, hashes.SHA1)


def firma_del_emisor_valida(emisor: x509.Certificate, cert: x509.Certificate) -> bool:
    """Whether ``emisor``'s key made ``cert``'s signature, with the algorithm cert names."""
    try:
        publica = emisor.public_key()
        firma, datos = cert.signature, cert.tbs_certificate_bytes
        algoritmo = cert.signature_hash_algorithm
        if isinstance(algoritmo, _HASHES_DEBILES):
            return False
        if isinstance(publica, rsa.RSAPublicKey):
            parametros = cert.signature_algorithm_parameters
            if not isinstance(parametros, padding.PKCS1v15 | padding.PSS) or algoritmo is None:
                return False
            publica.verify(firma, datos, parametros, algoritmo)
        elif isinstance(publica, ec.EllipticCurvePublicKey):
            if algoritmo is None:
                return False
            publica.verify(firma, datos, ec.ECDSA(algoritmo))
        elif isinstance(publica, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            publica.verify(firma, datos)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class _Autoridad:
    der: bytes
    cert: x509.Certificate
    partes: PartesCertificado
    restricciones: x509.BasicConstraints | None
    usos: x509.KeyUsage | None
    # A root: its own issuer, and its own key made its signature.
    autofirmada: bool

    @property
    def puede_emitir(self) -> bool:
        """A CA by its own extensions (a v1 root without extensions is taken as one)."""
        if self.restricciones is not None and not self.restricciones.ca:
            return False
        return self.usos is None or self.usos.key_cert_sign

    def vigente_en(self, momento: datetime) -> bool:
        return self.cert.not_valid_before_utc <= momento <= self.cert.not_valid_after_utc

    @property
    def nombre(self) -> str:
        return self.partes.sujeto.primero(OID_CN) or self.partes.sujeto.legible

    @classmethod
    def de_der(cls, der: bytes) -> _Autoridad:
        cert = x509.load_der_x509_certificate(der)
        extensiones = cert.extensions

        def valor(tipo: type[x509.ExtensionType]) -> object:
            try:
                return extensiones.get_extension_for_class(tipo).value
            except x509.ExtensionNotFound:
                return None

        restricciones, usos = valor(x509.BasicConstraints), valor(x509.KeyUsage)
        assert restricciones is None or isinstance(restricciones, x509.BasicConstraints)
        assert usos is None or isinstance(usos, x509.KeyUsage)
        partes = leer_partes(cert.tbs_certificate_bytes)
        return cls(
            der=der,
            cert=cert,
            partes=partes,
            restricciones=restricciones,
            usos=usos,
            autofirmada=partes.sujeto.equivale(partes.emisor)
            and firma_del_emisor_valida(cert, cert),
        )


def certificados_de_archivo(data: bytes) -> list[bytes]:
    """The DER of every certificate in a file: one DER, or one or more PEM blocks."""
    if b"-----BEGIN" in data:
        return [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(data.strip())]
    x509.load_der_x509_certificate(data)
    return [data]


class AlmacenConfianza:
    """A set of trusted CA certificates and the chain checks against them."""

    def __init__(self, autoridades_der: Iterable[bytes]) -> None:
        autoridades: list[_Autoridad] = []
        vistos: set[bytes] = set()
        for der in autoridades_der:
            if der not in vistos:
                vistos.add(der)
                autoridades.append(_Autoridad.de_der(der))
        self._autoridades = tuple(autoridades)

    @classmethod
    def desde_directorio(cls, path: str | os.PathLike[str]) -> AlmacenConfianza:
        """Every certificate in every file of the folder (any extension, DER or PEM).

        A file that holds no certificate (a README, a CRL) is logged and skipped: one
        stray file must not stop every login. A missing folder trusts nobody.
        """
        carpeta = Path(path)
        autoridades: list[bytes] = []
        if not carpeta.is_dir():
            logger.warning("La carpeta de autoridades de e.firma no existe: %s", carpeta)
            return cls(autoridades)
        for archivo in sorted(carpeta.iterdir()):
            if not archivo.is_file():
                continue
            try:
                autoridades.extend(certificados_de_archivo(archivo.read_bytes()))
            except (OSError, ValueError, x509.DuplicateExtension) as exc:
                logger.warning("Se omite %s: no es un certificado legible (%s)", archivo, exc)
        return cls(autoridades)

    @property
    def autoridades(self) -> tuple[bytes, ...]:
        """The DER of every trusted certificate."""
        return tuple(a.der for a in self._autoridades)

    def _emisores(self, cert: x509.Certificate, partes: PartesCertificado) -> list[_Autoridad]:
        return [
            autoridad
            for autoridad in self._autoridades
            if autoridad.partes.sujeto.equivale(partes.emisor)
            and autoridad.puede_emitir
            and firma_del_emisor_valida(autoridad.cert, cert)
        ]

    def _cadenas(
        self,
        cert: x509.Certificate,
        partes: PartesCertificado,
        vistos: frozenset[bytes],
        pasos: list[int] | None = None,
    ) -> Iterator[list[_Autoridad]]:
        """Every chain of trusted CAs above ``cert``, nearest first, each link's signature
        verified. A chain ends at a self-signed root or at a CA whose own issuer is not
        in the store (it is trusted itself). ``pasos`` counts the search's steps across
        the recursion, so a tangle of cross-signed CAs cannot make it run for hours."""
        if pasos is None:
            pasos = [0]
        pasos[0] += 1
        if len(vistos) > _PROFUNDIDAD_MAXIMA or pasos[0] > _PASOS_MAXIMOS:
            return
        for autoridad in self._emisores(cert, partes):
            if autoridad.der in vistos:
                continue
            if autoridad.autofirmada:
                yield [autoridad]
                continue
            superiores = list(
                self._cadenas(autoridad.cert, autoridad.partes, vistos | {autoridad.der}, pasos)
            )
            if not superiores:
                yield [autoridad]
            for superior in superiores:
                yield [autoridad, *superior]

    @staticmethod
    def _longitud_permitida(cadena: list[_Autoridad]) -> bool:
        """pathLenConstraint: how many CAs may sit between each CA and the certificate."""
        for debajo, autoridad in enumerate(cadena):
            limite = autoridad.restricciones.path_length if autoridad.restricciones else None
            if limite is not None and debajo > limite:
                return False
        return True

    def cadena(self, cert: Certificado, momento: datetime) -> list[bytes]:
        """The DER of the trusted chain above ``cert`` (its issuer first).

        Raises ``certificado_no_confiable`` when no issuer in the store signed it (or
        the signature was altered), ``certificado_vencido`` when the certificate or a
        CA in its chain is outside its validity at ``momento``.
        """
        if momento.tzinfo is None:
            raise ValueError("momento debe tener zona horaria")
        try:
            partes = cert.partes
        except NombreInvalido:
            raise ErrorEfirma("certificado_invalido") from None
        cadenas = [
            c
            for c in self._cadenas(cert.objeto_x509, partes, frozenset({cert.der}))
            if self._longitud_permitida(c)
        ]
        if not cadenas:
            raise ErrorEfirma("certificado_no_confiable")
        if momento < cert.valido_desde:
            raise ErrorEfirma(
                "certificado_vencido",
                "Tu certificado de e.firma aún no es vigente: su vigencia empieza el "
                f"{_fecha(cert.valido_desde)}. Inténtalo a partir de esa fecha.",
            )
        if momento > cert.valido_hasta:
            raise ErrorEfirma(
                "certificado_vencido",
                f"Tu certificado de e.firma venció el {_fecha(cert.valido_hasta)}. Renueva tu "
                "e.firma en el SAT e inténtalo de nuevo con el certificado nuevo.",
            )
        for candidata in cadenas:
            if all(autoridad.vigente_en(momento) for autoridad in candidata):
                return [autoridad.der for autoridad in candidata]
        vencida = next(a for a in cadenas[0] if not a.vigente_en(momento))
        raise ErrorEfirma(
            "certificado_vencido",
            f"El certificado de la autoridad que emitió tu e.firma ({vencida.nombre}) no está "
            "vigente, así que tu e.firma no puede usarse. Tramita una e.firma nueva en el SAT.",
        )

    def verificar(self, cert: Certificado, momento: datetime) -> None:
        """Raises ``certificado_no_confiable`` or ``certificado_vencido``; None when trusted."""
        self.cadena(cert, momento)


def _fecha(momento: datetime) -> str:
    """A date as people in Mexico read it, in their time zone."""
    return timezone.localtime(momento).strftime("%d/%m/%Y")


_cache: dict[str, tuple[tuple[object, ...], AlmacenConfianza]] = {}


def _huella_directorio(carpeta: Path) -> tuple[object, ...]:
    """What changes when a CA file is added, removed or replaced in the folder."""
    try:
        entradas = sorted(os.scandir(carpeta), key=lambda e: e.name)
    except OSError:
        return ("ausente",)
    huella: list[object] = []
    for entrada in entradas:
        try:
            info = entrada.stat()
        except OSError:
            continue
        huella.append((entrada.name, info.st_mtime_ns, info.st_size))
    return tuple(huella)


def almacen_configurado() -> AlmacenConfianza:
    """The store from ``settings.EFIRMA_CA_DIR``, re-read only when the folder changes."""
    carpeta = Path(settings.EFIRMA_CA_DIR)
    huella = _huella_directorio(carpeta)
    en_cache = _cache.get(str(carpeta))
    if en_cache is not None and en_cache[0] == huella:
        return en_cache[1]
    almacen = AlmacenConfianza.desde_directorio(carpeta)
    _cache[str(carpeta)] = (huella, almacen)
    return almacen
