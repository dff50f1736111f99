"""The dates of a canalized request as the guide reads them (VIII.3): the Tablero's
*Fecha de respuesta/Canalización* and the API's ``fecha_respuesta_o_canalizacion`` are
the new response date; the day it was canalized is ``canalizada``; Detalle names both."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from atencion import services
from atencion.tests.conftest import pdf_subido, sesion_de
from promociones.models import Solicitud
from promociones.tests.conftest import iniciar_sesion, token_para

pytestmark = pytest.mark.django_db

# Saturday 7 March 2026, 11:00 in Mexico City: counted from Monday 9 March.
SABADO = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
# Thursday 12 March 2026, 12:00 in Mexico City.
JUEVES = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)


def canalizar(solicitud, supervisor):
    return services.canalizar(
        solicitud=solicitud,
        actor=supervisor,
        nota="Corresponde a la activación del buzón.",
        servicio="orientacion",
        asunto="activacion-buzon",
        momento=SABADO,
    )


def fila_del_tablero(cliente: Client, folio: str) -> list[str]:
    html = cliente.get("/tablero/").content.decode()
    fila = next(f for f in re.findall(r"<tr>(.*?)</tr>", html, re.S) if folio in f)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", fila, re.S)]


def datos_del_detalle(cliente: Client, folio: str) -> dict[str, str]:
    html = cliente.get(f"/solicitudes/{folio}/").content.decode()
    lista = html.split('<dl class="datos">', 1)[1].split("</dl>", 1)[0]
    pares = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", lista, re.S)
    return {dt: re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pares}


def test_after_canalizacion_the_tablero_shows_the_new_response_date(
    solicitud, supervisor, contribuyente
):
    cliente = iniciar_sesion(Client(), contribuyente)
    antes = fila_del_tablero(cliente, solicitud.folio)
    assert antes[-1] == "—"
    canalizar(solicitud, supervisor)
    fila = fila_del_tablero(cliente, solicitud.folio)
    # ... Respuesta a partir del, Estatus, Fecha de respuesta/Canalización
    assert fila[-3:] == ["17/03/2026", "Canalizado", "17/03/2026"]
    assert "07/03/2026" not in fila  # not the day it was canalized: no one reads it as a deadline


def test_detalle_names_both_dates_of_a_canalized_request(solicitud, supervisor, contribuyente):
    canalizar(solicitud, supervisor)
    datos = datos_del_detalle(iniciar_sesion(Client(), contribuyente), solicitud.folio)
    assert datos["Canalizada el"] == "07/03/2026"
    assert datos["Nueva fecha de respuesta a partir del"] == "17/03/2026"
    assert datos["Respuesta a partir del"] == "17/03/2026"
    assert "Fecha de respuesta/Canalización" not in datos


def test_detalle_of_an_answered_request_shows_the_day_answered_and_the_day_canalized(
    solicitud, supervisor, contribuyente
):
    canalizar(solicitud, supervisor)
    services.responder(
        solicitud=solicitud,
        actor=supervisor,
        texto="Atendida en Orientación.",
        documento=pdf_subido(),
        momento=JUEVES,
    )
    cliente = iniciar_sesion(Client(), contribuyente)
    datos = datos_del_detalle(cliente, solicitud.folio)
    assert datos["Fecha de respuesta/Canalización"] == "12/03/2026"
    assert datos["Canalizada el"] == "07/03/2026"
    assert fila_del_tablero(cliente, solicitud.folio)[-2:] == ["Atendido", "12/03/2026"]


def test_a_request_never_canalized_shows_no_canalizada_date(solicitud, contribuyente):
    datos = datos_del_detalle(iniciar_sesion(Client(), contribuyente), solicitud.folio)
    assert datos["Fecha de respuesta/Canalización"] == "—"
    assert "Canalizada el" not in datos


def test_the_api_lists_and_details_both_dates(solicitud, supervisor, contribuyente):
    canalizar(solicitud, supervisor)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    detalle = api.get(f"/api/v1/solicitudes/{solicitud.folio}").json()
    assert (detalle["fecha_respuesta_o_canalizacion"], detalle["canalizada"]) == (
        "2026-03-17",
        "2026-03-07",
    )
    (fila,) = api.get("/api/v1/solicitudes").json()["resultados"]
    assert (fila["fecha_respuesta_o_canalizacion"], fila["canalizada"]) == (
        "2026-03-17",
        "2026-03-07",
    )


def test_the_tablero_reads_a_canalized_page_with_the_same_queries(
    solicitud, supervisor, contribuyente, settings
):
    # The date is a column of the row the Tablero already reads (decision 0012): a
    # canalized request costs no query more than a received one.
    settings.BUZON_TABLERO_PAGINAS = 0  # read the page every time
    cliente = iniciar_sesion(Client(), contribuyente)
    cliente.get("/tablero/")
    with CaptureQueriesContext(connection) as antes:
        cliente.get("/tablero/")
    canalizar(solicitud, supervisor)
    cliente.get("/tablero/")
    with CaptureQueriesContext(connection) as despues:
        cliente.get("/tablero/")
    assert len(despues) == len(antes)


def test_the_migration_separates_the_dates_of_requests_canalized_before_it(
    solicitud, supervisor, contribuyente
):
    canalizar(solicitud, supervisor)
    # As a canalización left them before: its own day in the Tablero's date, no canalizada.
    Solicitud.objects.filter(pk=solicitud.pk).update(
        fecha_respuesta_o_canalizacion=date(2026, 3, 7), canalizada=None
    )
    otra = services.canalizar(
        solicitud=Solicitud.objects.create(
            folio="A-2026-900001",
            contribuyente=contribuyente,
            servicio=solicitud.servicio,
            asunto=solicitud.asunto,
            descripcion="Otra.",
            recibida=SABADO,
            computo_desde=date(2026, 3, 9),
            respuesta_a_partir_del=date(2026, 3, 23),
            area=solicitud.area,
        ),
        actor=supervisor,
        nota="Va a ICSOE.",
        servicio="aclaracion",
        asunto="icsoe",
        momento=SABADO,
    )
    # Answered since: keeps the day it was answered.
    Solicitud.objects.filter(pk=otra.pk).update(
        estatus="atendido", fecha_respuesta_o_canalizacion=date(2026, 3, 12), canalizada=None
    )
    migracion = import_module("promociones.migrations.0011_canalizada")
    migracion.separar_fechas(apps, None)
    uno, dos = (Solicitud.objects.get(pk=s.pk) for s in (solicitud, otra))
    assert (uno.fecha_respuesta_o_canalizacion, uno.canalizada) == (
        date(2026, 3, 17),
        date(2026, 3, 7),
    )
    assert (dos.fecha_respuesta_o_canalizacion, dos.canalizada) == (
        date(2026, 3, 12),
        date(2026, 3, 7),
    )
    migracion.juntar_fechas(apps, None)
    assert Solicitud.objects.get(pk=solicitud.pk).fecha_respuesta_o_canalizacion == date(2026, 3, 7)


def prorrogar(solicitud, supervisor, dias: int = 3):
    return services.otorgar_prorroga(
        solicitud=solicitud,
        actor=supervisor,
        nota="El área necesita los movimientos de IDSE.",
        dias_habiles=dias,
        momento=JUEVES,
    )


def datos_del_detalle_del_personal(cliente: Client, folio: str) -> dict[str, str]:
    html = cliente.get(f"/atencion/{folio}/").content.decode()
    lista = html.split('<dl class="datos">', 1)[1].split("</dl>", 1)[0]
    pares = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", lista, re.S)
    return {dt: re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pares}


def test_a_prorroga_after_canalizacion_moves_the_tablero_date_too(
    solicitud, supervisor, contribuyente
):
    canalizar(solicitud, supervisor)
    # 17/03 + 3 business days: 18, 19 and 20 March.
    prorrogada = prorrogar(Solicitud.objects.get(pk=solicitud.pk), supervisor)
    assert prorrogada.respuesta_a_partir_del == date(2026, 3, 20)
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert (guardada.fecha_respuesta_o_canalizacion, guardada.canalizada) == (
        date(2026, 3, 20),
        date(2026, 3, 7),
    )
    cliente = iniciar_sesion(Client(), contribuyente)
    assert fila_del_tablero(cliente, solicitud.folio)[-3:] == [
        "20/03/2026",
        "En prórroga",
        "20/03/2026",
    ]
    datos = datos_del_detalle(cliente, solicitud.folio)
    assert datos["Fecha de respuesta/Canalización"] == "20/03/2026"
    assert datos["Canalizada el"] == "07/03/2026"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")
    detalle = api.get(f"/api/v1/solicitudes/{solicitud.folio}").json()
    assert (detalle["fecha_respuesta_o_canalizacion"], detalle["canalizada"]) == (
        "2026-03-20",
        "2026-03-07",
    )


def test_a_prorroga_of_a_request_never_canalized_leaves_the_tablero_date_empty(
    solicitud, supervisor, contribuyente
):
    antes = solicitud.respuesta_a_partir_del
    prorrogada = prorrogar(solicitud, supervisor)
    assert prorrogada.respuesta_a_partir_del > antes
    guardada = Solicitud.objects.get(pk=solicitud.pk)
    assert (guardada.fecha_respuesta_o_canalizacion, guardada.canalizada) == (None, None)
    fila = fila_del_tablero(iniciar_sesion(Client(), contribuyente), solicitud.folio)
    assert fila[-2:] == ["En prórroga", "—"]


def test_the_staff_detalle_names_the_dates_as_the_taxpayers_detalle_does(solicitud, supervisor):
    cliente = sesion_de(supervisor)
    nunca = datos_del_detalle_del_personal(cliente, solicitud.folio)
    assert nunca["Fecha de respuesta/Canalización"] == "—"
    assert "Canalizada el" not in nunca

    canalizar(solicitud, supervisor)
    canalizada = datos_del_detalle_del_personal(cliente, solicitud.folio)
    assert canalizada["Canalizada el"] == "07/03/2026"
    assert canalizada["Nueva fecha de respuesta a partir del"] == "17/03/2026"
    assert "Fecha de respuesta/Canalización" not in canalizada

    prorrogar(Solicitud.objects.get(pk=solicitud.pk), supervisor)
    prorrogada = datos_del_detalle_del_personal(cliente, solicitud.folio)
    assert prorrogada["Respuesta a partir del"] == "20/03/2026"
    assert prorrogada["Fecha de respuesta/Canalización"] == "20/03/2026"
    assert prorrogada["Canalizada el"] == "07/03/2026"
