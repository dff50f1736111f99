"""Sixteen login attempts at once against a limit of three: exactly three are tried
(SQLite and PostgreSQL; threads with their own connections)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from cuentas.tests.conftest import Efirma, entrar_api, pedir_reto


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_sixteen_failed_logins_gets_exactly_the_limit_tried(
    fisica: Efirma, settings: Any
):
    """Defect 5: the count-then-write limiters let most of a burst through."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")
    settings.ACCESO_MAX_FALLOS = 3
    retos = [pedir_reto(Client(), REMOTE_ADDR=f"192.0.2.{n}") for n in range(16)]

    def una(reto: dict[str, Any]) -> str:
        try:
            r = entrar_api(Client(), fisica, reto=reto, firma=b"x" * 256, REMOTE_ADDR="192.0.2.99")
            return str(r.json()["codigo"])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as hilos:
        codigos = list(hilos.map(una, retos))
    assert sorted(codigos) == ["demasiados_intentos"] * 13 + ["firma_invalida"] * 3
