"""The BUZON_REQUIRE_<NAME> switches CI sets (.ci/run): without one a test whose component
is absent skips saying why; with it the same test fails, and a run that requires
PostgreSQL on another database does not start. Each rule is checked on an environment the
test builds, never on the one the suite happens to run in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import carpeta_sat, motivo_sin_postgres, required, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("valor", "activo"),
    [(None, False), ("", False), ("0", False), ("1", True), ("true", True), (" 1 ", True)],
)
def test_a_switch_is_on_for_any_value_but_empty_or_zero(valor, activo):
    entorno = {} if valor is None else {"BUZON_REQUIRE_BROWSER": valor}
    assert required("BROWSER", entorno) is activo


def test_an_unknown_component_name_is_a_mistake_not_a_silent_no():
    with pytest.raises(AssertionError):
        required("CHROME", {"BUZON_REQUIRE_CHROME": "1"})


@pytest.mark.parametrize("nombre", ["BROWSER", "OPENSSL", "SAT_FIXTURES", "S3"])
def test_an_absent_component_skips_with_its_reason_and_fails_when_required(nombre):
    with pytest.raises(pytest.skip.Exception, match="no está instalado"):
        skip_or_fail(nombre, "no está instalado", {})
    with pytest.raises(pytest.fail.Exception, match=f"no está instalado.*BUZON_REQUIRE_{nombre}"):
        skip_or_fail(nombre, "no está instalado", {f"BUZON_REQUIRE_{nombre}": "1"})


def test_missing_sat_credentials_skip_saying_where_and_fail_when_required(tmp_path):
    ausente = tmp_path / "shared" / "fixtures" / "sat"
    with pytest.raises(pytest.skip.Exception, match=str(ausente)):
        carpeta_sat(ausente, {})
    with pytest.raises(pytest.fail.Exception, match="BUZON_REQUIRE_SAT_FIXTURES"):
        carpeta_sat(ausente, {"BUZON_REQUIRE_SAT_FIXTURES": "1"})
    # An empty folder is as absent as none.
    ausente.mkdir(parents=True)
    with pytest.raises(pytest.fail.Exception):
        carpeta_sat(ausente, {"BUZON_REQUIRE_SAT_FIXTURES": "1"})


def test_present_sat_credentials_are_given_with_or_without_the_switch(tmp_path):
    (tmp_path / "fiel-EKU9003173C9").mkdir()
    (tmp_path / "fiel-EKU9003173C9" / "certificate.cer").write_bytes(b"0")
    assert carpeta_sat(tmp_path, {}) == tmp_path
    assert carpeta_sat(tmp_path, {"BUZON_REQUIRE_SAT_FIXTURES": "1"}) == tmp_path


def test_requiring_postgres_refuses_any_other_database():
    requerido = {"BUZON_REQUIRE_POSTGRES": "1"}
    assert motivo_sin_postgres(requerido, "postgresql") is None
    assert "sqlite" in (motivo_sin_postgres(requerido, "sqlite") or "")
    assert motivo_sin_postgres({}, "sqlite") is None


def test_a_run_requiring_postgres_on_sqlite_stops_before_any_test(tmp_path):
    entorno = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    entorno |= {"BUZON_REQUIRE_POSTGRES": "1", "BUZON_DATA_DIR": str(tmp_path)}
    corrida = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"),
            *("--collect-only", "-q", "buzon/lib/tests/test_texto.py"),
        ],
        cwd=ROOT,
        env=entorno,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert corrida.returncode == pytest.ExitCode.USAGE_ERROR, corrida.stdout + corrida.stderr
    assert "BUZON_REQUIRE_POSTGRES=1" in corrida.stderr
