"""SMS gateways behind one small interface, chosen by settings.AVISOS_SMS_PASARELA.

``console`` (the default) writes the message to the log and answers with a provider id
of its own, so the embedded install needs no provider. Another gateway is named by the
dotted path of a class with the same ``enviar`` method.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ErrorPasarela(Exception):
    """The provider refused or could not be reached; the worker retries later."""


class PasarelaSms(Protocol):
    def enviar(self, *, destino: str, texto: str) -> str:
        """Sends ``texto`` to the 10-digit ``destino``; returns the provider's message id."""
        ...


class ConsolaSms:
    """Logs the message instead of sending it."""

    def enviar(self, *, destino: str, texto: str) -> str:
        proveedor_id = f"consola-{uuid.uuid4().hex}"
        logger.info("SMS a %s (%s): %s", destino, proveedor_id, texto)
        return proveedor_id


def pasarela_sms() -> PasarelaSms:
    nombre = settings.AVISOS_SMS_PASARELA
    if nombre == "console":
        return ConsolaSms()
    clase = import_string(nombre)
    pasarela: PasarelaSms = clase()
    return pasarela
