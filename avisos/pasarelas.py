"""Gateways behind one small interface per channel, chosen by settings.

SMS (``AVISOS_SMS_PASARELA``): ``console`` (the default), ``http`` (a generic HTTP SMS
provider, :class:`HttpSms`) or the dotted path of a class with the same ``enviar``.
E-mail (``AVISOS_CORREO_PASARELA``): ``console`` (the default), ``django`` (Django's
mail backend: SMTP in production, ``EMAIL_*`` settings) or a dotted path.

The console gateways log each message and append it as one JSON line to
``$BUZON_DATA_DIR/avisos/enviados.jsonl`` (full destination: a person trying
``make run`` reads the confirmation codes there; CONTRACT.md).

Every call carries the notice's ``clave_idempotencia``, the same on every attempt: a
worker that died mid-send, or a call that timed out but went through, makes the next
attempt repeat a send that may already have left. The HTTP gateway hands the key to the
provider as ``Idempotency-Key`` so that such a repeat is delivered once; e-mail carries
it in the Message-ID, which lets mail clients fold a repeat into one message.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

from avisos import sms

logger = logging.getLogger(__name__)

# The most of a provider's answer kept as "last answer" for staff to read.
MAX_RESPUESTA = 300


class ErrorPasarela(Exception):
    """The provider refused or could not be reached; the worker retries later."""


class PasarelaSms(Protocol):
    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        """Sends ``texto`` to the 10-digit ``destino``; returns the provider's message id.

        A second call with the same ``clave_idempotencia`` must not send it again.
        """
        ...


class PasarelaCorreo(Protocol):
    def enviar(
        self, *, destino: str, asunto: str, texto: str, html: str, clave_idempotencia: str
    ) -> str:
        """Sends a multipart (text and HTML) e-mail; returns an id for it."""
        ...


_archivo_cerrojo = threading.Lock()
# The file of each data dir, its folder created once per process, not once per message.
_archivos: dict[object, str] = {}


def anotar_en_archivo(canal: str, destino: str, texto: str) -> None:
    """One JSON line per message in the data dir; one write() per line, opened for
    appending, so lines of several processes never interleave."""
    archivo = _archivos.get(settings.DATA_DIR)
    if archivo is None:
        carpeta = settings.DATA_DIR / "avisos"
        carpeta.mkdir(parents=True, exist_ok=True)
        archivo = _archivos[settings.DATA_DIR] = str(carpeta / "enviados.jsonl")
    linea = json.dumps(
        {
            "canal": canal,
            "destino": destino,
            "texto": texto,
            "enviado": timezone.now().isoformat(),
        },
        ensure_ascii=False,
    )
    datos = (linea + "\n").encode("utf-8")
    with _archivo_cerrojo:
        fd = os.open(archivo, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, datos)
        finally:
            os.close(fd)


class ConsolaSms:
    """Logs the message instead of sending it, with its idempotency key."""

    # A local write that cannot hang: the worker calls it without a watchdog thread.
    local = True

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        proveedor_id = f"consola-{uuid.uuid4().hex}"
        logger.info(
            "SMS a %s (%s, clave de idempotencia %s): %s",
            destino,
            proveedor_id,
            clave_idempotencia,
            texto,
        )
        anotar_en_archivo("sms", destino, texto)
        return proveedor_id


class ConsolaCorreo:
    local = True

    def enviar(
        self, *, destino: str, asunto: str, texto: str, html: str, clave_idempotencia: str
    ) -> str:
        proveedor_id = f"consola-{uuid.uuid4().hex}"
        logger.info(
            "Correo a %s (%s, clave de idempotencia %s): %s\n%s",
            destino,
            proveedor_id,
            clave_idempotencia,
            asunto,
            texto,
        )
        anotar_en_archivo("email", destino, f"{asunto}\n\n{texto}")
        return proveedor_id


class HttpSms:
    """A generic HTTP SMS provider: ``POST AVISOS_SMS_HTTP_URL`` with a JSON body, a
    bearer token and the notice's key as ``Idempotency-Key``; answers 2xx ``{"id"}``.

    The body names the encoding and the segments the way :mod:`avisos.sms` cut them, so
    the provider never splits a character; ``callback`` is where its delivery receipts
    go (avisos.receptor).
    """

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        from avisos.services import tiempo_limite  # the worker's limit, one source

        url = settings.AVISOS_SMS_HTTP_URL
        if not url.startswith(("https://", "http://")):
            raise ErrorPasarela("BUZON_SMS_HTTP_URL debe ser una URL http(s)")
        medida = sms.medir(texto)
        cuerpo = json.dumps(
            {
                "destino": f"+52{destino}",
                "texto": texto,
                "codificacion": medida.codificacion,
                "segmentos": sms.partir(texto),
                "clave_idempotencia": clave_idempotencia,
                "callback": settings.PUBLIC_BASE_URL.rstrip("/") + "/api/v1/avisos/entregas",
            },
            ensure_ascii=False,
        ).encode("utf-8")
        # The URL is the operator's setting, not a person's input.
        peticion = urllib.request.Request(  # noqa: S310
            url,
            data=cuerpo,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.AVISOS_SMS_HTTP_TOKEN}",
                "Idempotency-Key": clave_idempotencia,
            },
        )
        try:
            with urllib.request.urlopen(peticion, timeout=tiempo_limite()) as r:  # noqa: S310
                respuesta = r.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detalle = exc.read(MAX_RESPUESTA).decode("utf-8", "replace")
            raise ErrorPasarela(f"HTTP {exc.code}: {detalle}"[:MAX_RESPUESTA]) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ErrorPasarela(f"sin conexión: {exc}"[:MAX_RESPUESTA]) from None
        try:
            proveedor_id = json.loads(respuesta)["id"]
        except (ValueError, KeyError, TypeError):
            raise ErrorPasarela(
                f"respuesta sin id: {respuesta[:200].decode('utf-8', 'replace')}"
            ) from None
        return str(proveedor_id)[:100]


class DjangoCorreo:
    """E-mail through Django's configured backend (SMTP in production).

    Legal notices: no ``List-Unsubscribe`` header, ever."""

    def enviar(
        self, *, destino: str, asunto: str, texto: str, html: str, clave_idempotencia: str
    ) -> str:
        from avisos.services import tiempo_limite

        dominio = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "buzon.imss"
        message_id = f"<{clave_idempotencia}@{dominio}>"
        correo = EmailMultiAlternatives(
            subject=asunto,
            body=texto,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[destino],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
            connection=get_connection(timeout=tiempo_limite()),
        )
        correo.attach_alternative(html, "text/html")
        try:
            correo.send(fail_silently=False)
        except OSError as exc:  # smtplib errors are OSError
            raise ErrorPasarela(f"SMTP: {exc}"[:MAX_RESPUESTA]) from None
        return message_id


def pasarela_sms() -> PasarelaSms:
    nombre = settings.AVISOS_SMS_PASARELA
    if nombre == "console":
        return ConsolaSms()
    if nombre == "http":
        return HttpSms()
    clase = import_string(nombre)
    pasarela: PasarelaSms = clase()
    return pasarela


def pasarela_correo() -> PasarelaCorreo:
    nombre = settings.AVISOS_CORREO_PASARELA
    if nombre == "console":
        return ConsolaCorreo()
    if nombre == "django":
        return DjangoCorreo()
    clase = import_string(nombre)
    pasarela: PasarelaCorreo = clase()
    return pasarela
