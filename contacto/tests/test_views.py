"""The Medios de contacto page and the after-login reminder."""

from __future__ import annotations

import pytest

from atencion.tests.conftest import sesion_de
from contacto.models import MedioContacto
from contacto.tests.conftest import codigo_enviado

pytestmark = pytest.mark.django_db


def test_register_and_confirm_from_the_page_masked(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    pagina = cliente.get("/medios/")
    assert pagina.status_code == 200
    assert "Medios de contacto" in pagina.content.decode()
    r = cliente.post("/medios/telefono", {"numero": "55 8765 4321"}, follow=True)
    html = r.content.decode()
    assert "55******21" in html and "5587654321" not in html
    r = cliente.post(
        "/medios/telefono/confirmacion", {"codigo": codigo_enviado("5587654321")}, follow=True
    )
    assert "quedó confirmado" in r.content.decode()
    cliente.post("/medios/correos", {"direccion": "maria@dominio.mx"})
    medio = MedioContacto.objects.get(tipo="correo")
    r = cliente.post(
        f"/medios/correos/{medio.pk}/confirmacion",
        {"codigo": codigo_enviado("maria@dominio.mx")},
        follow=True,
    )
    assert "m***@dominio.mx" in r.content.decode()
    medio.refresh_from_db()
    assert medio.confirmado is not None


def test_a_wrong_code_shows_next_to_the_field(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    cliente.post("/medios/telefono", {"numero": "5587654321"})
    r = cliente.post("/medios/telefono/confirmacion", {"codigo": "000000"})
    if codigo_enviado("5587654321") == "000000":
        pytest.skip("el código al azar fue 000000")
    assert r.status_code == 400
    assert "Te quedan 4 intentos" in r.content.decode()


def test_another_taxpayer_cannot_touch_my_means(contribuyente, otro_contribuyente):
    sesion_de(contribuyente.usuario).post("/medios/correos", {"direccion": "maria@dominio.mx"})
    medio = MedioContacto.objects.get()
    intruso = sesion_de(otro_contribuyente.usuario)
    for ruta in (f"/medios/{medio.pk}/baja", f"/medios/{medio.pk}/reenvio"):
        r = intruso.post(ruta)
        assert r.status_code == 400
        assert "no existe" in r.content.decode()
    assert MedioContacto.objects.filter(pk=medio.pk).exists()
    assert "m***@dominio.mx" not in intruso.get("/medios/").content.decode()


def test_staff_cannot_open_the_page(supervisor):
    assert sesion_de(supervisor).get("/medios/").status_code == 403


def test_the_reminder_can_be_postponed_and_stops_once_a_means_is_confirmed(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    r = cliente.get("/medios/recordatorio?siguiente=/tablero/")
    assert r.status_code == 200
    assert "Recordármelo después" in r.content.decode()
    r = cliente.post("/medios/recordatorio/posponer", {"siguiente": "/tablero/"})
    assert r["Location"] == "/tablero/"
    assert cliente.get("/medios/recordatorio?siguiente=/tablero/")["Location"] == "/tablero/"
    # Never an open redirect.
    assert (
        cliente.post("/medios/recordatorio/posponer", {"siguiente": "https://malo.example/"})[
            "Location"
        ]
        == "/"
    )


def test_the_menu_links_to_the_page(contribuyente):
    html = sesion_de(contribuyente.usuario).get("/medios/").content.decode()
    assert 'href="/medios/"' in html


def test_the_tablero_offers_the_reminder_until_postponed_or_a_means_is_confirmed(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    tablero = cliente.get("/tablero/").content.decode()
    assert 'data-testid="recordatorio-medios"' in tablero
    assert 'href="/medios/"' in tablero
    # Only the Tablero pays for the check.
    assert (
        'data-testid="recordatorio-medios"'
        not in cliente.get("/promociones/aclaraciones/").content.decode()
    )
    cliente.post("/medios/recordatorio/posponer", {"siguiente": "/tablero/"})
    assert 'data-testid="recordatorio-medios"' not in cliente.get("/tablero/").content.decode()

    otra_sesion = sesion_de(contribuyente.usuario)
    otra_sesion.post("/medios/telefono", {"numero": "5587654321"})
    otra_sesion.post("/medios/telefono/confirmacion", {"codigo": codigo_enviado("5587654321")})
    assert 'data-testid="recordatorio-medios"' not in otra_sesion.get("/tablero/").content.decode()
