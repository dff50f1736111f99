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
    assert "Espera un momento" in r.json()["mensaje"]
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


def test_an_ipv6_subscriber_cannot_rotate_through_its_64_and_unknown_addresses_share_one():
    from acuses.limites import cubeta

    assert cubeta("2001:db8:1:2:aaaa::1") == cubeta("2001:db8:1:2:ffff::9") == "2001:db8:1:2::"
    assert cubeta("2001:db8:1:3::1") != cubeta("2001:db8:1:2::1")
    assert cubeta("::ffff:203.0.113.7") == cubeta("203.0.113.7") == "203.0.113.7"
    assert cubeta("") is None and cubeta(None) is None
    for n in range(3):
        assert _api(f"2001:db8:1:2::{n + 1}").status_code == 200
    assert _api("2001:db8:1:2::99").status_code == 429
    assert _api("2001:db8:1:3::1").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_simultaneous_burst_gets_exactly_the_limit_through():
    """Sixteen requests at once from one address, limit three: three admitted."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from acuses.limites import admitir_verificacion
    from buzon.errores import ErrorDominio

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")

    def una() -> bool:
        try:
            admitir_verificacion(A)
            return True
        except ErrorDominio:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as hilos:
        admitidas = sum(hilos.map(lambda _: una(), range(16)))
    assert admitidas == 3
    assert VerificacionArchivo.objects.filter(direccion=A).count() == 3
