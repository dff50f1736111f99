"""Detalle and the evidence download: owner only; another's folio is a 404 like an unknown one."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from promociones.models import Evento
from promociones.services import registrar_solicitud
from promociones.tests.conftest import zip_bytes, zip_subido

pytestmark = pytest.mark.django_db


@pytest.fixture
def solicitud(contribuyente):
    return registrar_solicitud(
        contribuyente=contribuyente,
        servicio="aclaracion",
        asunto="32d-opinion-publica",
        descripcion="Mi opinión aparece negativa.\nYa pagué el periodo 2026-01.",
        telefono="5512345678",
        evidencia=zip_subido("opinión 32D.zip"),
        momento=datetime(2025, 11, 14, 18, 0, tzinfo=UTC),
    )


def test_detalle_shows_every_field_evidence_history_and_acuses(cliente, solicitud):
    html = cliente.get(f"/solicitudes/{solicitud.folio}/").content.decode()
    for texto in (
        solicitud.folio,
        "Aclaración",
        "32D Opinión Pública",
        "Recibido",
        "14/11/2025 12:00",  # 18:00 UTC in Mexico City
        "01/12/2025",
        "5512345678",
        "Mi opinión aparece negativa.<br>Ya pagué el periodo 2026-01.",
        "opinión 32D.zip",
        hashlib.sha256(zip_bytes()).hexdigest(),
        f"/solicitudes/{solicitud.folio}/evidencia",
        "Acuse de recepción",
        solicitud.acuses.get().codigo_verificacion,
        "Solicitud recibida",
    ):
        assert texto in html, texto


def test_internal_notes_never_appear_in_the_history(cliente, solicitud, contribuyente):
    Evento.objects.create(
        solicitud=solicitud,
        tipo=Evento.Tipo.NOTA,
        creado=timezone.now(),
        datos={"nota": "Nota interna confidencial"},
    )
    html = cliente.get(f"/solicitudes/{solicitud.folio}/").content.decode()
    assert "Nota interna confidencial" not in html
    assert "Nota interna" not in html


def test_owner_downloads_the_evidence_as_an_attachment(cliente, solicitud):
    r = cliente.get(f"/solicitudes/{solicitud.folio}/evidencia")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;")
    assert b"".join(r.streaming_content) == zip_bytes()


@pytest.mark.parametrize(
    "ruta",
    ["/solicitudes/{folio}/", "/solicitudes/{folio}/evidencia", "/solicitudes/{folio}/registrada/"],
)
def test_another_taxpayers_folio_is_a_404_exactly_like_an_unknown_one(
    cliente_otro, solicitud, ruta
):
    ajena = cliente_otro.get(ruta.format(folio=solicitud.folio))
    desconocida = cliente_otro.get(ruta.format(folio="A-2025-999999"))
    assert ajena.status_code == desconocida.status_code == 404
    assert ajena.content.replace(solicitud.folio.encode(), b"") == desconocida.content.replace(
        b"A-2025-999999", b""
    )


def test_anonymous_visitors_are_sent_to_login(client, solicitud):
    r = client.get(f"/solicitudes/{solicitud.folio}/evidencia")
    assert r.status_code == 302
    assert "/solicitudes/" not in r["Location"].split("?")[0]
