"""The error catalogue, the code that raises its entries and the OpenAPI document agree.

The source is read, not run: every ``ErrorDominio(...)`` (and ``NoEncontrada()``) and
every e.firma verdict ``ErrorEfirma(...)`` names its code as a literal, so a code
that no test reaches is still checked here.
"""

from __future__ import annotations

import ast
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buzon.errores import CATALOGO, ErrorDominio, codigo_de

RAIZ = Path(__file__).resolve().parents[2]
APPS = (
    "buzon", "efirma", "cuentas", "promociones", "acuses", "calendario", "atencion",
    "avisos", "contacto", "limites", "archivos",
)  # fmt: skip
DOCUMENTO = RAIZ / "docs" / "api" / "openapi.json"
# The one place a code arrives as a value: an e.firma verdict mapped to its entry (its
# codes are checked below as the verdicts' own literals).
CLAVE_DE_VALOR = {("cuentas/services.py", "veredicto.codigo")}
CLAVE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


def _fuentes() -> Iterator[tuple[str, ast.AST]]:
    for app in APPS:
        for ruta in sorted((RAIZ / app).rglob("*.py")):
            relativa = ruta.relative_to(RAIZ).as_posix()
            if "/tests/" in relativa or "/migrations/" in relativa:
                continue
            yield relativa, ast.parse(ruta.read_text(encoding="utf-8"), relativa)


def _nombre(funcion: ast.expr) -> str | None:
    if isinstance(funcion, ast.Name):
        return funcion.id
    if isinstance(funcion, ast.Attribute):
        return funcion.attr
    return None


def _literales(nodo: ast.expr) -> list[str] | None:
    """The string(s) a code argument can be: a literal, or either side of ``a if c else b``."""
    if isinstance(nodo, ast.Constant) and isinstance(nodo.value, str):
        return [nodo.value]
    if isinstance(nodo, ast.IfExp):
        cuerpo, otro = _literales(nodo.body), _literales(nodo.orelse)
        if cuerpo is not None and otro is not None:
            return cuerpo + otro
    return None


def _usos() -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """(catalogue key → where raised, e.firma verdict code → where, codes built otherwise)."""
    claves: dict[str, list[str]] = {}
    veredictos: dict[str, list[str]] = {}
    sin_literal: list[str] = []
    for ruta, arbol in _fuentes():
        for nodo in ast.walk(arbol):
            if not isinstance(nodo, ast.Call):
                continue
            nombre = _nombre(nodo.func)
            donde = f"{ruta}:{nodo.lineno}"
            if nombre == "NoEncontrada":
                claves.setdefault("no_encontrada", []).append(donde)
            elif nombre in ("ErrorDominio", "ErrorEfirma") and nodo.args:
                literales = _literales(nodo.args[0])
                if literales is None:
                    if (ruta, ast.unparse(nodo.args[0])) not in CLAVE_DE_VALOR:
                        sin_literal.append(f"{donde}: {ast.unparse(nodo.args[0])}")
                    continue
                destino = claves if nombre == "ErrorDominio" else veredictos
                for literal in literales:
                    destino.setdefault(literal, []).append(donde)
    return claves, veredictos, sin_literal


def _enums_del_documento() -> dict[str, list[tuple[str, int]]]:
    """code → the (operation, status) answers that list it."""
    documento: dict[str, Any] = json.loads(DOCUMENTO.read_text(encoding="utf-8"))
    codigos: dict[str, list[tuple[str, int]]] = {}
    for ruta, operaciones in documento["paths"].items():
        for metodo, operacion in operaciones.items():
            for status, respuesta in operacion.get("responses", {}).items():
                if not status.startswith(("4", "5")):
                    continue
                esquema = respuesta["content"]["application/json"]["schema"]
                enum = [
                    c
                    for parte in esquema.get("allOf", [esquema])
                    for c in parte.get("properties", {}).get("codigo", {}).get("enum", [])
                ]
                assert enum, f"{metodo.upper()} {ruta} {status} no lista sus códigos"
                for codigo in enum:
                    codigos.setdefault(codigo, []).append((f"{metodo.upper()} {ruta}", int(status)))
    return codigos


@pytest.mark.parametrize("clave", sorted(CATALOGO))
def test_every_entry_has_spanish_words_a_valid_status_and_a_well_formed_key(clave: str) -> None:
    entrada = CATALOGO[clave]
    assert CLAVE.match(clave)
    assert entrada.mensaje.strip() and entrada.mensaje == entrada.mensaje.strip()
    assert 400 <= entrada.status <= 599
    assert entrada.campo is None or entrada.campo.isidentifier()
    # A template that str.format can read, naming values by keyword only.
    for _, nombre, _, _ in string.Formatter().parse(entrada.mensaje):
        assert nombre is None or nombre.isidentifier(), nombre


def test_every_code_the_source_raises_is_in_the_catalogue_and_no_entry_is_dead() -> None:
    claves, veredictos, sin_literal = _usos()
    assert sin_literal == [], "códigos construidos fuera del catálogo"
    desconocidas = {c: d for c, d in {**claves, **veredictos}.items() if c not in CATALOGO}
    assert desconocidas == {}
    # Every e.firma verdict reaches people through cuentas.services.error_de_efirma.
    sin_usar = set(CATALOGO) - set(claves) - set(veredictos)
    assert sin_usar == set(), "entradas del catálogo que nada lanza"


def test_the_openapi_document_lists_exactly_the_codes_the_api_can_answer() -> None:
    claves, veredictos, _ = _usos()
    documentados = _enums_del_documento()
    en_la_api = {codigo_de(c) for c, e in CATALOGO.items() if e.en_openapi}
    assert en_la_api - set(documentados) == set(), "códigos sin documentar en openapi.json"
    lanzados = {codigo_de(c) for c in [*claves, *veredictos]}
    assert set(documentados) - lanzados == set(), "códigos documentados que nada lanza"
    # Each answer lists a code with the status the catalogue gives it.
    for codigo, respuestas in documentados.items():
        estados = {e.status for c, e in CATALOGO.items() if codigo_de(c) == codigo}
        for operacion, status in respuestas:
            assert status in estados, (codigo, operacion, status)


def test_an_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="fuera del catálogo"):
        ErrorDominio("codigo_inventado")


def test_an_error_takes_its_words_field_and_status_from_the_catalogue() -> None:
    error = ErrorDominio("dias_invalidos", plazo=10)
    assert (error.codigo, error.campo, error.status) == ("dias_invalidos", "dias_habiles", 400)
    assert error.mensaje == "La prórroga debe ser de 1 a 10 días hábiles (el plazo original)."
    variante = ErrorDominio("no_encontrado.medio")
    assert (variante.codigo, variante.clave, variante.status) == (
        "no_encontrado",
        "no_encontrado.medio",
        404,
    )
