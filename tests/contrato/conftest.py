"""What an outside test has: an e.firma it made under a CA the service trusts, the JSON
API, and staff tokens from ``token_personal``. Everything else goes through HTTP."""

from __future__ import annotations

import base64
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.test import Client

from efirma import emision
from efirma.emision import AutoridadCertificadora
from efirma.llaves import firmar
from efirma.tests.ayudas import PoolLlaves
from promociones.consultas import olvidar_asuntos

ERROR = ["codigo", "mensaje"]


@dataclass(frozen=True)
class Efirma:
    der: bytes
    llave: rsa.RSAPrivateKey
    rfc: str

    def firmar(self, texto: str) -> bytes:
        return firmar(self.llave, texto.encode("utf-8"))


@pytest.fixture(scope="session")
def llaves() -> PoolLlaves:
    return PoolLlaves()


@pytest.fixture(scope="session")
def ca(llaves: PoolLlaves) -> AutoridadCertificadora:
    return emision.crear_ca("AC de Pruebas del Contrato", llave=llaves("ca"))


@pytest.fixture(scope="session")
def emitir(llaves: PoolLlaves, ca: AutoridadCertificadora) -> Callable[..., Efirma]:
    """An e.firma for ``rfc``; one key serves every holder (generation is the slow part)."""

    def hacer(*, emisor: AutoridadCertificadora | None = None, **kw: Any) -> Efirma:
        der, llave = emision.emitir_certificado(emisor or ca, llave=llaves("titular"), **kw)
        return Efirma(der, llave, kw["rfc"])

    return hacer


@pytest.fixture(autouse=True)
def entorno(settings: Any, tmp_path: Path, ca: AutoridadCertificadora) -> Path:
    """BUZON_EFIRMA_CA_DIR trusts the test CA; files go to a data dir of this test only."""
    olvidar_asuntos()  # each test database has its own asunto ids
    carpeta_ca = tmp_path / "ca"
    carpeta_ca.mkdir()
    (carpeta_ca / "ca.cer").write_bytes(ca.certificado_der)
    settings.EFIRMA_CA_DIR = carpeta_ca
    settings.EFIRMA_REVOCACION = "none"
    datos = tmp_path / "datos"
    settings.DATA_DIR = datos
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": datos / "archivos", "base_url": None},
        },
    }
    # Uploads over the in-memory limit spool here: a refused filing must leave none.
    (datos / "tmp").mkdir(parents=True)
    settings.FILE_UPLOAD_TEMP_DIR = str(datos / "tmp")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return datos


def archivos_en(carpeta: Path) -> list[Path]:
    return sorted(p for p in carpeta.rglob("*") if p.is_file()) if carpeta.exists() else []


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def post_json(c: Client, url: str, datos: Any, **extra: Any) -> Any:
    return c.post(url, json.dumps(datos), content_type="application/json", **extra)


def pedir_reto(c: Client) -> dict[str, Any]:
    r = c.post("/api/v1/sesion/reto")
    assert r.status_code == 201, r.content
    return dict(r.json())


def entrar(
    c: Client,
    efirma: Efirma,
    *,
    rfc: str | None = None,
    reto: dict[str, Any] | None = None,
    firma: bytes | None = None,
) -> Any:
    reto = reto or pedir_reto(c)
    datos = {
        "rfc": efirma.rfc if rfc is None else rfc,
        "certificado": b64(efirma.der),
        "reto_id": reto["reto_id"],
        "firma": b64(efirma.firmar(reto["reto"]) if firma is None else firma),
    }
    return post_json(c, "/api/v1/sesion", datos)


def es_error(r: Any, codigo: str, status: int) -> None:
    """A 4xx of the contract's shape: exactly codigo and mensaje (campo allowed), UTF-8."""
    assert r.status_code == status, (r.status_code, r.content)
    assert r["Content-Type"].startswith("application/json")
    cuerpo = json.loads(r.content.decode("utf-8"))
    assert set(cuerpo) - {"campo"} == set(ERROR), cuerpo
    assert cuerpo["codigo"] == codigo, cuerpo
    assert isinstance(cuerpo["mensaje"], str) and cuerpo["mensaje"].strip()


@pytest.fixture
def contribuyente_api(db: None, emitir: Callable[..., Efirma]) -> Callable[..., Client]:
    """A Client holding the bearer token ``POST sesion`` gave the holder of ``rfc``."""

    def hacer(rfc: str = "PEÑJ800101LM6", nombre: str = "MARÍA JOSÉ PEÑA NÚÑEZ") -> Client:
        r = entrar(Client(), emitir(rfc=rfc, nombre=nombre, curp="PENJ800101MGTXXR05"))
        assert r.status_code == 201, r.content
        return Client(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")

    return hacer


@pytest.fixture
def api(contribuyente_api: Callable[..., Client]) -> Client:
    return contribuyente_api()


@pytest.fixture
def api_otro(contribuyente_api: Callable[..., Client]) -> Client:
    return contribuyente_api("GOAL750620QR8", "ALBERTO GÓMEZ LÓPEZ")


def token_personal(username: str) -> str:
    salida = io.StringIO()
    call_command("token_personal", username, stdout=salida)
    return salida.getvalue().rstrip("\n").splitlines()[-1]


@pytest.fixture
def personal(db: None) -> Callable[[str], Client]:
    """The demo's staff (``manage.py demo``), each as a Client with a personal token."""
    call_command("demo", stdout=io.StringIO())
    return lambda username: Client(HTTP_AUTHORIZATION=f"Bearer {token_personal(username)}")


@dataclass(frozen=True)
class CuentaPersonal:
    """A staff account as ``manage.py demo`` prints it: password and TOTP enrolment."""

    username: str
    contrasena: str
    uri: str  # otpauth://totp/…?secret=BASE32…


def personal_impreso(salida: str) -> dict[str, CuentaPersonal]:
    """The staff accounts in the demo's output: «user / password — …» and, on the next
    line, the account's otpauth:// URI."""
    return {
        u: CuentaPersonal(u, c, uri)
        for u, c, uri in re.findall(
            r"^\s+(\w+) / (\S+) — .*\n\s+(otpauth://totp/\S+)\s*$", salida, re.M
        )
    }


def codigo_totp(uri: str, pasos: int = 0) -> str:
    """The code an authenticator app that scanned ``uri`` shows now (``pasos`` time steps
    away), by RFC 6238 as django-otp computes it, from the URI's own parameters."""
    from django_otp.oath import totp

    partes = urlsplit(uri)
    assert (partes.scheme, partes.netloc) == ("otpauth", "totp"), uri
    p = {k: v[0] for k, v in parse_qs(partes.query).items()}
    assert p.get("algorithm", "SHA1") == "SHA1", uri
    secreto = p["secret"].upper()
    clave = base64.b32decode(secreto + "=" * (-len(secreto) % 8))
    digitos, periodo = int(p.get("digits", 6)), int(p.get("period", 30))
    return f"{totp(clave, step=periodo, digits=digitos, drift=pasos):0{digitos}d}"


def entrar_personal(c: Client, cuenta: CuentaPersonal, siguiente: str = "") -> Any:
    """Signs in through the staff pages as a person would: username and password, then
    the app's code. A step's code is accepted once: when an earlier sign-in of the same
    test used this 30-second step's, the code of the next step is sent, as the app would
    show it a moment later, after django-otp's back-off (1 s, then 2 s) for a refused
    code. Returns the answer to the last code."""
    ruta = "/atencion/acceso/" + (f"?next={siguiente}" if siguiente else "")
    r = c.post(ruta, {"username": cuenta.username, "password": cuenta.contrasena})
    assert r.status_code == 302 and r["Location"] == "/atencion/acceso/codigo/", r
    for pasos in (0, 1, 2):
        if pasos:
            time.sleep(2 ** (pasos - 1) + 0.1)
        r = c.post("/atencion/acceso/codigo/", {"codigo": codigo_totp(cuenta.uri, pasos)})
        if r.status_code != 200:
            break
    return r


@pytest.fixture
def personal_demo(db: None) -> dict[str, CuentaPersonal]:
    """The demo's staff accounts (``manage.py demo``) as its output prints them."""
    salida = io.StringIO()
    call_command("demo", stdout=salida)
    return personal_impreso(salida.getvalue())


def zip_bytes(contenido: bytes = b"Comprobante de pago del bimestre.\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("comprobante.txt", (2026, 3, 2, 10, 0, 0)), contenido)
    return buffer.getvalue()


def contenido(r: Any) -> bytes:
    """The body of a response, streamed or not."""
    return b"".join(r.streaming_content) if r.streaming else bytes(r.content)
