"""Detalle remembered per worker (promociones.consultas.detalle_recordado): seen again
it reads none of the request's rows; a staff view, an action or an answer shows at the
taxpayer's next view, page and API; and it never answers for another taxpayer."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from atencion import services
from atencion.tests.conftest import pdf_subido, sesion_de
from promociones.models import Solicitud
from promociones.tests.conftest import iniciar_sesion, token_para

pytestmark = pytest.mark.django_db


def lecturas(consultas, tabla: str) -> int:
    return sum(tabla in q["sql"] for q in consultas.captured_queries)


def api_de(contribuyente) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")


@pytest.mark.parametrize("formato", ["html", "api"])
def test_seen_again_it_reads_none_of_the_requests_rows(solicitud, contribuyente, formato):
    if formato == "html":
        cliente, ruta = iniciar_sesion(Client(), contribuyente), f"/solicitudes/{solicitud.folio}/"
    else:
        cliente, ruta = api_de(contribuyente), f"/api/v1/solicitudes/{solicitud.folio}"
    primera = cliente.get(ruta)
    with CaptureQueriesContext(connection) as recordada:
        segunda = cliente.get(ruta)
    assert primera.status_code == segunda.status_code == 200
    assert segunda.content == primera.content or formato == "html"  # the page's token differs
    for tabla in ("promociones_solicitud", "promociones_evento", "acuses_acuse"):
        assert lecturas(recordada, tabla) == 0, tabla
    assert solicitud.folio in segunda.content.decode()


def test_memory_off_reads_every_time(solicitud, contribuyente, settings):
    settings.BUZON_DETALLE_PAGINAS = 0
    cliente = iniciar_sesion(Client(), contribuyente)
    cliente.get(f"/solicitudes/{solicitud.folio}/")
    with CaptureQueriesContext(connection) as otra:
        cliente.get(f"/solicitudes/{solicitud.folio}/")
    assert lecturas(otra, "promociones_evento") > 0


def test_a_staff_view_shows_at_the_taxpayers_next_view(solicitud, contribuyente, analista):
    pagina = iniciar_sesion(Client(), contribuyente)
    api = api_de(contribuyente)
    ruta, ruta_api = f"/solicitudes/{solicitud.folio}/", f"/api/v1/solicitudes/{solicitud.folio}"
    assert 'data-testid="consultas-del-instituto-vacio"' in pagina.get(ruta).content.decode()
    assert json.loads(api.get(ruta_api).content)["consultas_del_instituto"] == []
    assert sesion_de(analista).get(f"/atencion/{solicitud.folio}/").status_code == 200
    html = pagina.get(ruta).content.decode()
    assert 'data-testid="consultas-del-instituto"' in html
    assert "Consultó la solicitud" in html
    assert [c["accion"] for c in json.loads(api.get(ruta_api).content)["consultas_del_instituto"]]


def test_an_extension_and_an_answer_show_at_once(solicitud, contribuyente, supervisor, analista):
    pagina = iniciar_sesion(Client(), contribuyente)
    ruta = f"/solicitudes/{solicitud.folio}/"
    assert "Prórroga" not in pagina.get(ruta).content.decode()
    services.otorgar_prorroga(
        solicitud=solicitud, actor=supervisor, nota="Se requiere más tiempo.", dias_habiles=3
    )
    html = pagina.get(ruta).content.decode()
    assert "Prórroga" in html
    assert 'data-testid="verificar-prorroga"' in html  # its acuse, listed
    services.responder(
        solicitud=Solicitud.objects.get(pk=solicitud.pk),
        actor=analista,
        texto="Su aclaración procede; se corrigió la cédula.",
        documento=pdf_subido(),
    )
    html = pagina.get(ruta).content.decode()
    assert 'data-testid="respuesta"' in html
    assert "Su aclaración procede" in html
    datos = json.loads(api_de(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}").content)
    assert datos["estatus"] == "atendido"


def test_it_never_answers_for_another_taxpayer(solicitud, contribuyente, otro_contribuyente):
    assert (
        iniciar_sesion(Client(), contribuyente).get(f"/solicitudes/{solicitud.folio}/").status_code
        == 200
    )
    assert api_de(contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}").status_code == 200
    otro = iniciar_sesion(Client(), otro_contribuyente)
    assert otro.get(f"/solicitudes/{solicitud.folio}/").status_code == 404
    r = api_de(otro_contribuyente).get(f"/api/v1/solicitudes/{solicitud.folio}")
    assert r.status_code == 404
    assert solicitud.folio not in r.content.decode()
