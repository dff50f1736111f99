"""The institution's sealing key and certificates: loading, sealing, checking, demo pair.

Sealing goes through one small interface, :class:`Sellador` (a certificate, its number,
and ``firmar(datos)`` giving an RSA-SHA256 PKCS#1 v1.5 signature), like the notice
gateways: the key file on disk (``MaterialSello``, what the demo pair and a plain
deployment use) is one implementation; a hardware module or a signing service is
another, named by ``ACUSE_SELLADOR`` (a dotted path to a callable returning a
Sellador), and nothing else in the code changes.

The key signs two things: the cadena original (the *sello digital*, RSA-SHA256 PKCS#1
v1.5, base64) and the PDF itself (PAdES, in ``acuses.pdf``). Loaded material is cached
per process and keyed by the files' paths and modification times, so a rotated key is
picked up without a restart and tests can point settings elsewhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from buzon.lib import cadena as cadena_lib

NOMBRE_DEMO = "IMSS Buzón — sello de acuses (DEMO)"
ARCHIVO_PASSWORD = "sello.password"  # noqa: S105 (a file name, not a password)
EXTENSIONES_CERT = (".cer", ".crt", ".pem", ".der")


class Sellador(Protocol):
    """What seals acuses: a certificate, its number, and signatures by its key."""

    @property
    def certificado(self) -> x509.Certificate: ...

    @property
    def numero(self) -> str: ...

    def firmar(self, datos: bytes) -> bytes:
        """The RSA-SHA256 (PKCS#1 v1.5) signature of ``datos``."""
        ...

    def __hash__(self) -> int: ...  # the PDF signer is cached per Sellador


@dataclass(frozen=True, eq=False)
class MaterialSello:
    """The sealing key read from a file, with its certificate (hashed by identity: one
    per load). The file-based Sellador."""

    llave: rsa.RSAPrivateKey
    certificado: x509.Certificate
    numero: str

    def firmar(self, datos: bytes) -> bytes:
        return self.llave.sign(datos, padding.PKCS1v15(), hashes.SHA256())


def numero_certificado(certificado: x509.Certificate) -> str:
    """The certificate's number as acuses state it: its serial in upper-case hex."""
    return format(certificado.serial_number, "X")


def _leer_certificado(ruta: Path) -> x509.Certificate:
    datos = ruta.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" in datos:
        return x509.load_pem_x509_certificate(datos)
    return x509.load_der_x509_certificate(datos)


def _password() -> bytes | None:
    """ACUSE_SELLO_PASSWORD, else a ``sello.password`` file beside the key, else none."""
    configurada = settings.ACUSE_SELLO_PASSWORD
    if configurada:
        return configurada.encode("utf-8")
    archivo = Path(settings.ACUSE_SELLO_KEY).parent / ARCHIVO_PASSWORD
    if archivo.is_file():
        return archivo.read_text(encoding="utf-8").strip().encode("utf-8")
    return None


def _firma_archivo(ruta: Path) -> tuple[str, int]:
    try:
        return str(ruta), ruta.stat().st_mtime_ns
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"No se encontró {ruta}: configure BUZON_SELLO_CERT y BUZON_SELLO_KEY "
            "o ejecute `manage.py sello_demo`."
        ) from None


@lru_cache(maxsize=4)
def _material_cacheado(
    cert: tuple[str, int], llave: tuple[str, int], password: bytes | None
) -> MaterialSello:
    certificado = _leer_certificado(Path(cert[0]))
    datos = Path(llave[0]).read_bytes()
    try:
        if b"-----BEGIN" in datos:
            privada = serialization.load_pem_private_key(datos, password=password)
        else:
            # SAT-style .key files: DER PKCS#8, usually encrypted.
            privada = serialization.load_der_private_key(datos, password=password)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"No se pudo abrir la llave de sello {llave[0]}: {exc}. "
            "Revise BUZON_SELLO_PASSWORD o el archivo sello.password."
        ) from None
    if not isinstance(privada, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("La llave de sello debe ser RSA.")
    publica = certificado.public_key()
    if not isinstance(publica, rsa.RSAPublicKey) or publica.public_numbers() != (
        privada.public_key().public_numbers()
    ):
        raise ImproperlyConfigured("La llave de sello no corresponde a su certificado.")
    return MaterialSello(privada, certificado, numero_certificado(certificado))


def material() -> Sellador:
    """The configured Sellador: ``ACUSE_SELLADOR`` when set, else the key file."""
    ruta = getattr(settings, "ACUSE_SELLADOR", "")
    if ruta:
        return _sellador_configurado(ruta)()
    return material_de_archivo()


@lru_cache(maxsize=4)
def _sellador_configurado(ruta: str) -> type[Sellador]:
    return import_string(ruta)  # type: ignore[no-any-return]


def material_de_archivo() -> MaterialSello:
    """The sealing key and certificate from the files in settings (cached per process)."""
    return _material_cacheado(
        _firma_archivo(Path(settings.ACUSE_SELLO_CERT)),
        _firma_archivo(Path(settings.ACUSE_SELLO_KEY)),
        _password(),
    )


@lru_cache(maxsize=4)
def _certificados_cacheados(
    archivos: tuple[tuple[str, int], ...],
) -> dict[str, x509.Certificate]:
    conocidos: dict[str, x509.Certificate] = {}
    for ruta, _mtime in archivos:
        certificado = _leer_certificado(Path(ruta))
        conocidos.setdefault(numero_certificado(certificado), certificado)
    return conocidos


def certificados() -> dict[str, x509.Certificate]:
    """Every sealing certificate acuses may carry, by number: current first, then older.

    Only the certificates are needed to verify: rotated-out keys are not kept.
    """
    archivos = [_firma_archivo(Path(settings.ACUSE_SELLO_CERT))]
    anteriores = Path(settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR)
    if anteriores.is_dir():
        archivos.extend(
            _firma_archivo(ruta)
            for ruta in sorted(anteriores.iterdir())
            if ruta.is_file() and ruta.suffix.lower() in EXTENSIONES_CERT
        )
    return _certificados_cacheados(tuple(archivos))


def sellar(texto: str, material_sello: Sellador | None = None) -> str:
    """The base64 RSA-SHA256 (PKCS#1 v1.5) signature of ``texto``'s UTF-8 bytes."""
    firma = (material_sello or material()).firmar(texto.encode("utf-8"))
    return base64.b64encode(firma).decode("ascii")


def sello_valido(texto: str, sello: str, certificado: x509.Certificate) -> bool:
    """Whether ``sello`` is the signature of ``texto`` by ``certificado``'s key."""
    publica = certificado.public_key()
    if not isinstance(publica, rsa.RSAPublicKey):
        return False
    try:
        firma = cadena_lib.sello_a_bytes(sello)
        publica.verify(firma, texto.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, cadena_lib.CadenaInvalida):
        return False
    return True


def generar_par(
    directorio: Path,
    *,
    nombre: str = NOMBRE_DEMO,
    password: str | None = None,
    bits: int = 2048,
    dias: int = 3650,
) -> tuple[Path, Path, Path | None]:
    """A new self-signed sealing certificate and encrypted key in ``directorio``.

    Writes ``sello.cer`` (DER) and ``sello.key`` (DER PKCS#8, encrypted, as SAT's .key
    files). With no ``password`` one is generated and written to ``sello.password``
    (readable by the owner only). Returns the three paths (None for no password file).
    The caller decides whether a pair may be replaced.
    """
    directorio.mkdir(parents=True, exist_ok=True)
    llave = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    sujeto = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Instituto Mexicano del Seguro Social"),
            x509.NameAttribute(NameOID.COMMON_NAME, nombre),
        ]
    )
    ahora = dt.datetime.now(dt.UTC)
    certificado = (
        x509.CertificateBuilder()
        .subject_name(sujeto)
        .issuer_name(sujeto)
        .public_key(llave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - dt.timedelta(days=1))
        .not_valid_after(ahora + dt.timedelta(days=dias))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(llave.public_key()), False)
        .sign(llave, hashes.SHA256())
    )
    ruta_cer = directorio / "sello.cer"
    ruta_key = directorio / "sello.key"
    ruta_pwd: Path | None = None
    if password is None:
        password = secrets.token_urlsafe(24)
        ruta_pwd = directorio / ARCHIVO_PASSWORD
    ruta_cer.write_bytes(certificado.public_bytes(serialization.Encoding.DER))
    _escribir_privado(
        ruta_key,
        llave.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode("utf-8")),
        ),
    )
    if ruta_pwd is not None:
        _escribir_privado(ruta_pwd, password.encode("utf-8"))
    return ruta_cer, ruta_key, ruta_pwd


def _escribir_privado(ruta: Path, datos: bytes) -> None:
    descriptor = os.open(ruta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as archivo:
        archivo.write(datos)
