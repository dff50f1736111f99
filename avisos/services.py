"""Queuing notices in the caller's transaction and delivering them afterwards.

Queuing (:func:`encolar_sms`) only writes a row: the request thread never talks to a
gateway. Delivery (:func:`entregar_pendientes`) is what the ``enviar_avisos`` worker
runs; in the embedded install the same function also runs in a short-lived thread
started when the queuing transaction commits, so a notice leaves within seconds with
no extra process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from avisos import reintentos
from avisos.models import Aviso
from avisos.pasarelas import pasarela_sms
from promociones.models import Solicitud

logger = logging.getLogger(__name__)

# A claimed row is hidden from other workers this long; if its worker dies mid-send,
# the notice is tried again after it.
RESERVA = timedelta(minutes=5)
LOTE = 50

SIN_CELULAR_VERIFICADO = (
    "El RFC no tiene un celular verificado; el aviso se envió al teléfono capturado "
    "en la solicitud."
)
SIN_TELEFONO = (
    "El RFC no tiene un celular verificado y la solicitud no tiene teléfono: no se envió SMS."
)


@dataclass(frozen=True)
class DestinoSms:
    numero: str  # "" when there is nowhere to send it
    motivo: str  # for the history: which phone was used and why


def destino_sms(solicitud: Solicitud) -> DestinoSms:
    """Where an SMS about ``solicitud`` goes.

    Verified cell phones per RFC (MedioContacto) do not exist yet, so the phone typed in
    the request is the only one; the history records that it was used and why.
    """
    if solicitud.telefono:
        return DestinoSms(solicitud.telefono, SIN_CELULAR_VERIFICADO)
    return DestinoSms("", SIN_TELEFONO)


def texto_sms(evento: str, contexto: dict[str, Any]) -> str:
    """The message of ``evento`` from avisos/jinja2/avisos/<evento>/sms.txt."""
    return " ".join(render_to_string(f"avisos/{evento}/sms.txt", contexto).split())


def encolar_sms(
    *,
    solicitud: Solicitud,
    evento: str,
    destino: str,
    contexto: dict[str, Any],
    momento: datetime | None = None,
) -> Aviso:
    """Writes a pending SMS in the caller's transaction; delivery starts once it commits."""
    momento = momento or timezone.now()
    aviso = Aviso.objects.create(
        solicitud=solicitud,
        evento=evento,
        canal=Aviso.Canal.SMS,
        destino=destino,
        texto=texto_sms(evento, {"folio": solicitud.folio, **contexto}),
        siguiente_intento=momento,
        creado=momento,
    )
    if settings.AVISOS_EN_PROCESO:
        transaction.on_commit(entregar_en_segundo_plano, robust=True)
    return aviso


def entregar_en_segundo_plano() -> threading.Thread:
    """Delivers the due notices in a short-lived thread (the embedded default)."""
    hilo = threading.Thread(target=_entregar_y_cerrar, name="avisos-en-proceso", daemon=True)
    hilo.start()
    return hilo


_reintento: threading.Timer | None = None
_reintento_cerrojo = threading.Lock()


def _entregar_y_cerrar() -> None:
    try:
        entregar_pendientes()
        _programar_reintento()
    except DatabaseError:
        # E.g. SQLite busy: the rows stay pending for the worker or the next trigger.
        logger.exception("No se pudieron entregar los avisos en proceso")
    finally:
        connections.close_all()


def _programar_reintento() -> None:
    """In the embedded mode nobody else retries a failed notice: one timer per process
    wakes up when the earliest pending notice is due."""
    global _reintento
    proximo = (
        Aviso.objects.filter(estado=Aviso.Estado.PENDIENTE)
        .order_by("siguiente_intento")
        .values_list("siguiente_intento", flat=True)
        .first()
    )
    if proximo is None:
        return
    espera = max((proximo - timezone.now()).total_seconds(), 1.0)
    with _reintento_cerrojo:
        if _reintento is not None and _reintento.is_alive():
            _reintento.cancel()
        _reintento = threading.Timer(espera, _entregar_y_cerrar)
        _reintento.daemon = True
        _reintento.start()


def reclamar(*, ahora: datetime, limite: int = LOTE) -> list[int]:
    """Takes up to ``limite`` due notices for this worker and returns their ids.

    Each row is taken by a conditional UPDATE that only succeeds if nobody changed it
    since it was read, so two workers never send the same notice. On PostgreSQL the
    read also skips rows another worker holds (FOR UPDATE SKIP LOCKED) instead of
    waiting for them.
    """
    reclamados: list[int] = []
    with transaction.atomic():
        candidatos = Aviso.objects.filter(
            estado=Aviso.Estado.PENDIENTE, siguiente_intento__lte=ahora
        ).order_by("siguiente_intento", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidatos = candidatos.select_for_update(skip_locked=True)
        for pk, previo in list(candidatos.values_list("pk", "siguiente_intento")[:limite]):
            tomado = Aviso.objects.filter(
                pk=pk, estado=Aviso.Estado.PENDIENTE, siguiente_intento=previo
            ).update(siguiente_intento=ahora + RESERVA, intentos=F("intentos") + 1)
            if tomado:
                reclamados.append(pk)
    return reclamados


def entregar(aviso_id: int) -> Aviso:
    """Sends one claimed notice and records the outcome: enviado, a retry, or fallido."""
    aviso = Aviso.objects.get(pk=aviso_id)
    try:
        proveedor_id = pasarela_sms().enviar(destino=aviso.destino, texto=aviso.texto)
    except Exception as exc:
        # Whatever the gateway raises is one failed attempt; the worker must keep going.
        _registrar_fallo(aviso, exc)
    else:
        aviso.estado = Aviso.Estado.ENVIADO
        aviso.enviado = timezone.now()
        aviso.proveedor_id = str(proveedor_id)[:100]
        aviso.ultimo_error = ""
        aviso.save(update_fields=["estado", "enviado", "proveedor_id", "ultimo_error"])
    return aviso


def _registrar_fallo(aviso: Aviso, exc: Exception) -> None:
    aviso.ultimo_error = f"{type(exc).__name__}: {exc}"[:500]
    if reintentos.agotado(aviso.intentos, settings.AVISOS_MAX_INTENTOS):
        aviso.estado = Aviso.Estado.FALLIDO
        logger.error("Aviso %s fallido tras %s intentos: %s", aviso.pk, aviso.intentos, exc)
    else:
        base = timedelta(seconds=settings.AVISOS_ESPERA_BASE_SEGUNDOS)
        aviso.siguiente_intento = timezone.now() + reintentos.espera_tras_fallo(
            aviso.intentos, base
        )
        logger.warning("Aviso %s falló (intento %s): %s", aviso.pk, aviso.intentos, exc)
    aviso.save(update_fields=["estado", "siguiente_intento", "ultimo_error"])


def entregar_pendientes(*, ahora: datetime | None = None, limite: int = LOTE) -> int:
    """Claims and sends the due notices, batch after batch; returns how many it tried."""
    total = 0
    while True:
        ids = reclamar(ahora=ahora or timezone.now(), limite=limite)
        for aviso_id in ids:
            entregar(aviso_id)
        total += len(ids)
        if len(ids) < limite:
            return total
