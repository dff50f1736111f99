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


FUENTES = {
    f"noto-sans-{subconjunto}-{peso}-normal.woff2"
    for subconjunto in ("latin", "latin-ext")
    for peso in (400, 600, 700)
}


def test_the_typeface_is_served_by_the_site_only_the_files_the_css_uses(client):
    """Noto Sans from npm (node_modules), found by ArchivosNpm: the six files buzon.css
    names, and not the package's other subsets."""
    from django.contrib.staticfiles import finders

    from buzon.estaticos import ArchivosNpm

    assert {nombre for nombre, _ in ArchivosNpm().list(None)} == FUENTES
    css = (ROOT / "buzon" / "static" / "buzon" / "buzon.css").read_text()
    assert set(re.findall(r"vendor/noto-sans/([\w.-]+\.woff2)", css)) == FUENTES
    assert "//fonts." not in css and "http" not in css.replace("http://www.w3.org", "")
    for nombre in FUENTES:
        r = client.get(f"/static/vendor/noto-sans/{nombre}")
        assert r.status_code == 200, nombre
        assert b"".join(r.streaming_content)[:4] == b"wOF2", nombre
    otra = "vendor/noto-sans/noto-sans-greek-400-normal.woff2"  # in the package, not used
    assert client.get(f"/static/{otra}").status_code == 404
    assert finders.find(otra) is None


def test_in_production_the_css_names_the_fonts_by_their_hashed_names(tmp_path):
    """collectstatic with the production storage: the stylesheet's font URLs are
    rewritten to the hashed copies, which exist; no other Noto file is collected."""
    manage_en_produccion(tmp_path, "collectstatic", "--noinput", "-v0")
    estaticos = tmp_path / "static"
    css = next((estaticos / "buzon").glob("buzon.*.css")).read_text()
    urls = re.findall(r'url\("([^"]+\.woff2)"\)', css)
    assert len(urls) == 6
    for url in urls:
        assert re.search(r"noto-sans-[\w-]+-normal\.[0-9a-f]{12}\.woff2$", url), url
        assert (estaticos / "buzon" / url).resolve().is_file(), url
    originales = {p.name for p in (estaticos / "vendor" / "noto-sans").glob("*.woff2")}
    assert {re.sub(r"\.[0-9a-f]{12}\.woff2$", ".woff2", n) for n in originales} == FUENTES
