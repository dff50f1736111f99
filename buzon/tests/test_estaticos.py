"""Static URLs are remembered per process and stay exactly Django's."""

import re
from pathlib import Path

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.test import override_settings

from buzon.estaticos import Estaticos
from buzon.tests.ayudas import manage_en_produccion

ROOT = Path(__file__).resolve().parents[2]


def test_la_url_recordada_es_la_de_django():
    recordada, django = Estaticos(), StaticFilesStorage()
    for nombre in ("buzon/buzon.css", "promociones/promociones.css", "dir con espacio/ñ.js"):
        assert recordada.url(nombre) == django.url(nombre)
        assert recordada.url(nombre) == django.url(nombre)  # the second from memory
    assert set(recordada._urls) == {
        "buzon/buzon.css",
        "promociones/promociones.css",
        "dir con espacio/ñ.js",
    }


@override_settings(STATIC_URL="/otra/")
def test_cada_almacen_recuerda_lo_suyo():
    assert Estaticos().url("buzon/buzon.css") == "/otra/buzon/buzon.css"


def test_en_produccion_las_paginas_piden_los_nombres_con_hash(tmp_path):
    """collectstatic with the production storage, then the URLs a template gets: the
    manifest's hashed names, the same on every call."""
    manage_en_produccion(tmp_path, "collectstatic", "--noinput", "-v0")
    salida = manage_en_produccion(
        tmp_path,
        "shell",
        "-c",
        "from django.templatetags.static import static\n"
        "print(static('buzon/buzon.css')); print(static('buzon/buzon.css'))",
    ).stdout
    primera, segunda = salida.split()[-2:]  # after whatever the shell prints first
    assert re.fullmatch(r"/static/buzon/buzon\.[0-9a-f]{12}\.css", primera), primera
    assert segunda == primera
    assert (tmp_path / "static" / primera.removeprefix("/static/")).is_file()
