"""The Jinja2 environment keeps Django's output: escaping, local dates and its filters."""

from datetime import UTC, date, datetime

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
