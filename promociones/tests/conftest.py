"""Helpers for the promociones tests: clients of the shared personas (tests/personas.py),
files."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cuentas.autenticacion import crear_token_sesion
from cuentas.middleware import SESSION_INICIO
from cuentas.models import Contribuyente
from promociones.consultas import olvidar_asuntos


@pytest.fixture(autouse=True)
def catalogo_sin_cache():
    """Each test's database has its own asunto ids: forget the per-process cache."""
    olvidar_asuntos()


@pytest.fixture(autouse=True)
def almacen_temporal(settings, tmp_path):
    """Evidence files go to a per-test folder, so tests can see exactly what was stored."""
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return carpeta


def archivos_guardados(carpeta) -> list:
    return [p for p in carpeta.rglob("*") if p.is_file()] if carpeta.exists() else []


def iniciar_sesion(c: Client, contribuyente: Contribuyente) -> Client:
    """force_login plus the login time cuentas.middleware needs for its 8-hour limit."""
    c.force_login(contribuyente.usuario)
    sesion = c.session
    sesion[SESSION_INICIO] = time.time()
    sesion.save()
    return c


@pytest.fixture
def cliente(contribuyente) -> Client:
    return iniciar_sesion(Client(), contribuyente)


@pytest.fixture
def cliente_otro(otro_contribuyente) -> Client:
    return iniciar_sesion(Client(), otro_contribuyente)


def token_para(contribuyente: Contribuyente) -> str:
    return crear_token_sesion(contribuyente.usuario)


@pytest.fixture
def api(contribuyente) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")


@pytest.fixture
def api_otro(otro_contribuyente) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_para(otro_contribuyente)}")


def zip_bytes(contenido: bytes = b"Comprobante de pago del periodo 2026-02.\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        # A fixed date: the same content gives the same bytes (and SHA-256) every time.
        z.writestr(zipfile.ZipInfo("comprobante.txt", (2026, 3, 2, 10, 0, 0)), contenido)
    return buffer.getvalue()


def zip_subido(nombre: str = "evidencia.zip", contenido: bytes | None = None) -> SimpleUploadedFile:
    datos = zip_bytes() if contenido is None else contenido
    return SimpleUploadedFile(nombre, datos, content_type="application/zip")


def aclaracion(**cambios: Any) -> dict[str, Any]:
    """A valid Aclaración for ``POST /api/v1/solicitudes``, with a small zip as evidence;
    ``cambios`` replace or add fields."""
    return {
        "servicio": "aclaracion",
        "asunto": "emisiones",
        "descripcion": "Mi pago no aparece.",
        "telefono": "5512345678",
        "evidencia": zip_subido(),
        **cambios,
    }


def zip_que_escapa() -> bytes:
    """A zip whose entry name climbs out of the folder it is extracted into."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("../../fuera.txt", (2026, 3, 2, 10, 0, 0)), b"x")
    return buffer.getvalue()


def zip_de_tamano(total: int) -> bytes:
    """A valid zip of exactly ``total`` bytes (a stored entry padded to fit)."""
    vacio = len(_zip_almacenado(b""))
    datos = _zip_almacenado(b"\0" * (total - vacio))
    assert len(datos) == total
    return datos


def _zip_almacenado(contenido: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr("relleno.bin", contenido)
    return buffer.getvalue()


# 3,999 characters as a person counts them, with CRLF newlines and emoji of several
# code points: 999 × ("x", CRLF, 👨‍👩‍👧, "é" as e + combining accent) + "abc".
FAMILIA = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
DESCRIPCION_3999 = ("x\r\n" + FAMILIA + "e\u0301") * 999 + "abc"
DESCRIPCION_4000 = DESCRIPCION_3999 + "d"
