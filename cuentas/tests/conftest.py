"""CAs, certificates and helpers for the login tests; keys are made once per session."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone

from efirma import emision
from efirma.emision import AutoridadCertificadora
from efirma.llaves import firmar
from efirma.tests.ayudas import PoolLlaves


@dataclass(frozen=True)
class Efirma:
    der: bytes
    llave: rsa.RSAPrivateKey
    rfc: str

    def firmar(self, texto: str) -> bytes:
        return firmar(self.llave, texto.encode("utf-8"))


Llaves = PoolLlaves


@pytest.fixture(scope="session")
def llaves() -> Llaves:
    return Llaves()


@pytest.fixture(scope="session")
def ca(llaves: Llaves) -> AutoridadCertificadora:
    return emision.crear_ca("AC de Pruebas de Cuentas", llave=llaves("ca"))


@pytest.fixture(scope="session")
def ca_ajena(llaves: Llaves) -> AutoridadCertificadora:
    return emision.crear_ca("AC Ajena", llave=llaves("ajena"))


@pytest.fixture(scope="session")
def emitir(llaves: Llaves, ca: AutoridadCertificadora) -> Callable[..., Efirma]:
    def hacer(
        *, llave: str = "titular", emisor: AutoridadCertificadora | None = None, **kw: Any
    ) -> Efirma:
        der, privada = emision.emitir_certificado(emisor or ca, llave=llaves(llave), **kw)
        return Efirma(der, privada, kw["rfc"])

    return hacer


@pytest.fixture(scope="session")
def fisica(emitir: Callable[..., Efirma]) -> Efirma:
    return emitir(
        llave="fisica",
        rfc="PEÑJ800101LM6",
        nombre="MARÍA JOSÉ PEÑA NÚÑEZ",
        curp="PENJ800101MGTXXR05",
    )


@pytest.fixture(scope="session")
def moral(emitir: Callable[..., Efirma]) -> Efirma:
    return emitir(
        llave="moral",
        rfc="CSB050315K7A",
        nombre="CONSTRUCCIONES Y SERVICIOS DEL BAJÍO SA DE CV",
        rfc_representante="GOAL750620QR8",
        curp_representante="GOAL750620HGTMRS05",
    )


@pytest.fixture(autouse=True)
def confianza(settings: Any, tmp_path: Path, ca: AutoridadCertificadora) -> Path:
    """Only the test CA is trusted, and revocation is off unless a test turns it on."""
    carpeta = tmp_path / "ca"
    carpeta.mkdir()
    (carpeta / "ca.cer").write_bytes(ca.certificado_der)
    settings.EFIRMA_CA_DIR = carpeta
    settings.EFIRMA_REVOCACION = "none"
    return carpeta


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def post_json(c: Client, url: str, datos: Any, **extra: Any) -> Any:
    return c.post(url, json.dumps(datos), content_type="application/json", **extra)


def pedir_reto(c: Client, **extra: Any) -> dict[str, Any]:
    r = c.post("/api/v1/sesion/reto", **extra)
    assert r.status_code == 201, r.content
    return dict(r.json())


def entrar_api(
    c: Client,
    efirma: Efirma,
    *,
    rfc: str | None = None,
    reto: dict[str, Any] | None = None,
    firma: bytes | None = None,
    certificado: bytes | None = None,
    **extra: Any,
) -> Any:
    reto = reto or pedir_reto(c, **extra)
    datos = {
        "rfc": efirma.rfc if rfc is None else rfc,
        "certificado": b64(efirma.der if certificado is None else certificado),
        "reto_id": reto["reto_id"],
        "firma": b64(efirma.firmar(reto["reto"]) if firma is None else firma),
    }
    return post_json(c, "/api/v1/sesion", datos, **extra)


class Reloj:
    """A controllable clock for cuentas.services.ahora (and the tokens, which use it)."""

    def __init__(self) -> None:
        self.momento = timezone.now()

    def __call__(self) -> Any:
        return self.momento

    def avanzar(self, **kw: float) -> None:
        self.momento += timedelta(**kw)


@pytest.fixture
def reloj(monkeypatch: pytest.MonkeyPatch) -> Reloj:
    r = Reloj()
    monkeypatch.setattr("cuentas.services.ahora", r)
    return r
