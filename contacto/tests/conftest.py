"""Reading a confirmation code from the outbox; the personas are the shared ones
(tests/personas.py)."""

from __future__ import annotations

import re

import pytest

from atencion.tests.conftest import (  # noqa: F401 — fixtures used by these tests
    almacen_temporal,
    catalogo_sin_cache,
    solicitud,
)
from avisos.models import Aviso


@pytest.fixture(autouse=True)
def sin_entrega_en_proceso(settings):
    settings.AVISOS_EN_PROCESO = False


def codigo_enviado(destino: str) -> str:
    """The 6-digit code of the last code notice queued to ``destino``."""
    aviso = Aviso.objects.filter(evento="codigo", destino=destino).order_by("-id").first()
    assert aviso is not None, f"no se envió código a {destino}"
    encontrado = re.search(r"\b(\d{6})\b", aviso.texto)
    assert encontrado is not None
    return encontrado.group(1)


def otro_codigo(codigo: str) -> str:
    return f"{(int(codigo) + 1) % 10**6:06d}"
