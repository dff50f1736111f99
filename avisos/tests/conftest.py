"""Reuses the staff personas; adds gateways that fail or count, at the network edge."""

from __future__ import annotations

import pytest

from atencion.tests.conftest import (  # noqa: F401 — fixtures used by these tests
    almacen_temporal,
    catalogo,
    catalogo_sin_cache,
    contribuyente,
    solicitud,
    supervisor,
)


class PasarelaCaida:
    """A provider that is down: every send fails."""

    llamadas = 0

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        type(self).llamadas += 1
        raise ConnectionError("el proveedor no responde")


class PasarelaQueCuenta:
    enviados: list[tuple[str, str]] = []

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        type(self).enviados.append((destino, texto))
        return f"prov-{len(type(self).enviados)}"


@pytest.fixture
def pasarela_caida(settings):
    PasarelaCaida.llamadas = 0
    settings.AVISOS_SMS_PASARELA = "avisos.tests.conftest.PasarelaCaida"
    return PasarelaCaida


@pytest.fixture
def pasarela_que_cuenta(settings):
    PasarelaQueCuenta.enviados = []
    settings.AVISOS_SMS_PASARELA = "avisos.tests.conftest.PasarelaQueCuenta"
    return PasarelaQueCuenta


class PasarelaUnaFalla:
    """Fails the first send, then works: a provider's brief outage."""

    llamadas = 0

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        type(self).llamadas += 1
        if type(self).llamadas == 1:
            raise TimeoutError("tiempo de espera agotado")
        return "prov-ok"
