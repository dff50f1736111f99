"""Helpers for the staff side: requests of the shared personas (tests/personas.py) filed
through the real filing service, answer documents, staff tokens and sessions."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cuentas.middleware import SESSION_INICIO
from cuentas.models import Contribuyente, TokenApi
from promociones.consultas import olvidar_asuntos
from promociones.models import Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import token_para, zip_subido
from tests.personas import sesion_verificada

# Monday 2 March 2026, 10:00 in Mexico City: a business day.
RECIBIDA = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
# The smallest PDF a reader opens (one blank page); documents must open, not just start
# with %PDF-.
PDF = (
    b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def catalogo_sin_cache():
    olvidar_asuntos()


@pytest.fixture(autouse=True)
def almacen_temporal(settings, tmp_path):
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    # Delivery is tested on its own (avisos/tests); here the rows must stay as queued.
    settings.AVISOS_EN_PROCESO = False
    return carpeta


def archivos(carpeta, prefijo: str = "") -> list:
    base = carpeta / prefijo if prefijo else carpeta
    return [p for p in base.rglob("*") if p.is_file()] if base.exists() else []


def presentar(contribuyente, **cambios) -> Solicitud:
    datos = {
        "contribuyente": contribuyente,
        "servicio": "aclaracion",
        "asunto": "emisiones",
        "descripcion": "No se refleja mi pago de cuotas del bimestre 2026-01.",
        "telefono": "55 1234 5678",
        "evidencia": zip_subido(),
        "momento": RECIBIDA,
    }
    datos.update(cambios)
    return registrar_solicitud(**datos)


@pytest.fixture
def solicitud(contribuyente) -> Solicitud:
    return presentar(contribuyente)


def pdf_subido(nombre: str = "respuesta.pdf", datos: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, datos, content_type="application/pdf")


def token_personal(usuario) -> str:
    clave = secrets.token_urlsafe(32)
    ahora = timezone.now()
    TokenApi.objects.create(
        usuario=usuario,
        clave_sha256=TokenApi.hash_de(clave),
        tipo=TokenApi.Tipo.PERSONAL,
        creado=ahora,
        ultimo_uso=ahora,
        expira=ahora + timedelta(days=30),
    )
    return clave


def api_de(usuario) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_personal(usuario)}")


def api_contribuyente(contribuyente: Contribuyente) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")


def sesion_de(usuario) -> Client:
    """A browser session of ``usuario`` as its login leaves it: a taxpayer's as the
    e.firma login does; a staff member's (no taxpayer) as the two-step staff sign-in
    does, second factor verified (tests.personas.sesion_verificada)."""
    cliente = Client()
    cliente.force_login(usuario)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time()
    if not Contribuyente.objects.filter(usuario=usuario).exists():
        sesion_verificada(sesion, usuario)
    sesion.save()
    return cliente
