"""The catalog the data migration seeds, and the admin that edits it."""

import time

import pytest
from django.contrib.auth import get_user_model

from atencion.models import Area
from cuentas.middleware import SESSION_INICIO
from promociones.models import Asunto, Servicio

pytestmark = pytest.mark.django_db

CLAVES = [
    "32d-opinion-publica",
    "32d-terceros-autorizados",
    "activacion-buzon",
    "emisiones",
    "icsoe",
    "notificacion-electronica",
]


def test_migration_seeds_both_services_with_their_rules():
    aclaracion = Servicio.objects.get(clave="aclaracion")
    orientacion = Servicio.objects.get(clave="orientacion")
    assert (aclaracion.nombre, aclaracion.nombre_plural, aclaracion.inicial_folio) == (
        "Aclaración",
        "Aclaraciones",
        "A",
    )
    assert aclaracion.requiere_telefono and aclaracion.requiere_evidencia
    assert aclaracion.plazo_dias_habiles == 10
    assert (orientacion.inicial_folio, orientacion.plazo_dias_habiles) == ("O", 5)
    assert not orientacion.requiere_telefono and not orientacion.requiere_evidencia


def test_migration_seeds_the_guides_asuntos_in_both_services_with_their_areas():
    asuntos = list(Asunto.objects.order_by("orden"))
    assert [a.clave for a in asuntos] == CLAVES
    assert [a.nombre for a in asuntos] == [
        "32D Opinión Pública",
        "32D Terceros autorizados",
        "Activación Buzón IMSS",
        "Emisiones",
        "ICSOE",
        "Notificación Electrónica",
    ]
    areas = {a.clave: a.area.clave for a in asuntos}
    assert areas == {
        "32d-opinion-publica": "cobranza-32d",
        "32d-terceros-autorizados": "cobranza-32d",
        "activacion-buzon": "atencion-buzon",
        "emisiones": "emisiones",
        "icsoe": "icsoe",
        "notificacion-electronica": "atencion-buzon",
    }
    for asunto in asuntos:
        assert sorted(asunto.servicios.values_list("clave", flat=True)) == [
            "aclaracion",
            "orientacion",
        ]
        assert asunto.activo and "adjunta" in asunto.recomendaciones
    assert Area.objects.count() == 4


def test_reseeding_keeps_an_administrators_edits():
    from importlib import import_module

    from django.apps import apps

    Asunto.objects.filter(clave="icsoe").update(recomendaciones="Texto del administrador")
    import_module("promociones.migrations.0002_catalogo").sembrar(apps, None)
    assert Asunto.objects.get(clave="icsoe").recomendaciones == "Texto del administrador"
    assert Asunto.objects.count() == 6


@pytest.mark.parametrize(
    "ruta",
    [
        "/admin/promociones/servicio/",
        "/admin/promociones/asunto/",
        "/admin/atencion/area/",
        "/admin/atencion/adscripcion/",
        "/admin/calendario/diainhabil/",
        "/admin/promociones/asunto/add/",
    ],
)
def test_administrators_edit_the_catalog_and_calendar_in_admin(client, ruta):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "x")
    client.force_login(admin)
    sesion = client.session
    sesion[SESSION_INICIO] = time.time()
    sesion.save()
    assert client.get(ruta).status_code == 200
