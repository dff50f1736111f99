"""docs/deploy.md stays true to the code: it names every variable the settings and
gunicorn read, and the restore test it describes exists."""

from __future__ import annotations

import ast
import re

from buzon.tests.ayudas import ROOT

DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def variables_leidas() -> set[str]:
    """Every environment variable buzon/settings.py reads through its env_* helpers, and
    every one gunicorn.conf.py reads from os.environ."""
    nombres = set()
    arbol = ast.parse((ROOT / "buzon" / "settings.py").read_text(encoding="utf-8"))
    for nodo in ast.walk(arbol):
        if (
            isinstance(nodo, ast.Call)
            and isinstance(nodo.func, ast.Name)
            and nodo.func.id.startswith("env_")
            and nodo.args
            and isinstance(nodo.args[0], ast.Constant)
        ):
            nombres.add(str(nodo.args[0].value))
    gunicorn = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    nombres |= set(re.findall(r"os\.environ(?:\.get\(|\[)['\"]([A-Z_]+)['\"]", gunicorn))
    return nombres - {"BUZON_METRICAS_CARPETA_PROPIA"}  # gunicorn.conf.py's own mark


def test_deploy_names_every_variable_the_settings_and_gunicorn_read():
    leidas = variables_leidas()
    assert {"DATABASE_URL", "BUZON_S3_BUCKET", "BUZON_WORKERS"} <= leidas
    # Named as code: `NAME`, or `NAME=value`.
    assert sorted(v for v in leidas if not re.search(rf"`{v}[`=]", DEPLOY)) == []


def test_the_restore_test_deploy_names_exists():
    nombrados = re.findall(r"`(tests/produccion/\w+\.py)::(\w+)`", DEPLOY)
    assert nombrados
    for ruta, funcion in nombrados:
        assert f"def {funcion}(" in (ROOT / ruta).read_text(encoding="utf-8"), (ruta, funcion)
