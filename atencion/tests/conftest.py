"""Personas for the staff side: analyst of the area, analyst of another area, supervisor,
taxpayer and another taxpayer; requests filed through the real filing service."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from atencion.models import Adscripcion, Area
from cuentas.middleware import SESSION_INICIO
from cuentas.models import Contribuyente, TokenApi
from promociones.consultas import olvidar_asuntos
from promociones.models import Solicitud
from promociones.services import registrar_solicitud
from promociones.tests.conftest import crear_contribuyente, token_para, zip_subido

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


@pytest.fixture
def catalogo(db):
    # The data migration's own function: transactional tests flush the seeded rows.
    import_module("promociones.migrations.0002_catalogo").sembrar(apps, None)


def crear_personal(username: str, roles: dict[str, str]):
    usuario = get_user_model().objects.create_user(
        username=username, password="clave-de-prueba-123", first_name=username.title()
    )
    for area, rol in roles.items():
        Adscripcion.objects.create(usuario=usuario, area=Area.objects.get(clave=area), rol=rol)
    return usuario


@pytest.fixture
def analista(catalogo):
    return crear_personal("analista", {"emisiones": "analista"})


@pytest.fixture
def analista_otra(catalogo):
    return crear_personal("analista_icsoe", {"icsoe": "analista"})


@pytest.fixture
def supervisor(catalogo):
    return crear_personal("supervisor", {"emisiones": "supervisor", "atencion-buzon": "supervisor"})


@pytest.fixture
def contribuyente(catalogo) -> Contribuyente:
    return crear_contribuyente("PENM800101AB1", "MARÍA JOSÉ PEÑA NÚÑEZ")


@pytest.fixture
def otro_contribuyente(catalogo) -> Contribuyente:
    return crear_contribuyente("AAA010101AAA", "ACCEM SERVICIOS EMPRESARIALES SC")


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
    cliente = Client()
    cliente.force_login(usuario)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time()
    sesion.save()
    return cliente
