"""What an outside test has: an e.firma it made under a CA the service trusts, the JSON
API, and staff tokens from ``token_personal``. Everything else goes through HTTP."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def zip_bytes(contenido: bytes = b"Comprobante de pago del bimestre.\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("comprobante.txt", (2026, 3, 2, 10, 0, 0)), contenido)
    return buffer.getvalue()


def contenido(r: Any) -> bytes:
    """The body of a response, streamed or not."""
    return b"".join(r.streaming_content) if r.streaming else bytes(r.content)
