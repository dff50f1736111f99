"""The queue as CSV: UTF-8 with BOM, Spanish columns, the queue's filters, formula
cells neutralised, streamed in keyset slices."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from atencion import consultas, exportacion
from atencion.tests.conftest import api_de, presentar, sesion_de
from calendario.services import fecha_en_mexico
from promociones.models import Solicitud
from tests.personas import crear_contribuyente

pytestmark = pytest.mark.django_db

API = "/api/v1/atencion/solicitudes.csv"
PAGINA = "/atencion/exportar.csv"


@pytest.fixture(autouse=True)
def sin_memoria():
    consultas.olvidar_plazos()
    consultas.olvidar_plegado()


def _leer(r) -> list[list[str]]:
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="solicitudes-')
    assert r.streaming
    crudo = b"".join(r.streaming_content)
    assert crudo.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(crudo.decode("utf-8-sig"))))


def test_columns_accents_and_filters(contribuyente, otro_contribuyente, supervisor):
    vieja = presentar(contribuyente)
    otra = presentar(otro_contribuyente, servicio="orientacion", evidencia=None)
    presentar(contribuyente, asunto="icsoe")  # another area: never exported
    filas = _leer(api_de(supervisor).get(API))
    assert filas[0] == exportacion.COLUMNAS
    assert filas[0][3] == "Área" and filas[0][7].startswith("Recibida")
    assert {f[0] for f in filas[1:]} == {vieja.folio, otra.folio} and len(filas) == 3
    fila = dict(zip(filas[0], next(f for f in filas if f[0] == vieja.folio), strict=True))
    assert fila["Nombre"] == "MARÍA JOSÉ PEÑA NÚÑEZ"  # accents and ñ round-trip
    assert fila["Servicio"] == "Aclaración" and fila["Área"].startswith("Emisiones")
    assert fila["RFC"] == contribuyente.rfc and fila["Estatus"] == "Recibido"
    assert fila["Recibida (hora de la Ciudad de México)"] == "02/03/2026 10:00"
    assert fila["Vencida"] == "Sí" and fila["Asignada a"] == ""
    # The queue's filters apply, on the API and from the page alike.
    solo = _leer(api_de(supervisor).get(API, {"servicio": "orientacion"}))
    assert [f[0] for f in solo[1:]] == [otra.folio]
    pagina = _leer(sesion_de(supervisor).get(PAGINA, {"q": contribuyente.rfc}))
    assert [f[0] for f in pagina[1:]] == [vieja.folio]
    vencidas = _leer(sesion_de(supervisor).get(PAGINA, {"vencidas": "true", "estatus": ""}))
    assert {f[0] for f in vencidas[1:]} == {vieja.folio, otra.folio} and len(vencidas) == 3


def test_formula_cells_are_neutralised(supervisor):
    for i, nombre in enumerate(['=HYPERLINK("http://x","y")', "+SUM(1)", "-2+3", "@cmd", "\tTAB"]):
        t = crear_contribuyente(f"AAA01010{i}AA{i}", nombre)
        presentar(t)
    filas = _leer(api_de(supervisor).get(API))
    nombres = [f[5] for f in filas[1:]]
    assert sorted(nombres) == sorted(
        ['\'=HYPERLINK("http://x","y")', "'+SUM(1)", "'-2+3", "'@cmd", "'\tTAB"]
    )
    assert exportacion.neutralizar("María") == "María"


def test_streamed_in_keyset_slices_without_repeating_or_losing_rows(
    contribuyente, supervisor, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exportacion, "LOTE", 3)
    base = presentar(contribuyente)
    hoy = fecha_en_mexico(timezone.now())
    Solicitud.objects.bulk_create(
        [
            Solicitud(
                folio=f"A-2026-{700000 + i:06d}",
                contribuyente=contribuyente,
                servicio_id=base.servicio_id,
                asunto_id=base.asunto_id,
                area_id=base.area_id,
                descripcion="Carga",
                recibida=base.recibida,
                computo_desde=base.computo_desde,
                # Several rows share each date: the slices must break ties by id.
                respuesta_a_partir_del=hoy.replace(day=1) if i % 2 else base.respuesta_a_partir_del,
            )
            for i in range(10)
        ]
    )
    r = api_de(supervisor).get(API)
    partes = list(r.streaming_content)  # type: ignore[attr-defined]
    assert len(partes) >= 4  # the header, then one chunk per slice of 3
    filas = list(csv.reader(io.StringIO(b"".join(partes).decode("utf-8-sig"))))[1:]
    esperados = list(
        Solicitud.objects.order_by("respuesta_a_partir_del", "id").values_list("folio", flat=True)
    )
    assert [f[0] for f in filas] == esperados and len(esperados) == 11


def test_only_staff_download_and_a_bad_filter_goes_back_to_the_page(contribuyente, supervisor):
    from django.test import Client

    from promociones.tests.conftest import iniciar_sesion

    presentar(contribuyente)
    assert Client().get(PAGINA).status_code == 302
    assert iniciar_sesion(Client(), contribuyente).get(PAGINA).status_code == 403
    r = sesion_de(supervisor).get(PAGINA, {"q": "nada"}, follow=True)
    assert "Busca por un folio" in r.content.decode()
