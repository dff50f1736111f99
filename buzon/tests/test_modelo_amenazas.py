"""docs/threat-model.md names the test of each control: every name must exist, so the
document cannot drift from the suite without this test failing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
DOCUMENTO = RAIZ / "docs" / "threat-model.md"
CITA = re.compile(r"`([^`]+)`")


def _referencias() -> list[tuple[str, str | None]]:
    """(file, test) pairs cited in the tables; ``::name`` alone reuses the file before it."""
    referencias: list[tuple[str, str | None]] = []
    for linea in DOCUMENTO.read_text("utf-8").splitlines():
        if not linea.startswith("|"):
            continue
        archivo: str | None = None
        for cita in CITA.findall(linea):
            if cita.startswith("::") and archivo:
                referencias.append((archivo, cita[2:]))
            elif ".py" in cita and "/" in cita:
                archivo, _, nombre = cita.partition("::")
                referencias.append((archivo, nombre or None))
    return referencias


def _funciones(archivo: Path) -> set[str]:
    arbol = ast.parse(archivo.read_text("utf-8"))
    return {
        n.name for n in ast.walk(arbol) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_test_the_threat_model_names_exists():
    referencias = _referencias()
    assert len(referencias) > 40
    faltan = []
    for archivo, nombre in referencias:
        ruta = RAIZ / archivo
        if not ruta.is_file():
            faltan.append(archivo)
        elif nombre is not None and nombre not in _funciones(ruta):
            faltan.append(f"{archivo}::{nombre}")
    assert faltan == []
