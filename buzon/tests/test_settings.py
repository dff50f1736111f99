import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_database_is_configured_for_concurrent_writers():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
        assert db["OPTIONS"]["timeout"] >= 5


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "BUZON_PRODUCTION": "1",
        "BUZON_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-" + "y" * 20,
        "BUZON_ALLOWED_HOSTS": "buzon.example.mx",
        "BUZON_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
