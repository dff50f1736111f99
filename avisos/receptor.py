"""Delivery receipts from the HTTP SMS gateway: signed, fresh, and accepted once.

The provider signs each receipt with the shared secret ``AVISOS_ENTREGAS_SECRETO``:
``X-Buzon-Firma: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>`` and
``X-Buzon-Timestamp: <Unix seconds>``. A receipt is refused when the signature is wrong
(the body or the time was altered, or the sender lacks the secret), when its time is
outside ``AVISOS_ENTREGAS_VENTANA_SEGUNDOS`` of ours (an old receipt replayed later),
or when the same signed receipt was already accepted within the window (a replay
inside it; :class:`AcuseEntrega` keeps the signatures seen, for twice the window).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from avisos.models import AcuseEntrega, Aviso
from avisos.pasarelas import MAX_RESPUESTA
from buzon.errores import ErrorDominio

# A receipt is a few hundred bytes; anything much larger is not one.
MAX_CUERPO = 8 * 1024
ESTADOS = {"entregado": Aviso.Estado.ENTREGADO, "fallido": Aviso.Estado.FALLIDO}


def firmar(cuerpo: bytes, marca: str, secreto: str) -> str:
    """The signature header's value (the provider computes the same)."""
    mac = hmac.new(secreto.encode(), marca.encode() + b"." + cuerpo, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _firma_invalida() -> ErrorDominio:
    return ErrorDominio("firma_invalida.acuse_entrega")


def verificar(cuerpo: bytes, marca: str, firma: str, *, ahora: float | None = None) -> str:
    """Checks signature and freshness; returns the signature's hex digest."""
    secreto = settings.AVISOS_ENTREGAS_SECRETO
    if not secreto or len(firma) > 100 or len(marca) > 20:
        raise _firma_invalida()
    if not hmac.compare_digest(firma.encode(), firmar(cuerpo, marca, secreto).encode()):
        raise _firma_invalida()
    try:
        segundos = int(marca)
    except ValueError:
        raise _firma_invalida() from None
    ahora = time.time() if ahora is None else ahora
    if abs(ahora - segundos) > settings.AVISOS_ENTREGAS_VENTANA_SEGUNDOS:
        raise ErrorDominio("acuse_vencido")
    return firma.removeprefix("sha256=")


def registrar_entrega(
    *, cuerpo: bytes, marca: str, firma: str, ahora: datetime | None = None
) -> Aviso:
    """Applies one signed receipt: enviado → entregado or fallido. A receipt for a notice
    already in a final state changes nothing."""
    ahora = ahora or timezone.now()
    if len(cuerpo) > MAX_CUERPO:
        raise ErrorDominio("cuerpo_muy_grande.acuse_entrega")
    digesto = verificar(cuerpo, marca, firma, ahora=ahora.timestamp())
    try:
        datos = json.loads(cuerpo.decode("utf-8"))
        proveedor_id, estado = datos["id"], ESTADOS[datos["estado"]]
        detalle = str(datos.get("detalle", ""))[:MAX_RESPUESTA]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ErrorDominio("acuse_invalido") from None
    if not isinstance(proveedor_id, str) or not proveedor_id or len(proveedor_id) > 100:
        raise ErrorDominio("acuse_invalido.id")
    ventana = timedelta(seconds=settings.AVISOS_ENTREGAS_VENTANA_SEGUNDOS)
    with transaction.atomic():
        AcuseEntrega.objects.filter(recibido__lt=ahora - 2 * ventana).delete()
        try:
            with transaction.atomic():
                AcuseEntrega.objects.create(firma=digesto, recibido=ahora)
        except IntegrityError:
            raise ErrorDominio("acuse_repetido") from None
        aviso = (
            Aviso.objects.select_for_update()
            .filter(proveedor_id=proveedor_id, canal=Aviso.Canal.SMS)
            .first()
        )
        if aviso is None:
            raise ErrorDominio("no_encontrado.aviso")
        if aviso.estado == Aviso.Estado.ENVIADO:
            aviso.estado = estado
            aviso.entregado = ahora
            aviso.ultimo_error = detalle if estado == Aviso.Estado.FALLIDO else ""
            aviso.save(update_fields=["estado", "entregado", "ultimo_error"])
    return aviso
