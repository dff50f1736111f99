"""The catalog's version (migration 0013): the database raises it with every change to a
servicio, an asunto or the servicios an asunto is offered in, whatever makes the change;
each worker's asunto list is read again once a check finds a new version, and not
before the check is due, nor kept past a minute. Across two real app servers:
tests/produccion."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from calendario.models import DiaInhabil
from promociones.catalogo import version_del_catalogo
from promociones.consultas import catalogo_asuntos
from promociones.models import Asunto, Servicio
from promociones.tests.conftest import iniciar_sesion
from promociones.tests.test_tablero import crear

pytestmark = pytest.mark.django_db


def sube(cambio) -> bool:
    antes = version_del_catalogo()
    cambio()
    return version_del_catalogo() > antes


def test_every_kind_of_catalog_change_raises_the_version(catalogo):
    emisiones = Asunto.objects.get(clave="emisiones")
    aclaracion = Servicio.objects.get(clave="aclaracion")

    def renombrar():
        emisiones.nombre = "Emisiones de cuotas"
        emisiones.save()

    def nuevo():
        Asunto.objects.create(
            clave="nuevo", nombre="Nuevo", area=emisiones.area, plazo_dias_habiles=5
        )

    def sin_sql_de_django():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE promociones_servicio SET nombre = 'Aclaraciones IMSS'")

    assert sube(renombrar)
    assert sube(lambda: Asunto.objects.filter(clave="icsoe").update(activo=False))
    assert sube(nuevo)
    assert sube(lambda: Asunto.objects.get(clave="nuevo").servicios.add(aclaracion))
    assert sube(lambda: Asunto.objects.get(clave="nuevo").servicios.remove(aclaracion))
    assert sube(lambda: Asunto.objects.filter(clave="nuevo").delete())
    assert sube(lambda: Servicio.objects.filter(clave="orientacion").update(plazo_dias_habiles=6))
    assert sube(sin_sql_de_django)


def test_declaring_a_non_working_day_raises_the_version(db):
    """Pages remembered on the catalog's read count business days (migration 0016)."""
    dia = date(2026, 12, 14)
    assert sube(lambda: DiaInhabil.objects.create(fecha=dia, motivo="Contingencia"))
    assert sube(lambda: DiaInhabil.objects.filter(fecha=dia).update(motivo="Acuerdo"))
    assert sube(lambda: DiaInhabil.objects.filter(fecha=dia).delete())


def test_requests_and_taxpayers_do_not_touch_the_catalogs_version(contribuyente):
    antes = version_del_catalogo()
    crear(contribuyente, 3)
    assert version_del_catalogo() == antes


def test_the_list_is_kept_until_a_check_is_due_then_read_again_only_if_it_changed(
    catalogo, settings, monkeypatch, django_assert_num_queries
):
    settings.CATALOGO_REVISAR_CADA_SEGUNDOS = 3600
    primero = catalogo_asuntos()
    Asunto.objects.filter(clave="icsoe").update(nombre="ICSOE renombrado")
    with django_assert_num_queries(0):  # no check due: the list in memory, as it was
        assert catalogo_asuntos() is primero
    assert dict(primero.opciones)["icsoe"] == "ICSOE"

    settings.CATALOGO_REVISAR_CADA_SEGUNDOS = 0  # every call is due for a check
    with django_assert_num_queries(2):  # the version, then the list
        segundo = catalogo_asuntos()
    assert dict(segundo.opciones)["icsoe"] == "ICSOE renombrado"
    assert segundo.version > primero.version and segundo.leido > primero.leido
    with django_assert_num_queries(1):  # the version alone: unchanged, the same list
        assert catalogo_asuntos() is segundo

    # After a minute it is read again all the same: what atencion remembers of the staff
    # is keyed on this read (a person given a role shows within a minute).
    monkeypatch.setattr("promociones.consultas._RELEER_SEGUNDOS", 0)
    with django_assert_num_queries(2):
        tercero = catalogo_asuntos()
    assert tercero is not segundo and tercero.version == segundo.version


def test_the_tablero_shows_an_edit_once_the_check_is_due(contribuyente, settings):
    crear(contribuyente, 1, asunto="icsoe")
    cliente = iniciar_sesion(Client(), contribuyente)
    settings.CATALOGO_REVISAR_CADA_SEGUNDOS = 3600
    assert cliente.get("/tablero/").content.decode().count(">ICSOE<") == 2  # row, option
    Asunto.objects.filter(clave="icsoe").update(nombre="Servicios especializados")
    # The remembered page and the options, as long as no check is due.
    assert ">Servicios especializados<" not in cliente.get("/tablero/").content.decode()
    settings.CATALOGO_REVISAR_CADA_SEGUNDOS = 0
    html = cliente.get("/tablero/").content.decode()
    assert html.count(">Servicios especializados<") == 2 and ">ICSOE<" not in html
