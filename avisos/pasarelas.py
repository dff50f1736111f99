"""SMS gateways behind one small interface, chosen by settings.AVISOS_SMS_PASARELA.

``console`` (the default) writes the message to the log and answers with a provider id
of its own, so the embedded install needs no provider. Another gateway is named by the
dotted path of a class with the same ``enviar`` method.

Every call carries the notice's ``clave_idempotencia``, the same on every attempt: a
worker that died mid-send, or a call that timed out but went through, makes the next
attempt repeat a send that may already have reached the phone. A real provider must
be given the key (e.g. as its idempotency header) so that it delivers such a repeat
once; and should use ``avisos.services.tiempo_limite()`` as its HTTP timeout (the
worker stops waiting after it anyway).
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
    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        """Sends ``texto`` to the 10-digit ``destino``; returns the provider's message id.

        A second call with the same ``clave_idempotencia`` must not send it again.
        """
        ...


class ConsolaSms:
    """Logs the message instead of sending it, with its idempotency key."""

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        proveedor_id = f"consola-{uuid.uuid4().hex}"
        logger.info(
            "SMS a %s (%s, clave de idempotencia %s): %s",
            destino,
            proveedor_id,
            clave_idempotencia,
            texto,
        )
        return proveedor_id


def pasarela_sms() -> PasarelaSms:
    nombre = settings.AVISOS_SMS_PASARELA
    if nombre == "console":
        return ConsolaSms()
    clase = import_string(nombre)
    pasarela: PasarelaSms = clase()
    return pasarela
