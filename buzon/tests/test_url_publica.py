"""BUZON_PUBLIC_BASE_URL: what acuses and notices point to, checked when settings load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from buzon.lib.url_publica import UrlPublicaInvalida, base_publica, direccion_servida

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("valor", "esperada"),
    [
        ("https://buzon.imss.gob.mx", "https://buzon.imss.gob.mx"),
        ("https://buzon.imss.gob.mx/", "https://buzon.imss.gob.mx"),
        ("  HTTPS://Buzon.IMSS.gob.mx//  ", "https://buzon.imss.gob.mx"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://www.imss.gob.mx/buzon/", "https://www.imss.gob.mx/buzon"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ],
)
def test_a_base_url_is_normalised_without_a_trailing_slash(valor, esperada):
    assert base_publica(valor) == esperada


@pytest.mark.parametrize(
    "valor",
    [
        "",
        "buzon.imss.gob.mx",
        "ftp://buzon.imss.gob.mx",
        "javascript:alert(1)",
        "https://",
        "https:///verificar",
        "https://buzon.imss.gob.mx/?origen=qr",
        "https://buzon.imss.gob.mx/#inicio",
        "https://buzon.imss.gob.mx?",
        "https://usuario:clave@buzon.imss.gob.mx",
        "https://buzon.imss.gob.mx:puerto",
        "https://buzon.imss.gob.mx:99999",
        "https://buzon imss.gob.mx",
        "https://buzon.imss.gob.mx/\nSet-Cookie:x",
    ],
)
def test_a_base_url_that_a_reader_could_not_open_is_refused(valor):
    with pytest.raises(UrlPublicaInvalida):
        base_publica(valor)


def test_only_https_when_asked():
    assert base_publica("https://buzon.imss.gob.mx", solo_https=True)
    with pytest.raises(UrlPublicaInvalida, match="https://"):
        base_publica("http://buzon.imss.gob.mx", solo_https=True)


@pytest.mark.parametrize(
    ("host", "puerto", "esperada"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("localhost", 9000, "http://localhost:9000"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104 - every interface
        ("::", 8000, "http://[::1]:8000"),
        ("::1", 8080, "http://[::1]:8080"),
    ],
)
def test_the_served_address_is_one_a_browser_opens(host, puerto, esperada):
    assert direccion_servida(host, puerto) == esperada


# --- as the settings read it, in a process of its own ------------------------------


def _url_en(tmp_path: Path, **entorno: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="buzon.settings", BUZON_DATA_DIR=str(tmp_path), **entorno)
    codigo = (
        "import json; from django.conf import settings as s; print(json.dumps(s.PUBLIC_BASE_URL))"
    )
    return subprocess.run(
        [sys.executable, "-c", codigo], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _leida(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 0, r.stderr
    return str(json.loads(r.stdout.strip().splitlines()[-1]))


def test_by_default_it_is_where_make_run_serves(tmp_path):
    assert _leida(_url_en(tmp_path)) == "http://127.0.0.1:8000"
    assert _leida(_url_en(tmp_path, BUZON_HOST="192.0.2.10", BUZON_PORT="8123")) == (
        "http://192.0.2.10:8123"
    )


def test_a_configured_one_wins_and_is_normalised(tmp_path):
    r = _url_en(tmp_path, BUZON_PUBLIC_BASE_URL="https://Buzon.IMSS.gob.mx/", BUZON_PORT="8123")
    assert _leida(r) == "https://buzon.imss.gob.mx"


PRODUCCION = {
    "BUZON_PRODUCTION": "1",
    "BUZON_SECRET_KEY": "s" * 64,
    "BUZON_ALLOWED_HOSTS": "buzon.imss.gob.mx",
}


def test_production_without_it_fails_loudly_at_startup(tmp_path):
    r = _url_en(tmp_path, **PRODUCCION)
    assert r.returncode != 0
    assert "ImproperlyConfigured: BUZON_PUBLIC_BASE_URL is required in production" in r.stderr


@pytest.mark.parametrize(
    "valor", ["http://buzon.imss.gob.mx", "https://buzon.imss.gob.mx/?a=1", "buzon.imss.gob.mx"]
)
def test_production_refuses_a_base_url_that_is_not_a_plain_https_address(tmp_path, valor):
    r = _url_en(tmp_path, BUZON_PUBLIC_BASE_URL=valor, **PRODUCCION)
    assert r.returncode != 0
    assert "ImproperlyConfigured: BUZON_PUBLIC_BASE_URL" in r.stderr


def test_production_with_it_starts(tmp_path):
    r = _url_en(tmp_path, BUZON_PUBLIC_BASE_URL="https://buzon.imss.gob.mx/", **PRODUCCION)
    assert _leida(r) == "https://buzon.imss.gob.mx"


def test_outside_production_a_bad_one_fails_too(tmp_path):
    r = _url_en(tmp_path, BUZON_PUBLIC_BASE_URL="https://buzon.imss.gob.mx/#x")
    assert r.returncode != 0
    assert "BUZON_PUBLIC_BASE_URL" in r.stderr
