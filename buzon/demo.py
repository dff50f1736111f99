"""Demo data for ``make run``: a demo CA, demo e.firmas, and the demo staff accounts.

It lives with the site rather than in one app because it spans several: the e.firmas
(efirma), the staff accounts (cuentas), their areas and authenticators (atencion). Everything is
made once and kept: re-running reuses the files and accounts already in
the data dir, so the printed passwords, TOTP URIs and files stay the same between runs. Nothing
here is presented as issued by SAT: the CA is named as a demo CA.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from atencion import segundo_factor
from atencion.models import Adscripcion, Area
from efirma import emision
from efirma.emision import AutoridadCertificadora

AREA_ANALISTA = "atencion-buzon"


@dataclass(frozen=True)
class EfirmaDemo:
    clave: str  # file stem: fisica, moral, csd
    descripcion: str
    rfc: str
    nombre: str
    curp: str | None = None
    rfc_representante: str | None = None
    curp_representante: str | None = None
    csd: bool = False


EFIRMAS = [
    EfirmaDemo(
        "fisica",
        "persona física",
        rfc="PEÑJ800101LM6",
        nombre="MARÍA JOSÉ PEÑA NÚÑEZ",
        curp="PENJ800101MGTXXR05",
    ),
    EfirmaDemo(
        "moral",
        "persona moral (firma su representante)",
        rfc="CSB050315K7A",
        nombre="CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV",
        rfc_representante="GOAL750620QR8",
        curp_representante="GOAL750620HGTMRS05",
    ),
    EfirmaDemo(
        "csd",
        "sello digital (CSD) de la persona moral: el acceso lo rechaza",
        rfc="CSB050315K7A",
        nombre="CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV",
        rfc_representante="GOAL750620QR8",
        curp_representante="GOAL750620HGTMRS05",
        csd=True,
    ),
]


@dataclass(frozen=True)
class PersonalDemo:
    username: str
    contrasena: str
    descripcion: str
    totp: str  # the otpauth:// URI of its authenticator (SHA-1, 6 digits, 30 s)


@dataclass(frozen=True)
class ResultadoDemo:
    carpeta_ca: Path
    carpeta_efirma: Path
    contrasena_efirma: str
    archivos: list[tuple[EfirmaDemo, Path, Path]]
    personal: list[PersonalDemo]


def carpeta_demo() -> Path:
    return Path(settings.DATA_DIR) / "demo"


def _escribir_secreto(ruta: Path, contenido: bytes) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_bytes(contenido)
    ruta.chmod(0o600)


def _secreto_guardado(ruta: Path) -> str:
    """A password generated once and kept in the data dir."""
    if not ruta.exists():
        _escribir_secreto(ruta, (secrets.token_urlsafe(12) + "\n").encode("ascii"))
    return ruta.read_text(encoding="utf-8").strip()


def _ca_demo() -> tuple[AutoridadCertificadora, Path]:
    carpeta_ca = carpeta_demo() / "ca"
    # The CA's key sits outside the trust folder: every file in that folder is read
    # as a trusted certificate.
    ruta_llave = carpeta_demo() / "ca-privada" / "ca-demo.key.pem"
    ruta_cer = carpeta_ca / "ca-demo.cer"
    if ruta_cer.exists() and ruta_llave.exists():
        llave = serialization.load_pem_private_key(ruta_llave.read_bytes(), password=None)
        assert isinstance(llave, rsa.RSAPrivateKey)
        ca = AutoridadCertificadora(certificado_der=ruta_cer.read_bytes(), llave=llave)
        return ca, carpeta_ca
    ca = emision.crear_ca(
        "AC de demostración del Buzón IMSS (no es del SAT)",
        organizacion="Buzón IMSS — datos de demostración",
    )
    _escribir_secreto(
        ruta_llave,
        ca.llave.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    carpeta_ca.mkdir(parents=True, exist_ok=True)
    ruta_cer.write_bytes(ca.certificado_der)
    return ca, carpeta_ca


def _efirmas(ca: AutoridadCertificadora, contrasena: str) -> list[tuple[EfirmaDemo, Path, Path]]:
    carpeta = carpeta_demo() / "efirma"
    archivos = []
    for efirma in EFIRMAS:
        cer, key = carpeta / f"{efirma.clave}.cer", carpeta / f"{efirma.clave}.key"
        if not (cer.exists() and key.exists()):
            der, llave = emision.emitir_certificado(
                ca,
                rfc=efirma.rfc,
                nombre=efirma.nombre,
                curp=efirma.curp,
                rfc_representante=efirma.rfc_representante,
                curp_representante=efirma.curp_representante,
                csd=efirma.csd,
            )
            _escribir_secreto(key, emision.llave_sat_der(llave, contrasena))
            cer.write_bytes(der)
        archivos.append((efirma, cer, key))
    return archivos


def _totp_demo(usuario: Any, ruta: Path) -> TOTPDevice:
    """The account's one confirmed TOTP device, with a secret generated once and kept in
    the data dir: the URI printed on every run stays the one an app already holds."""
    if not ruta.exists():
        _escribir_secreto(ruta, (secrets.token_hex(20) + "\n").encode("ascii"))
    clave = ruta.read_text(encoding="ascii").strip()
    TOTPDevice.objects.filter(user=usuario).exclude(key=clave, confirmed=True).delete()
    dispositivo, _ = TOTPDevice.objects.get_or_create(
        user=usuario,
        key=clave,
        defaults={"name": segundo_factor.NOMBRE_DISPOSITIVO, "confirmed": True},
    )
    return dispositivo


def _personal() -> list[PersonalDemo]:
    usuarios = get_user_model()
    carpeta = carpeta_demo() / "personal"
    cuentas = []
    definiciones = [
        ("administrador", "administración del sitio (/admin/)"),
        ("supervisor", "supervisor de todas las áreas"),
        ("analista", f"analista del área «{AREA_ANALISTA}»"),
    ]
    with transaction.atomic():
        for username, descripcion in definiciones:
            contrasena = _secreto_guardado(carpeta / f"{username}.txt")
            usuario, creado = usuarios.objects.get_or_create(username=username)
            if creado or not usuario.check_password(contrasena):
                usuario.set_password(contrasena)
            if username == "administrador":
                usuario.is_staff = usuario.is_superuser = True
            usuario.save()
            if username == "supervisor":
                for area in Area.objects.all():
                    Adscripcion.objects.get_or_create(
                        usuario=usuario,
                        area=area,
                        defaults={"rol": Adscripcion.Rol.SUPERVISOR},
                    )
            elif username == "analista":
                for area in Area.objects.filter(clave=AREA_ANALISTA):
                    Adscripcion.objects.get_or_create(
                        usuario=usuario, area=area, defaults={"rol": Adscripcion.Rol.ANALISTA}
                    )
            dispositivo = _totp_demo(usuario, carpeta / f"{username}.totp")
            cuentas.append(
                PersonalDemo(username, contrasena, descripcion, segundo_factor.uri(dispositivo))
            )
    return cuentas


def crear_demo() -> ResultadoDemo:
    """Makes (or reuses) the demo CA, e.firmas and staff accounts."""
    ca, carpeta_ca = _ca_demo()
    contrasena = _secreto_guardado(carpeta_demo() / "efirma" / "contrasena.txt")
    archivos = _efirmas(ca, contrasena)
    return ResultadoDemo(
        carpeta_ca=carpeta_ca,
        carpeta_efirma=carpeta_demo() / "efirma",
        contrasena_efirma=contrasena,
        archivos=archivos,
        personal=_personal(),
    )
