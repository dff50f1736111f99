"""Running manage.py as a separate process under production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage_en_produccion(
    datos: Path, *args: str, **entorno: str
) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` with BUZON_PRODUCTION=1, a real-looking secret key and host, and
    ``datos`` as the data dir; ``entorno`` adds or overrides variables. Fails the test
    with its output if the command fails."""
    env = {
        **os.environ,
        "BUZON_PRODUCTION": "1",
        "BUZON_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-test-" + "y" * 20,
        "BUZON_ALLOWED_HOSTS": "buzon.example.mx",
        "BUZON_DATA_DIR": str(datos),
        **entorno,
    }
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r
