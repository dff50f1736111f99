"""manage.py efirma_inspect: one JSON line per file, exit status for scripts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from efirma.emision import a_pem
from efirma.tests.ayudas import Emitido

CLAVES = [
    "archivo",
    "rfc",
    "rfc_representante",
    "curp",
    "nombre",
    "tipo",
    "es_efirma",
    "numero_certificado",
    "emisor",
    "valido_desde",
    "valido_hasta",
]


def inspeccionar(*archivos: str) -> tuple[int, list[dict[str, object]], str]:
    salida = io.StringIO()
    try:
        call_command("efirma_inspect", *archivos, stdout=salida)
        estado = 0
    except SystemExit as fin:
        estado = int(fin.code or 0)
    texto = salida.getvalue()
    return estado, [json.loads(linea) for linea in texto.splitlines()], texto


def test_prints_the_contract_fields_for_der_and_pem(
    tmp_path: Path, moral: Emitido, fisica: Emitido
) -> None:
    (tmp_path / "moral.cer").write_bytes(moral.der)
    (tmp_path / "fisica.pem").write_bytes(a_pem(fisica.der))
    archivos = [str(tmp_path / "moral.cer"), str(tmp_path / "fisica.pem")]
    estado, objetos, texto = inspeccionar(*archivos)
    assert estado == 0
    assert [list(o) for o in objetos] == [CLAVES, CLAVES]
    assert [o["archivo"] for o in objetos] == archivos
    assert objetos[0]["rfc"] == "H&E951128469"
    assert objetos[0]["nombre"] == "HERNÁNDEZ & ESPAÑA SA DE CV"
    assert objetos[1]["rfc_representante"] is None
    assert objetos[1]["numero_certificado"] == "30001000000500001234"
    assert "HERNÁNDEZ & ESPAÑA" in texto  # printed as is, not \u00c1 escapes


def test_unreadable_files_get_an_error_line_and_a_failing_exit(
    tmp_path: Path, fisica: Emitido
) -> None:
    (tmp_path / "bueno.cer").write_bytes(fisica.der)
    (tmp_path / "basura.cer").write_bytes(b"hola")
    archivos = ["bueno.cer", "basura.cer", "falta.cer"]
    anterior = Path.cwd()
    os.chdir(tmp_path)
    try:
        estado, objetos, _ = inspeccionar(*archivos)
    finally:
        os.chdir(anterior)
    assert estado == 1
    assert objetos[0]["archivo"] == "bueno.cer"
    assert objetos[1] == {
        "archivo": "basura.cer",
        "error": "certificado_invalido",
        "mensaje": objetos[1]["mensaje"],
    }
    assert objetos[2]["archivo"] == "falta.cer"
    assert objetos[2]["error"] == "archivo_no_legible"
    assert "no existe" in str(objetos[2]["mensaje"])


@pytest.mark.parametrize(("bueno", "estado"), [(True, 0), (False, 1)])
def test_command_line_exit_status(
    tmp_path: Path, fisica: Emitido, bueno: bool, estado: int
) -> None:
    archivo = tmp_path / "x.cer"
    archivo.write_bytes(fisica.der if bueno else b"no")
    resultado = subprocess.run(
        [sys.executable, "manage.py", "efirma_inspect", str(archivo)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        check=False,
        env={**os.environ, "BUZON_DATA_DIR": str(tmp_path / "datos")},
    )
    assert resultado.returncode == estado, resultado.stderr
    linea = json.loads(resultado.stdout.decode("utf-8"))
    assert linea["archivo"] == str(archivo)
    assert ("rfc" in linea) is bueno
