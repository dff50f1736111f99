"""Queuing notices in the caller's transaction and delivering them afterwards.

Queuing (:func:`encolar`, for SMS or e-mail) only writes a row: the request thread never talks to a
gateway. Delivery (:func:`entregar_pendientes`) is what the ``enviar_avisos`` worker
runs; in the embedded install the same function also runs in a short-lived thread
started when the queuing transaction commits, so a notice leaves within seconds with
no extra process.

How a notice is sent once although many workers (processes, threads) run at once:

1. Claim. :func:`reclamar` takes up to ``LOTE`` due rows with one conditional UPDATE
   that writes a fresh random token (one per batch, never per process: two threads of
   one process are two owners) in ``reclamado_por`` and a deadline ``reclamo_vence``
   = now + ``AVISOS_RESERVA_SEGUNDOS``. A row is free when it has no deadline or its
   deadline has passed. On PostgreSQL the read skips rows another worker has locked
   (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time, so the conditional
   UPDATE alone decides.
2. Ownership is the token, not the clock. Only a takeover changes the token, and a
   takeover is itself a conditional UPDATE that needs the deadline passed. Every later
   write of the holder (renewal, start of a send, outcome) is conditional on
   ``reclamado_por = token``; the database serialises it against a takeover, so
   exactly one of them wins and the loser changes nothing.
3. Heartbeat. Before each send the worker renews the deadline of the rows of its batch
   it still holds (at most once every third of the reservation, so a fast batch costs
   one UPDATE, not fifty). A worker that lives and makes progress keeps its batch; one
   that dies or stalls loses the rows it has not started, and another worker takes
   them. No background thread renews: a thread that outlived a stuck sender would keep
   its notices hostage forever.
4. Re-check and mark. Right before calling the gateway, a conditional UPDATE on the
   token sets ``envio_iniciado``, counts the attempt and moves the deadline past the
   longest the call may take (reservation + ``AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS``).
   If it changes no row, the claim was lost and the notice is skipped.
5. Bounded call. The gateway runs in a daemon thread that the worker waits on for at
   most the time limit; a call that does not answer in time is a failed attempt,
   retried with back-off. So a live worker never overstays the deadline it set in 4.
6. Outcome. enviado, retry or fallido is written only if the token is still ours;
   otherwise it is logged and dropped (the new holder decides).
7. Last line of defence. What the database cannot know is whether a call that died
   with its worker (SIGKILL after the SMS left) or timed out (and answered late)
   reached the phone. Each notice carries a ``clave_idempotencia`` fixed at creation
   and shown to the gateway on every attempt, so a provider that dedupes by key
   delivers such a repeat once.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Field, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from avisos import reintentos, sms
from avisos.models import Aviso, CambioAviso
from avisos.pasarelas import ErrorPasarela, pasarela_correo, pasarela_sms
from promociones.models import Solicitud

logger = logging.getLogger(__name__)

# A claimed row is hidden from other workers this long unless its worker renews it;
# if the worker dies, the notice is tried again after it.
# Setting AVISOS_RESERVA_SEGUNDOS.
RESERVA_SEGUNDOS = 300.0
# The longest the worker waits for the gateway to answer one send. Keep it well below
# the reservation: a batch whose sends take longer than that loses its later rows to
# other workers (still sent once, only later). AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS.
TIEMPO_LIMITE_SEGUNDOS = 10.0
LOTE = 50


def reserva() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "AVISOS_RESERVA_SEGUNDOS", RESERVA_SEGUNDOS)))


def tiempo_limite() -> float:
    """Seconds the worker waits for one gateway call; an HTTP gateway should use it too."""
    return float(
        getattr(settings, "AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS", TIEMPO_LIMITE_SEGUNDOS)
    )


class TiempoAgotado(ErrorPasarela):
    """The gateway did not answer in time; whether the SMS left is unknown."""


def texto_sms(evento: str, contexto: dict[str, Any]) -> str:
    """The message of ``evento`` from avisos/jinja2/avisos/<evento>/sms.txt."""
    return " ".join(render_to_string(f"avisos/{evento}/sms.txt", contexto).split())


@dataclass(frozen=True)
class Correo:
    asunto: str
    texto: str
    html: str


def correo(evento: str, contexto: dict[str, Any]) -> Correo:
    """Subject, text and HTML of ``evento`` from avisos/jinja2/avisos/<evento>/."""
    return Correo(
        asunto=" ".join(render_to_string(f"avisos/{evento}/asunto.txt", contexto).split()),
        texto=render_to_string(f"avisos/{evento}/correo.txt", contexto).strip() + "\n",
        html=render_to_string(f"avisos/{evento}/correo.html", contexto),
    )


def _contexto(solicitud: Solicitud | None, contexto: dict[str, Any]) -> dict[str, Any]:
    """What every template may use: the folio and the link to its Detalle, nothing else
    about the person."""
    if solicitud is None:
        return dict(contexto)
    detalle = reverse("promociones:detalle", args=[solicitud.folio])
    return {
        "folio": solicitud.folio,
        "detalle_url": settings.PUBLIC_BASE_URL.rstrip("/") + detalle,
        **contexto,
    }


def encolar(
    *,
    canal: str,
    evento: str,
    destino: str,
    contexto: dict[str, Any],
    solicitud: Solicitud | None = None,
    momento: datetime | None = None,
) -> Aviso:
    """Writes a pending notice in the caller's transaction; delivery starts once it
    commits (never before: a rolled-back event leaves no row to send)."""
    momento = momento or timezone.now()
    datos = _contexto(solicitud, contexto)
    aviso = Aviso(
        solicitud=solicitud,
        evento=evento,
        canal=canal,
        destino=destino,
        siguiente_intento=momento,
        creado=momento,
    )
    if canal == Aviso.Canal.SMS:
        aviso.texto = texto_sms(evento, datos)
        aviso.segmentos = sms.medir(aviso.texto).segmentos
    else:
        mensaje = correo(evento, datos)
        aviso.asunto, aviso.texto, aviso.html = mensaje.asunto[:200], mensaje.texto, mensaje.html
    aviso.save(force_insert=True)
    if settings.AVISOS_EN_PROCESO:
        transaction.on_commit(entregar_en_segundo_plano, robust=True)
    return aviso


def encolar_sms(
    *,
    solicitud: Solicitud | None,
    evento: str,
    destino: str,
    contexto: dict[str, Any],
    momento: datetime | None = None,
) -> Aviso:
    return encolar(
        canal=Aviso.Canal.SMS,
        evento=evento,
        destino=destino,
        contexto=contexto,
        solicitud=solicitud,
        momento=momento,
    )


def encolar_correo(
    *,
    solicitud: Solicitud | None,
    evento: str,
    destino: str,
    contexto: dict[str, Any],
    momento: datetime | None = None,
) -> Aviso:
    return encolar(
        canal=Aviso.Canal.EMAIL,
        evento=evento,
        destino=destino,
        contexto=contexto,
        solicitud=solicitud,
        momento=momento,
    )


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


@dataclass
class Lote:
    """The rows one worker claimed together, under one token."""

    reclamo: str
    ids: list[int]
    # time.monotonic() of the last renewal; the clock of the rows is the database's.
    renovado: float = field(default_factory=time.monotonic)


def _libre(ahora: datetime) -> Q:
    return Q(reclamo_vence__isnull=True) | Q(reclamo_vence__lte=ahora)


def reclamar(*, ahora: datetime, limite: int = LOTE) -> Lote:
    """Takes up to ``limite`` due notices for a new owner token and returns the batch."""
    reclamo = secrets.token_hex(16)
    with transaction.atomic():
        candidatos = Aviso.objects.filter(
            _libre(ahora), estado=Aviso.Estado.PENDIENTE, siguiente_intento__lte=ahora
        ).order_by("siguiente_intento", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidatos = candidatos.select_for_update(skip_locked=True)
        ids = list(candidatos.values_list("pk", flat=True)[:limite])
        if not ids:
            return Lote(reclamo, [])
        # The same conditions again: on SQLite nothing locked the rows since the read.
        Aviso.objects.filter(
            _libre(ahora), pk__in=ids, estado=Aviso.Estado.PENDIENTE, siguiente_intento__lte=ahora
        ).update(reclamado_por=reclamo, reclamo_vence=ahora + reserva())
        tomados = set(
            Aviso.objects.filter(pk__in=ids, reclamado_por=reclamo).values_list("pk", flat=True)
        )
    return Lote(reclamo, [pk for pk in ids if pk in tomados])


def renovar(lote: Lote, *, forzar: bool = False) -> int:
    """The heartbeat: pushes back the deadline of the batch's rows this worker still holds.

    Renews at most once every third of the reservation unless ``forzar``; returns how
    many rows it renewed (0 when it skipped).
    """
    duracion = reserva()
    if not forzar and time.monotonic() - lote.renovado < duracion.total_seconds() / 3:
        return 0
    lote.renovado = time.monotonic()
    return Aviso.objects.filter(
        pk__in=lote.ids, reclamado_por=lote.reclamo, estado=Aviso.Estado.PENDIENTE
    ).update(reclamo_vence=timezone.now() + duracion)


def _mios(aviso_id: int, reclamo: str) -> QuerySet[Aviso]:
    return Aviso.objects.filter(pk=aviso_id, reclamado_por=reclamo, estado=Aviso.Estado.PENDIENTE)


# (backend, fields changed, adds an attempt) → the UPDATE's SQL and its fields, built once.
_SENTENCIAS: dict[tuple[str, tuple[str, ...], bool], tuple[str, list[Field[Any, Any]]]] = {}


def _sentencia(vendor: str, nombres: tuple[str, ...], sumar_intento: bool) -> tuple[str, list[Any]]:
    clave = (vendor, nombres, sumar_intento)
    hecha = _SENTENCIAS.get(clave)
    if hecha is None:
        nombre = connection.ops.quote_name
        campos: list[Field[Any, Any]] = []
        for campo_nombre in nombres:
            campo = Aviso._meta.get_field(campo_nombre)
            assert isinstance(campo, Field) and campo.column  # a concrete column of the model
            campos.append(campo)
        asignaciones = [f"{nombre(c.column)} = %s" for c in campos]
        if sumar_intento:
            asignaciones.append(f"{nombre('intentos')} = {nombre('intentos')} + 1")
        # Only the model's own quoted column names are interpolated; values are parameters.
        sql = (
            f"UPDATE {nombre(Aviso._meta.db_table)} SET {', '.join(asignaciones)} "  # noqa: S608
            f"WHERE {nombre('id')} = %s AND {nombre('reclamado_por')} = %s "
            f"AND {nombre('estado')} = %s"
        )
        hecha = _SENTENCIAS[clave] = (sql, campos)
    return hecha


def _actualizar_mio(
    aviso_id: int, reclamo: str, *, sumar_intento: bool = False, **cambios: Any
) -> bool:
    """``_mios(aviso_id, reclamo).update(**cambios)`` as one prepared statement.

    The two writes of every send (its start and its outcome) are the worker's hot path;
    building them through the ORM cost more CPU than the database spent running them.
    Same conditions, same values (each prepared by its field), same single UPDATE."""
    conexion = connections[DEFAULT_DB_ALIAS]
    sql, campos = _sentencia(conexion.vendor, tuple(cambios), sumar_intento)
    valores = [
        c.get_db_prep_save(v, conexion) for c, v in zip(campos, cambios.values(), strict=True)
    ]
    with conexion.cursor() as cursor:
        cursor.execute(sql, [*valores, aviso_id, reclamo, Aviso.Estado.PENDIENTE])
        return bool(cursor.rowcount)


def entregar(aviso_id: int, *, reclamo: str, leido: Aviso | None = None) -> Aviso | None:
    """Sends one notice held under ``reclamo`` and records the outcome: enviado, a retry,
    or fallido. Returns None, sending nothing, if the claim is no longer this worker's.

    ``leido`` is the row as read when its batch was claimed: it saves one SELECT per
    notice; whether the claim still holds is decided by the conditional UPDATE below
    either way, never by the read."""
    aviso = leido if leido is not None else _mios(aviso_id, reclamo).first()
    if aviso is None:
        logger.warning("Aviso %s: el reclamo pasó a otro trabajador; no se envía", aviso_id)
        return None
    if aviso.envio_iniciado is not None:
        logger.warning(
            "Aviso %s: un intento iniciado el %s quedó sin desenlace; se reintenta con la "
            "misma clave de idempotencia",
            aviso_id,
            aviso.envio_iniciado,
        )
    limite = tiempo_limite()
    ahora = timezone.now()
    plazo = ahora + reserva() + timedelta(seconds=limite)
    if not _actualizar_mio(
        aviso_id, reclamo, sumar_intento=True, envio_iniciado=ahora, reclamo_vence=plazo
    ):
        logger.warning("Aviso %s: el reclamo pasó a otro trabajador; no se envía", aviso_id)
        return None
    aviso.intentos += 1
    try:
        proveedor_id = _llamar_pasarela(aviso, limite)
    except Exception as exc:
        # Whatever the gateway raises is one failed attempt; the worker must keep going.
        _registrar_fallo(aviso, reclamo, exc)
    else:
        aviso.estado = Aviso.Estado.ENVIADO
        aviso.enviado = timezone.now()
        aviso.proveedor_id = str(proveedor_id)[:100]
        aviso.ultimo_error = ""
        _registrar(
            aviso,
            reclamo,
            estado=aviso.estado,
            enviado=aviso.enviado,
            proveedor_id=aviso.proveedor_id,
            ultimo_error="",
        )
    return aviso


def _llamar_pasarela(aviso: Aviso, limite: float) -> str:
    """The gateway's answer, or TiempoAgotado after ``limite`` seconds.

    The call runs in a daemon thread: a Python thread cannot be interrupted, so a call
    that hangs is abandoned (it must not use the database) and the worker moves on; if
    it still delivers later, the retry's identical idempotency key makes it one SMS.
    """
    clave = str(aviso.clave_idempotencia)
    if aviso.canal == Aviso.Canal.EMAIL:
        pasarela_correo_ = pasarela_correo()
        if getattr(pasarela_correo_, "local", False):
            return pasarela_correo_.enviar(
                destino=aviso.destino,
                asunto=aviso.asunto,
                texto=aviso.texto,
                html=aviso.html,
                clave_idempotencia=clave,
            )
    else:
        pasarela_sms_ = pasarela_sms()
        if getattr(pasarela_sms_, "local", False):
            return pasarela_sms_.enviar(
                destino=aviso.destino, texto=aviso.texto, clave_idempotencia=clave
            )
    respuesta: dict[str, Any] = {}

    def llamar() -> None:
        try:
            if aviso.canal == Aviso.Canal.EMAIL:
                respuesta["id"] = pasarela_correo().enviar(
                    destino=aviso.destino,
                    asunto=aviso.asunto,
                    texto=aviso.texto,
                    html=aviso.html,
                    clave_idempotencia=clave,
                )
            else:
                respuesta["id"] = pasarela_sms().enviar(
                    destino=aviso.destino, texto=aviso.texto, clave_idempotencia=clave
                )
        except BaseException as exc:  # handed to the worker's thread below
            respuesta["error"] = exc

    hilo = threading.Thread(target=llamar, name=f"avisos-pasarela-{aviso.pk}", daemon=True)
    hilo.start()
    hilo.join(limite)
    if hilo.is_alive():
        raise TiempoAgotado(f"la pasarela no respondió en {limite:g} s")
    if "error" in respuesta:
        raise respuesta["error"]
    return str(respuesta["id"])


def _registrar(aviso: Aviso, reclamo: str, **cambios: Any) -> bool:
    """Writes an attempt's outcome and releases the claim, only if the claim is ours."""
    hecho = _actualizar_mio(
        aviso.pk, reclamo, reclamado_por="", reclamo_vence=None, envio_iniciado=None, **cambios
    )
    if not hecho:
        logger.warning(
            "Aviso %s: el reclamo pasó a otro trabajador durante el envío; el resultado "
            "(%s) no se registra",
            aviso.pk,
            cambios.get("estado", "reintento"),
        )
    return hecho


def _registrar_fallo(aviso: Aviso, reclamo: str, exc: Exception) -> None:
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
    _registrar(
        aviso,
        reclamo,
        estado=aviso.estado,
        siguiente_intento=aviso.siguiente_intento,
        ultimo_error=aviso.ultimo_error,
    )


def _escrituras_sin_esperar_al_disco() -> None:
    """On PostgreSQL, this connection's commits stop waiting for the WAL flush
    (synchronous_commit = off; still atomic, still visible to other workers at once).

    The outbox can afford it: a server crash may forget the last fraction of a second of
    these writes, i.e. a claim, the start of a send or its outcome. A forgotten claim or
    start only frees the row; a forgotten enviado makes a later attempt present the
    notice again under its same idempotency key, which the provider answers without a
    second message, as after a killed worker. Waiting for the disk on every row would
    cap a worker at the disk's flush rate (a few hundred rows a second).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def entregar_pendientes(*, ahora: datetime | None = None, limite: int = LOTE) -> int:
    """Claims and sends the due notices, batch after batch; returns how many it tried."""
    total = 0
    _escrituras_sin_esperar_al_disco()
    while True:
        lote = reclamar(ahora=ahora or timezone.now(), limite=limite)
        # One read for the whole batch instead of one per notice.
        leidos = Aviso.objects.in_bulk(lote.ids)
        for aviso_id in lote.ids:
            renovar(lote)
            if entregar(aviso_id, reclamo=lote.reclamo, leido=leidos.get(aviso_id)) is not None:
                total += 1
        if len(lote.ids) < limite:
            return total


def fallidos_de_areas(area_ids: list[int]) -> QuerySet[Aviso]:
    """The failed notices about requests of these areas, newest first."""
    return (
        Aviso.objects.filter(estado=Aviso.Estado.FALLIDO, solicitud__area_id__in=area_ids)
        .select_related("solicitud")
        .order_by("-creado", "-id")
    )


def reintentar(*, aviso: Aviso, actor: str, ahora: datetime | None = None) -> bool:
    """Puts a failed notice back in the queue with a fresh allowance of attempts, under
    the same idempotency key (a notice that did reach the phone is not sent twice by a
    gateway that dedupes). Returns False if it was no longer failed."""
    ahora = ahora or timezone.now()
    with transaction.atomic():
        hecho = _reintentar(aviso, actor, ahora)
        if hecho and settings.AVISOS_EN_PROCESO:
            transaction.on_commit(entregar_en_segundo_plano, robust=True)
    return hecho


def _reintentar(aviso: Aviso, actor: str, ahora: datetime) -> bool:
    hecho = bool(
        Aviso.objects.filter(pk=aviso.pk, estado=Aviso.Estado.FALLIDO).update(
            estado=Aviso.Estado.PENDIENTE,
            intentos=0,
            siguiente_intento=ahora,
            reclamado_por="",
            reclamo_vence=None,
            envio_iniciado=None,
        )
    )
    if hecho:
        CambioAviso.objects.create(
            aviso=aviso,
            actor=actor[:150],
            evento="reintento",
            estado_anterior=Aviso.Estado.FALLIDO,
            detalle=aviso.ultimo_error[:500],
            creado=ahora,
        )
        logger.info("Aviso %s reintentado por %s (antes: %s)", aviso.pk, actor, aviso.ultimo_error)
    return hecho
