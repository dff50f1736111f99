"""The staff transitions: prórroga, canalización and respuesta.

Each one is a single transaction: lock the solicitud, check who acts and the rule,
update the solicitud, write the Evento (actor, old and new values), issue the acuse
and queue the SMS. If any step fails, none of them happened.

Who may do what (DESIGN.md, "Actors"): the supervisor of the request's area extends
and re-routes; analysts and supervisors of the area answer. Staff outside the area
get the same 404 as for an unknown folio.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from atencion import transiciones
from atencion.documentos import borrar_documento, validar_y_guardar_documento
from atencion.models import Respuesta
from atencion.transiciones import Accion
from buzon.errores import ErrorDominio
from buzon.lib.texto import (
    MENSAJE_MARCAS,
    excede_limite,
    marcas_en_exceso,
    normalizar_saltos,
    sin_controles,
)
from calendario.services import fecha_en_mexico, siguiente_habil, sumar_habiles
from contacto.services import avisar
from promociones.acceso import NO_ENCONTRADA
from promociones.hechos import emitir_acuse
from promociones.models import Adscripcion, Asunto, Estatus, Evento, Servicio, Solicitud

logger = logging.getLogger(__name__)

SUPERVISOR = frozenset({Adscripcion.Rol.SUPERVISOR})
CUALQUIER_ROL = frozenset({Adscripcion.Rol.ANALISTA, Adscripcion.Rol.SUPERVISOR})
ROLES = {
    Accion.PRORROGA: SUPERVISOR,
    Accion.CANALIZACION: SUPERVISOR,
    Accion.RESPUESTA: CUALQUIER_ROL,
}


def _bloquear(solicitud: Solicitud, actor: AbstractBaseUser, roles: frozenset[str]) -> Solicitud:
    """The solicitud locked for this transaction, once ``actor`` has one of ``roles``
    in its area."""
    bloqueada = (
        Solicitud.objects.select_for_update(of=("self",))
        .select_related("servicio", "asunto", "area", "contribuyente", "asignada_a")
        .get(pk=solicitud.pk)
    )
    rol = (
        Adscripcion.objects.filter(usuario_id=actor.pk, area_id=bloqueada.area_id)
        .values_list("rol", flat=True)
        .first()
    )
    if rol is None:
        raise ErrorDominio("no_encontrada", NO_ENCONTRADA, status=404)
    if rol not in roles:
        raise ErrorDominio(
            "sin_permiso",
            "Esta acción solo la puede realizar el supervisor del área de la solicitud.",
            status=403,
        )
    return bloqueada


def _texto(valor: str, *, codigo: str, mensaje: str, campo: str) -> str:
    texto = normalizar_saltos(sin_controles(valor or "")).strip()
    if not texto:
        raise ErrorDominio(codigo, mensaje, campo=campo)
    if excede_limite(texto):
        raise ErrorDominio(
            f"{campo}_muy_larga" if campo == "nota" else f"{campo}_muy_largo",
            f"El texto {MENSAJE_MARCAS}"
            if marcas_en_exceso(texto)
            else "El texto debe ser menor a 4,000 caracteres.",
            campo=campo,
        )
    return texto


def _nota(nota: str) -> str:
    return _texto(
        nota,
        codigo="nota_requerida",
        mensaje="Escribe una nota interna que explique el motivo.",
        campo="nota",
    )


def _evento(
    solicitud: Solicitud,
    tipo: str,
    actor: AbstractBaseUser,
    momento: datetime,
    anterior: str,
    datos: dict[str, Any],
) -> Evento:
    return Evento.objects.create(
        solicitud=solicitud,
        tipo=tipo,
        actor_id=actor.pk,
        creado=momento,
        datos={"estatus_anterior": anterior, "estatus_nuevo": solicitud.estatus, **datos},
    )


def _avisar(
    solicitud: Solicitud, evento: str, contexto: dict[str, Any], momento: datetime
) -> dict[str, Any]:
    """Queues the notices (SMS and e-mail, to the RFC's confirmed means) in this
    transaction and returns what the history records about them."""
    return avisar(solicitud=solicitud, evento=evento, contexto=contexto, momento=momento)


def otorgar_prorroga(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    nota: str,
    dias_habiles: int,
    momento: datetime | None = None,
) -> Solicitud:
    """Extends the response date by ``dias_habiles`` business days, once per solicitud.

    At most the original term of the request's asunto in its servicio; the new date
    counts from the current *Respuesta a partir del*.
    """
    momento = momento or timezone.now()
    with transaction.atomic():
        s = _bloquear(solicitud, actor, ROLES[Accion.PRORROGA])
        if s.estatus != Estatus.ATENDIDO and s.eventos.filter(tipo=Evento.Tipo.PRORROGA).exists():
            raise ErrorDominio(
                "prorroga_ya_otorgada",
                "Esta solicitud ya tuvo su prórroga; solo se otorga una vez.",
                status=409,
            )
        nuevo = transiciones.siguiente_estatus(s.estatus, Accion.PRORROGA)
        texto_nota = _nota(nota)
        plazo = s.asunto.plazo_en(s.servicio)
        if isinstance(dias_habiles, bool) or not isinstance(dias_habiles, int):
            dias_habiles = -1
        if not 1 <= dias_habiles <= plazo:
            raise ErrorDominio(
                "dias_invalidos",
                f"La prórroga debe ser de 1 a {plazo} días hábiles (el plazo original).",
                campo="dias_habiles",
            )
        anterior_estatus, anterior_fecha = s.estatus, s.respuesta_a_partir_del
        nueva_fecha = sumar_habiles(anterior_fecha, dias_habiles)
        s.estatus, s.respuesta_a_partir_del = nuevo, nueva_fecha
        s.save(update_fields=["estatus", "respuesta_a_partir_del"])
        aviso = _avisar(s, "prorroga", {"nueva_fecha": nueva_fecha}, momento)
        _evento(
            s,
            Evento.Tipo.PRORROGA,
            actor,
            momento,
            anterior_estatus,
            {
                "nota": texto_nota,
                "dias_habiles": dias_habiles,
                "fecha_anterior": anterior_fecha.isoformat(),
                "respuesta_a_partir_del": nueva_fecha.isoformat(),
                **aviso,
            },
        )
        emitir_acuse(
            solicitud=s,
            tipo="prorroga",
            momento=momento,
            extra={"nueva_fecha": nueva_fecha, "fecha_anterior": anterior_fecha},
        )
    logger.info("Prórroga de %s hasta %s", s.folio, nueva_fecha)
    return s


def _catalogo(servicio: str, asunto: str) -> tuple[Servicio, Asunto]:
    serv = Servicio.objects.filter(clave=(servicio or "").strip()).first()
    if serv is None:
        raise ErrorDominio("servicio_invalido", "Elige un servicio válido.", campo="servicio")
    asu = (
        Asunto.objects.filter(clave=(asunto or "").strip(), activo=True, servicios=serv)
        .select_related("area")
        .first()
    )
    if asu is None:
        raise ErrorDominio(
            "asunto_invalido",
            f"Elige uno de los asuntos activos de {serv.nombre_plural}.",
            campo="asunto",
        )
    return serv, asu


def canalizar(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    nota: str,
    servicio: str,
    asunto: str,
    momento: datetime | None = None,
) -> Solicitud:
    """Re-routes the request to another servicio and asunto (claves), and its area.

    Both must change. The new response date is the new asunto's term counted from the
    canalización day (the next business day when it happens on a non-working day).
    """
    momento = momento or timezone.now()
    with transaction.atomic():
        s = _bloquear(solicitud, actor, ROLES[Accion.CANALIZACION])
        nuevo = transiciones.siguiente_estatus(s.estatus, Accion.CANALIZACION)
        texto_nota = _nota(nota)
        serv, asu = _catalogo(servicio, asunto)
        if serv.pk == s.servicio_id or asu.pk == s.asunto_id:
            raise ErrorDominio(
                "canalizacion_sin_cambio",
                "Para canalizar hay que cambiar tanto el servicio como el asunto.",
                campo="asunto",
            )
        hoy = fecha_en_mexico(momento)
        nueva_fecha = sumar_habiles(siguiente_habil(hoy), asu.plazo_en(serv))
        antes_estatus, antes_servicio, antes_asunto = s.estatus, s.servicio, s.asunto
        antes_area, antes_fecha = s.area, s.respuesta_a_partir_del
        s.estatus, s.servicio, s.asunto, s.area = nuevo, serv, asu, asu.area
        s.respuesta_a_partir_del, s.fecha_respuesta_o_canalizacion = nueva_fecha, hoy
        s.asignada_a = None  # the new area assigns it again
        s.save(
            update_fields=[
                "estatus",
                "servicio",
                "asunto",
                "area",
                "respuesta_a_partir_del",
                "fecha_respuesta_o_canalizacion",
                "asignada_a",
            ]
        )
        aviso = _avisar(
            s,
            "canalizacion",
            {"servicio": serv.nombre, "asunto": asu.nombre, "nueva_fecha": nueva_fecha},
            momento,
        )
        _evento(
            s,
            Evento.Tipo.CANALIZADA,
            actor,
            momento,
            antes_estatus,
            {
                "nota": texto_nota,
                "servicio": serv.clave,
                "asunto": asu.clave,
                "servicio_anterior": antes_servicio.clave,
                "asunto_anterior": antes_asunto.clave,
                "area": asu.area.clave,
                "area_anterior": antes_area.clave,
                "fecha_anterior": antes_fecha.isoformat(),
                "respuesta_a_partir_del": nueva_fecha.isoformat(),
                **aviso,
            },
        )
        emitir_acuse(
            solicitud=s,
            tipo="canalizacion",
            momento=momento,
            extra={
                "servicio": serv,
                "asunto": asu,
                "nueva_fecha": nueva_fecha,
                "servicio_anterior": antes_servicio,
                "asunto_anterior": antes_asunto,
            },
        )
    logger.info("Solicitud %s canalizada a %s/%s", s.folio, serv.clave, asu.clave)
    return s


def responder(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    texto: str,
    documento: UploadedFile | None,
    momento: datetime | None = None,
) -> Solicitud:
    """Answers the request with ``texto`` and a PDF; estatus Atendido as of today.

    The PDF is checked and stored before the transaction, and removed again if the
    transaction fails, so a refused answer leaves no file behind.
    """
    momento = momento or timezone.now()
    # The cheap checks first, so that a request that cannot be answered stores nothing.
    with transaction.atomic():
        s = _bloquear(solicitud, actor, ROLES[Accion.RESPUESTA])
        transiciones.siguiente_estatus(s.estatus, Accion.RESPUESTA)
    texto_respuesta = _texto(
        texto,
        codigo="texto_requerido",
        mensaje="Escribe el texto de la respuesta.",
        campo="texto",
    )
    guardado = validar_y_guardar_documento(documento)
    try:
        with transaction.atomic():
            s = _bloquear(solicitud, actor, ROLES[Accion.RESPUESTA])
            nuevo = transiciones.siguiente_estatus(s.estatus, Accion.RESPUESTA)
            hoy: date = fecha_en_mexico(momento)
            anterior = s.estatus
            s.estatus, s.fecha_respuesta_o_canalizacion = nuevo, hoy
            s.save(update_fields=["estatus", "fecha_respuesta_o_canalizacion"])
            Respuesta.objects.create(
                solicitud=s,
                texto=texto_respuesta,
                autor_id=actor.pk,
                creada=momento,
                documento_nombre=guardado.nombre_original,
                documento_bytes=guardado.bytes,
                documento_sha256=guardado.sha256,
                documento=guardado.clave,
            )
            aviso = _avisar(s, "respuesta", {}, momento)
            _evento(
                s,
                Evento.Tipo.ATENDIDA,
                actor,
                momento,
                anterior,
                {
                    "fecha_respuesta": hoy.isoformat(),
                    "documento": {
                        "nombre": guardado.nombre_original,
                        "bytes": guardado.bytes,
                        "sha256": guardado.sha256,
                    },
                    **aviso,
                },
            )
            emitir_acuse(
                solicitud=s,
                tipo="respuesta",
                momento=momento,
                extra={
                    "texto": texto_respuesta,
                    "documento": {
                        "nombre": guardado.nombre_original,
                        "bytes": guardado.bytes,
                        "sha256": guardado.sha256,
                    },
                },
            )
    except BaseException:
        borrar_documento(guardado.clave)
        raise
    logger.info("Solicitud %s atendida", s.folio)
    return s


def anotar(*, solicitud: Solicitud, actor: AbstractBaseUser, nota: str) -> Evento:
    """An internal note on the request's history; the taxpayer never sees it."""
    with transaction.atomic():
        s = _bloquear(solicitud, actor, CUALQUIER_ROL)
        return Evento.objects.create(
            solicitud=s,
            tipo=Evento.Tipo.NOTA,
            actor_id=actor.pk,
            creado=timezone.now(),
            datos={"nota": _nota(nota)},
        )


def asignar(*, solicitud: Solicitud, actor: AbstractBaseUser, usuario: str) -> Solicitud:
    """The supervisor gives the request to a member of its area (by username)."""
    with transaction.atomic():
        s = _bloquear(solicitud, actor, SUPERVISOR)
        if s.estatus == Estatus.ATENDIDO:
            raise ErrorDominio(
                "transicion_invalida",
                "Una solicitud atendida ya no se asigna.",
                status=409,
            )
        miembro = (
            Adscripcion.objects.filter(area_id=s.area_id, usuario__username=(usuario or "").strip())
            .select_related("usuario")
            .first()
        )
        if miembro is None:
            raise ErrorDominio(
                "usuario_invalido",
                "Elige a una persona adscrita al área de la solicitud.",
                campo="usuario",
            )
        anterior = s.asignada_a.get_username() if s.asignada_a else None
        s.asignada_a = miembro.usuario
        s.save(update_fields=["asignada_a"])
        Evento.objects.create(
            solicitud=s,
            tipo=Evento.Tipo.ASIGNADA,
            actor_id=actor.pk,
            creado=timezone.now(),
            datos={"asignada_anterior": anterior, "asignada_a": miembro.usuario.get_username()},
        )
    return s
