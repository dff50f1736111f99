"""Gateways that fail or count, at the network edge; the personas are the shared ones
(tests/personas.py)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from atencion.tests.conftest import (  # noqa: F401 — fixtures used by these tests
    almacen_temporal,
    catalogo_sin_cache,
    solicitud,
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


class TelefonoIdempotente:
    """A provider that dedupes by idempotency key, as a real one given the key does.

    ``presentaciones`` counts every call per key; ``entregados`` holds what reached a
    phone, once per key. ``colgar`` = (n, seconds) makes the n-th call (1-based) hang
    that long before answering; ``colgada`` is set when it starts hanging; ``pausa``
    slows every call down.
    """

    presentaciones: Counter[str] = Counter()
    entregados: dict[str, str] = {}
    colgar: tuple[int, float] | None = None
    pausa = 0.0
    colgada = threading.Event()
    cerrojo = threading.Lock()

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        cls = type(self)
        time.sleep(cls.pausa)
        with cls.cerrojo:
            cls.presentaciones[clave_idempotencia] += 1
            numero = cls.presentaciones.total()
        if cls.colgar is not None and numero == cls.colgar[0]:
            cls.colgada.set()
            time.sleep(cls.colgar[1])
        with cls.cerrojo:
            cls.entregados.setdefault(clave_idempotencia, destino)
        return f"idem-{clave_idempotencia}"


@pytest.fixture
def telefono(settings):
    TelefonoIdempotente.presentaciones = Counter()
    TelefonoIdempotente.entregados = {}
    TelefonoIdempotente.colgar = None
    TelefonoIdempotente.pausa = 0.0
    TelefonoIdempotente.colgada = threading.Event()
    settings.AVISOS_SMS_PASARELA = "avisos.tests.conftest.TelefonoIdempotente"
    settings.AVISOS_EN_PROCESO = False
    return TelefonoIdempotente
