"""The Jinja2 environment keeps Django's output: escaping, local dates and its filters."""

from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.template.loader import render_to_string

jinja = engines["jinja2"]


def test_html_is_escaped_and_text_is_not():
    texto = "<b>Ñandú & «Cía»</b>"
    # A template built from a string has no extension: escaped, the safe side.
    assert jinja.from_string("{{ t }}").render({"t": texto}) == (
        "&lt;b&gt;Ñandú &amp; «Cía»&lt;/b&gt;"
    )
    html = render_to_string("404.html", {"rutas": {"inicio": '/"><script>'}})
    assert '/"><script>' not in html
    assert "/&#34;&gt;&lt;script&gt;" in html
    sms = render_to_string(
        "avisos/canalizacion/sms.txt",
        {
            "folio": "O-2026-000001",
            "servicio": "Orientación",
            "asunto": "ICSOE & REPSE",
            "nueva_fecha": date(2026, 3, 20),
        },
    )
    assert "ICSOE & REPSE" in sms and "&amp;" not in sms and "20/03/2026" in sms


def test_date_shows_mexico_city_time_like_django():
    plantilla = jinja.from_string(
        '{{ m|date("d/m/Y H:i") }}|{{ d|date("d/m/Y") }}|{{ n|date("d/m/Y") }}'
    )
    # 05:30 UTC on 1 January is still 31 December in Mexico City (UTC-6).
    salida = plantilla.render(
        {"m": datetime(2026, 1, 1, 5, 30, tzinfo=UTC), "d": date(2026, 3, 13), "n": None}
    )
    assert salida == "31/12/2025 23:30|13/03/2026|"


def test_django_filters_keep_their_output():
    plantilla = jinja.from_string(
        "{{ n|pluralize('es') }}|{{ b|filesizeformat }}|{{ t|linebreaksbr }}|{{ q|urlencode }}"
        "|{{ v|default('—', true) }}"
    )
    salida = plantilla.render({"n": 2, "b": 10_485_759, "t": "a\n<b>", "q": "a b/ñ", "v": ""})
    assert salida == "es|10.0\xa0MB|a<br>&lt;b&gt;|a%20b/%C3%B1|—"


def test_a_misspelt_attribute_fails_instead_of_rendering_blank():
    import jinja2
    import pytest

    with pytest.raises(jinja2.UndefinedError):
        jinja.from_string("{{ no_existe.campo }}").render({})


def _campos_csrf(html: str) -> list[str]:
    import re

    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def test_every_form_of_a_page_carries_one_csrf_field_made_once_and_it_is_accepted(
    contribuyente,
):
    """buzon.context_processors.campo_csrf (decision 0022): the frame's two forms (Salir
    and the contact-means reminder) carry the same masked token, and a form posted with
    it passes Django's CSRF check."""
    from django.test import Client

    from promociones.tests.conftest import iniciar_sesion

    cliente = iniciar_sesion(Client(enforce_csrf_checks=True), contribuyente)
    html = cliente.get("/tablero/").content.decode()
    assert 'data-testid="recordatorio-medios"' in html  # no contact means yet: two forms
    campos = _campos_csrf(html)
    assert len(campos) == 2 and len(set(campos)) == 1
    # The next page masks anew: made once per page, not once per session.
    assert _campos_csrf(cliente.get("/tablero/").content.decode())[0] != campos[0]
    assert cliente.post("/salir/").status_code == 403
    assert cliente.post("/salir/", {"csrfmiddlewaretoken": campos[0]}).status_code == 302
    assert cliente.get("/tablero/").status_code == 302  # logged out


def test_a_page_without_a_form_sets_no_csrf_cookie(client):
    from django.conf import settings

    respuesta = client.get("/soporte/")
    assert respuesta.status_code == 200
    assert 'name="csrfmiddlewaretoken"' not in respuesta.content.decode()
    assert settings.CSRF_COOKIE_NAME not in respuesta.cookies


def test_a_link_without_arguments_is_reversed_once_and_follows_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from buzon.plantillas import _url, _url_fija

    _url_fija.cache_clear()
    assert _url("acuses:verificar_archivo") == reverse("acuses:verificar_archivo")
    assert _url("acuses:verificar_archivo") == reverse("acuses:verificar_archivo")
    assert _url_fija.cache_info().hits == 1
    set_script_prefix("/buzon/")
    try:
        con_prefijo = _url("acuses:verificar_archivo")
        assert con_prefijo == reverse("acuses:verificar_archivo")
        assert con_prefijo.startswith("/buzon/")
    finally:
        set_script_prefix("/")
    assert _url("acuses:verificar_archivo") == reverse("acuses:verificar_archivo")
    assert not _url("acuses:verificar_archivo").startswith("/buzon/")
    assert _url("promociones:servicio", "aclaracion") == reverse(
        "promociones:servicio", args=["aclaracion"]
    )


@pytest.mark.django_db
def test_the_frame_s_fixed_parts_are_made_once_and_are_the_macros_output(contribuyente):
    """base.html places buzon/marco.html's macros as made once per process (decision
    0023): the bytes a page carries are the macros' own, and a second page makes none
    again; another script prefix gets a frame of its own."""
    from django.test import Client
    from django.urls import reverse, set_script_prefix

    from buzon.context_processors import rutas_fijas
    from buzon.plantillas import _marco, _marco_fijo
    from promociones.tests.conftest import iniciar_sesion

    env = engines["jinja2"].env  # type: ignore[attr-defined]
    cliente = iniciar_sesion(Client(), contribuyente)
    _marco_fijo.cache_clear()
    primera = cliente.get("/tablero/").content.decode()
    modulo = env.get_template("buzon/marco.html").module
    partes = (modulo.cabeza(), modulo.salto(), modulo.barra_institucional())
    for parte in (*partes, modulo.marca(rutas_fijas()), modulo.pie(rutas_fijas())):
        assert str(parte) in primera
    assert 'data-testid="pie-verificar"' in primera
    assert cliente.get("/tablero/").content.decode().count('data-testid="pie-verificar"') == 1
    assert _marco_fijo.cache_info().misses == 1 and _marco_fijo.cache_info().hits >= 1
    set_script_prefix("/buzon/")
    try:
        verificar = reverse("acuses:verificar_archivo")
        assert verificar.startswith("/buzon/")
        assert f'href="{verificar}"' in _marco(env)["pie"]
    finally:
        set_script_prefix("/")
    assert f'href="{reverse("acuses:verificar_archivo")}"' in _marco(env)["pie"]
