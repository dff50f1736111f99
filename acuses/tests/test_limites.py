"""Uploaded-PDF verification is limited per network address; lookup by code is not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from acuses.models import VerificacionArchivo

pytestmark = pytest.mark.django_db

A, B = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def limite_de_tres(settings):
    settings.VERIFICACION_MAX_ARCHIVOS = 3
    settings.VERIFICACION_VENTANA_SEGUNDOS = 600


def _api(direccion: str):
    archivo = SimpleUploadedFile("acuse.pdf", b"no es un PDF", content_type="application/pdf")
    return Client(REMOTE_ADDR=direccion).post("/api/v1/verificar", {"acuse": archivo})


def test_the_api_refuses_an_address_over_the_limit_and_not_the_others():
    for _ in range(3):
        r = _api(A)
        assert r.status_code == 200 and r.json()["valido"] is False
    r = _api(A)
    assert r.status_code == 429
    assert r.json()["codigo"] == "demasiados_intentos"
    assert "Espera unos minutos" in r.json()["mensaje"]
    assert _api(B).status_code == 200
    # A refusal is not recorded: it does not push the end of the lock further away.
    assert VerificacionArchivo.objects.filter(direccion=A).count() == 3


def test_the_page_says_so_in_spanish_and_the_window_ends():
    cliente = Client(REMOTE_ADDR=A)
    for _ in range(3):
        archivo = SimpleUploadedFile("a.pdf", b"x", content_type="application/pdf")
        assert cliente.post("/verificar/", {"acuse": archivo}).status_code == 200
    archivo = SimpleUploadedFile("a.pdf", b"x", content_type="application/pdf")
    r = cliente.post("/verificar/", {"acuse": archivo})
    assert r.status_code == 429
    assert "desde tu conexión" in r.content.decode()
    assert cliente.get("/verificar/NOEXISTE").status_code == 404  # by code: not limited

    VerificacionArchivo.objects.update(creada=timezone.now() - timedelta(seconds=601))
    assert _api(A).status_code == 200
    # Rows past the window were deleted when the new one was written.
    assert VerificacionArchivo.objects.count() == 1
