"""schemathesis against docs/api/openapi.json, in-process over WSGI, as a real taxpayer.

Generated requests for every documented operation must never get a 5xx, and what the
document describes (status codes, content types, bodies) must match what comes back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from atencion.tests.conftest import presentar
from promociones.tests.conftest import token_para
from tests.personas import CONTRIBUYENTE

DOCUMENTO = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"

esquema = schemathesis.openapi.from_dict(json.loads(DOCUMENTO.read_text(encoding="utf-8")))
esquema.app = get_wsgi_application()

CHEQUEOS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def conexion_compartida() -> Any:
    """The WSGI handler closes the database connection after each request, which would
    close the test's transaction; Django's test client unhooks the same two signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(catalogo: None, conexion_compartida: None) -> str:
    """A taxpayer with one request of her own, so detail routes can also answer 200."""
    dueno = CONTRIBUYENTE.crear()
    presentar(dueno)
    return token_para(dueno)


@pytest.mark.django_db
@esquema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_la_api_cumple_su_documento(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHEQUEOS)
