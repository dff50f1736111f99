"""The catalog the data migration seeds, and the admin that edits it."""

import time
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from atencion.models import Area
from calendario.models import DiaInhabil
from cuentas.middleware import SESSION_INICIO
from promociones.models import Asunto, Servicio
from tests.personas import sesion_verificada

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
def test_administrators_reach_every_catalog_and_calendar_page_in_admin(client, ruta):
    assert _administrador(client).get(ruta).status_code == 200


def _administrador(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "x")
    client.force_login(admin)
    sesion = client.session
    sesion[SESSION_INICIO] = time.time()
    sesion_verificada(sesion, admin)  # the admin asks for the second factor too
    sesion.save()
    return client


class _Formulario(HTMLParser):
    """The values a browser would send back from the admin's change form, as is."""

    def __init__(self) -> None:
        super().__init__()
        self.datos: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        nombre = a.get("name")
        if tag == "input" and nombre and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.datos.setdefault(nombre, []).append(a.get("value", "on"))
        elif tag == "textarea" and nombre:
            self._textarea = nombre
            self.datos[nombre] = [""]
        elif tag == "select" and nombre:
            self._select = nombre
            self.datos.setdefault(nombre, [])
        elif tag == "option" and self._select and "selected" in a:
            self.datos[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.datos[self._textarea][-1] += data


def test_an_administrator_edits_an_asunto_and_adds_a_non_working_day_in_admin(client):
    admin = _administrador(client)
    asunto = Asunto.objects.get(clave="icsoe")
    url = f"/admin/promociones/asunto/{asunto.pk}/change/"
    formulario = _Formulario()
    formulario.feed(admin.get(url).content.decode())
    datos = formulario.datos
    datos["recomendaciones"] = ["Adjunta el acuse de la ICSOE y el comprobante de pago."]
    datos["plazo_dias_habiles"] = ["12"]
    respuesta = admin.post(url, datos)
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    asunto.refresh_from_db()
    assert asunto.recomendaciones == "Adjunta el acuse de la ICSOE y el comprobante de pago."
    assert asunto.plazo_dias_habiles == 12
    respuesta = admin.post(
        "/admin/calendario/diainhabil/add/",
        {"fecha": "2026-12-24", "motivo": "Acuerdo institucional: Nochebuena"},
    )
    assert respuesta.status_code == 302
    assert DiaInhabil.objects.get(fecha=date(2026, 12, 24)).motivo.endswith("Nochebuena")
