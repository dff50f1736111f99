"""The taxpayer reads the institution's answer and downloads its document: in the
Detalle page and in the API, only for their own request."""

import hashlib
from datetime import UTC, datetime

import pytest

from atencion import services
from atencion.tests.conftest import (
    PDF,
    api_contribuyente,
    pdf_subido,
    sesion_de,
)

pytestmark = pytest.mark.django_db

TEXTO = "Su pago quedó aplicado el 3 de marzo.\nAdjuntamos la constancia con sello y firma."


@pytest.fixture
def respondida(solicitud, supervisor):
    return services.responder(
        solicitud=solicitud,
        actor=supervisor,
        texto=TEXTO,
        documento=pdf_subido("Constancia de aplicación año 2026.pdf"),
        momento=datetime(2026, 3, 4, 18, 30, tzinfo=UTC),
    )


def test_detalle_shows_the_answer_and_links_its_document(respondida, contribuyente):
    html = sesion_de(contribuyente.usuario).get(f"/solicitudes/{respondida.folio}/").content
    pagina = html.decode()
    assert 'data-testid="respuesta"' in pagina
    assert "Su pago quedó aplicado el 3 de marzo.<br>Adjuntamos la constancia" in pagina
    assert "04/03/2026 12:30" in pagina  # 18:30 UTC in Mexico City
    assert "Constancia de aplicación año 2026.pdf" in pagina
    assert hashlib.sha256(PDF).hexdigest() in pagina
    assert f'href="/solicitudes/{respondida.folio}/respuesta.pdf"' in pagina


def test_owner_downloads_the_answer_document_as_an_attachment(respondida, contribuyente):
    r = sesion_de(contribuyente.usuario).get(f"/solicitudes/{respondida.folio}/respuesta.pdf")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF  # type: ignore[attr-defined]
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r["Cache-Control"]


def test_another_taxpayer_gets_the_same_404_as_an_unknown_folio(respondida, otro_contribuyente):
    cliente = sesion_de(otro_contribuyente.usuario)
    ajena = cliente.get(f"/solicitudes/{respondida.folio}/respuesta.pdf")
    desconocida = cliente.get("/solicitudes/A-2026-999999/respuesta.pdf")
    assert ajena.status_code == desconocida.status_code == 404
    assert ajena.content == desconocida.content.replace(b"A-2026-999999", respondida.folio.encode())
    api = api_contribuyente(otro_contribuyente)
    ajena = api.get(f"/api/v1/solicitudes/{respondida.folio}/respuesta/documento")
    desconocida = api.get("/api/v1/solicitudes/A-2026-999999/respuesta/documento")
    assert ajena.status_code == desconocida.status_code == 404
    assert ajena.json() == desconocida.json()


def test_api_detail_carries_the_answer_and_its_document(respondida, contribuyente):
    api = api_contribuyente(contribuyente)
    datos = api.get(f"/api/v1/solicitudes/{respondida.folio}").json()
    assert datos["estatus"] == "atendido"
    assert datos["respuesta"]["texto"] == TEXTO
    assert datos["respuesta"]["fecha"].startswith("2026-03-04T")
    documento = datos["respuesta"]["documento"]
    assert documento["nombre"] == "Constancia de aplicación año 2026.pdf"
    assert documento["bytes"] == len(PDF)
    assert documento["sha256"] == hashlib.sha256(PDF).hexdigest()
    r = api.get(documento["url"])
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF  # type: ignore[attr-defined]


def test_before_the_answer_there_is_nothing_to_show_or_download(solicitud, contribuyente):
    pagina = sesion_de(contribuyente.usuario).get(f"/solicitudes/{solicitud.folio}/")
    assert 'data-testid="respuesta"' not in pagina.content.decode()
    api = api_contribuyente(contribuyente)
    assert api.get(f"/api/v1/solicitudes/{solicitud.folio}").json()["respuesta"] is None
    r = api.get(f"/api/v1/solicitudes/{solicitud.folio}/respuesta/documento")
    assert r.status_code == 404 and r.json()["codigo"] == "sin_respuesta"


def test_detalle_says_where_a_canalized_request_went_and_its_new_date(
    solicitud, supervisor, contribuyente
):
    from promociones.models import Asunto, Servicio

    canalizada = services.canalizar(
        solicitud=solicitud,
        actor=supervisor,
        nota="Corresponde a ICSOE",
        servicio="orientacion",
        asunto="icsoe",
        momento=datetime(2026, 3, 3, 17, 0, tzinfo=UTC),
    )
    pagina = sesion_de(contribuyente.usuario).get(f"/solicitudes/{canalizada.folio}/")
    destino = (
        f"{Servicio.objects.get(clave='orientacion').nombre} / "
        f"{Asunto.objects.get(clave='icsoe').nombre}"
    )
    nueva = canalizada.respuesta_a_partir_del.strftime("%d/%m/%Y")
    assert f"Canalizada a {destino} · respuesta a partir del {nueva}" in pagina.content.decode()
    assert "Corresponde a ICSOE" not in pagina.content.decode()  # the note is internal
