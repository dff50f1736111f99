from pathlib import Path

from django.conf import settings

from buzon.tests.ayudas import manage_en_produccion

ROOT = Path(__file__).resolve().parents[2]


def test_database_is_configured_for_concurrent_writers():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
        assert db["OPTIONS"]["timeout"] >= 5


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage_en_produccion(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in result.stdout
