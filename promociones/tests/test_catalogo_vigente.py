"""The catalog each worker remembers for its lookups (promociones.catalogo.vigente,
decision 0021): read again as soon as the catalog's version moves, so every edit counts
from the very next lookup, and nothing but the version is read while it stands."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atencion.models import Area
from calendario.models import DiaInhabil
from promociones import catalogo
from promociones.models import Asunto, Servicio
from promociones.tests.test_services import registrar

pytestmark = pytest.mark.django_db

TABLAS_DEL_CATALOGO = (
    "promociones_servicio",
    "promociones_asunto",
    "calendario_diainhabil",
    "atencion_area",
)


def _aclaracion() -> Servicio:
    servicio = catalogo.servicio_por_clave("aclaracion")
    assert servicio is not None
    return servicio


def test_a_lookup_reads_only_the_version_while_it_stands(django_assert_num_queries):
    primero = catalogo.vigente()
    with django_assert_num_queries(1):  # the version
        assert catalogo.vigente() is primero
    with django_assert_num_queries(2):  # one version per lookup, nothing else
        servicio = catalogo.servicio_por_clave("aclaracion")
        assert servicio is not None
        asunto = catalogo.asunto_ofrecido(servicio, "emisiones")
    assert asunto is not None and asunto.clave == "emisiones"


def test_every_edit_counts_from_the_next_lookup():
    aclaracion = _aclaracion()
    assert catalogo.asunto_ofrecido(aclaracion, "icsoe") is not None

    Asunto.objects.filter(clave="icsoe").update(activo=False)
    assert catalogo.asunto_ofrecido(aclaracion, "icsoe") is None
    Asunto.objects.filter(clave="icsoe").update(activo=True)
    assert catalogo.asunto_ofrecido(aclaracion, "icsoe") is not None

    Asunto.objects.get(clave="icsoe").servicios.remove(aclaracion)
    assert catalogo.asunto_ofrecido(aclaracion, "icsoe") is None
    assert catalogo.asunto_ofrecido(_aclaracion(), "icsoe") is None

    Servicio.objects.filter(clave="aclaracion").update(plazo_dias_habiles=7)
    assert _aclaracion().plazo_dias_habiles == 7

    dia = date(2026, 12, 14)
    DiaInhabil.objects.create(fecha=dia, motivo="Contingencia")
    assert dia in catalogo.vigente().dias_inhabiles
    DiaInhabil.objects.filter(fecha=dia).delete()
    assert dia not in catalogo.vigente().dias_inhabiles


def test_an_asunto_offered_elsewhere_is_not_offered_here():
    emisiones = Asunto.objects.get(clave="emisiones")
    solo = Asunto.objects.create(clave="solo-aclaracion", nombre="Solo", area=emisiones.area)
    solo.servicios.add(Servicio.objects.get(clave="aclaracion"))
    orientacion = catalogo.servicio_por_clave("orientacion")
    assert orientacion is not None
    assert catalogo.asunto_ofrecido(orientacion, "solo-aclaracion") is None
    assert catalogo.asunto_ofrecido(orientacion, "emisiones") is not None
    encontrado = catalogo.asunto_ofrecido(_aclaracion(), "  solo-aclaracion\n")
    assert encontrado is not None and encontrado.pk == solo.pk
    assert catalogo.servicio_por_clave("no-existe") is None
    assert catalogo.asunto_ofrecido(_aclaracion(), "") is None


def test_each_lookup_gets_its_own_copy():
    """A caller may change or cache on what it got; the next caller gets the catalog."""
    servicio = _aclaracion()
    servicio.nombre = "Cambiado por quien lo pidió"
    asunto = catalogo.asunto_ofrecido(servicio, "emisiones")
    assert asunto is not None
    asunto.nombre = "Cambiado también"
    assert _aclaracion().nombre == "Aclaración"
    otra = catalogo.asunto_ofrecido(_aclaracion(), "emisiones")
    assert otra is not None and otra.nombre != "Cambiado también" and otra is not asunto


def test_an_asuntos_area_is_read_when_asked_for_never_remembered():
    """Renaming an area does not move the catalog's version: its name is read fresh."""
    asunto = catalogo.asunto_ofrecido(_aclaracion(), "emisiones")
    assert asunto is not None
    _ = asunto.area.nombre  # a caller caching the area on its copy
    Area.objects.filter(pk=asunto.area_id).update(nombre="Emisiones (renombrada)")
    otra = catalogo.asunto_ofrecido(_aclaracion(), "emisiones")
    assert otra is not None and otra.area.nombre == "Emisiones (renombrada)"


def test_a_filing_reads_no_catalog_table_once_the_catalog_is_remembered(contribuyente):
    registrar(contribuyente)
    with CaptureQueriesContext(connection) as capturadas:
        solicitud = registrar(contribuyente, momento=datetime(2026, 12, 11, 18, tzinfo=UTC))
    leidas = [q["sql"] for q in capturadas.captured_queries]
    versiones = [sql for sql in leidas if "promociones_versioncatalogo" in sql]
    assert versiones == ["SELECT version FROM promociones_versioncatalogo WHERE id = 1"]
    for tabla in TABLAS_DEL_CATALOGO:
        assert not [sql for sql in leidas if f'FROM "{tabla}"' in sql], tabla
    assert solicitud.area_id == Asunto.objects.get(clave="emisiones").area_id


def test_a_day_declared_after_the_catalog_was_remembered_moves_the_next_filings_term(
    contribuyente,
):
    momento = datetime(2026, 12, 11, 18, tzinfo=UTC)  # Friday 11 December, in Mexico City
    antes = registrar(contribuyente, momento=momento)
    assert antes.respuesta_a_partir_del == date(2026, 12, 28)  # 25 December is a holiday
    DiaInhabil.objects.create(fecha=date(2026, 12, 14), motivo="Contingencia")
    despues = registrar(contribuyente, momento=momento)
    assert despues.computo_desde == antes.computo_desde == date(2026, 12, 11)
    assert despues.respuesta_a_partir_del == date(2026, 12, 29)
