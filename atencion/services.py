"""The institution's actions on a request: asignar, nota interna, prórroga,
canalización and respuesta.

Each is a run of the request's pipeline (``promociones.pipeline``): one transaction
that locks the request, checks who acts and the rule, applies the change, writes the
history, issues the acuse and queues the notices. What this module adds is what only
the institution knows: the actor's role in the request's area, and the inputs of each
action (the note, the days, the new asunto, the answer and its document).

Who may do what (DESIGN.md, "Actors"): the supervisor of the request's area extends,
re-routes and assigns; analysts and supervisors of the area answer and write notes.
Staff outside the area get the same 404 as for an unknown folio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from atencion import acceso, auditoria
from atencion.documentos import borrar_documento, validar_y_guardar_documento
from atencion.models import Adscripcion
from buzon.errores import ErrorDominio
from buzon.lib.texto import (
    excede_limite,
    marcas_en_exceso,
    normalizar_saltos,
    sin_controles,
)
from calendario.services import fecha_en_mexico, siguiente_habil, sumar_habiles
from contacto.services import avisar
from promociones import catalogo, pipeline
from promociones.models import Asunto, Evento, Respuesta, Servicio, Solicitud

logger = logging.getLogger(__name__)


def _texto(valor: str, *, campo: Literal["nota", "texto"]) -> str:
    """The staff member's text, cleaned; each field has its own codes (la nota, el texto)."""
    nota = campo == "nota"
    texto = normalizar_saltos(sin_controles(valor or "")).strip()
    if not texto:
        raise ErrorDominio("nota_requerida" if nota else "texto_requerido")
    if excede_limite(texto):
        if marcas_en_exceso(texto):
            raise ErrorDominio("nota_muy_larga.marcas" if nota else "texto_muy_largo.marcas")
        raise ErrorDominio("nota_muy_larga" if nota else "texto_muy_largo")
    return texto


def _ejecutar(
    nombre: str,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    *,
    cambio: Callable[[Solicitud], pipeline.Cambio],
    momento: datetime,
    canal: str = auditoria.WEB,
) -> pipeline.Resultado:
    """The pipeline's run of ``nombre`` by ``actor``, with her role from atencion.acceso
    and notices to the RFC's contact means, and the action's audit row (atencion.auditoria)
    in the same transaction: a refused or failed action leaves none.

    The row takes the area and the role the pipeline checked on the locked request,
    before the action changed it: a canalización is recorded under the area that made it.
    """
    rol_en_su_area = acceso.rol_de(actor)
    comprobado: dict[str, Any] = {}

    def rol_de(s: Solicitud) -> str | None:
        comprobado["area_id"], comprobado["rol"] = s.area_id, rol_en_su_area(s)
        return comprobado["rol"]

    with transaction.atomic():
        resultado = pipeline.ejecutar(
            nombre,
            solicitud=solicitud,
            actor_id=actor.pk,
            rol_de=rol_de,
            cambio=cambio,
            momento=momento,
            avisar=avisar,
        )
        auditoria.registrar(
            solicitud_id=resultado.solicitud.pk,
            usuario_id=actor.pk,
            area_id=comprobado["area_id"],
            rol=comprobado["rol"],
            accion=auditoria.ACCION_DE_PASO[nombre],
            canal=canal,
            momento=momento,
        )
    return resultado


def _nota(nota: str) -> str:
    return _texto(nota, campo="nota")


def otorgar_prorroga(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    nota: str,
    dias_habiles: int,
    momento: datetime | None = None,
    canal: str = auditoria.WEB,
) -> Solicitud:
    """Extends the response date by ``dias_habiles`` business days, once per solicitud.

    At most the original term of the request's asunto in its servicio; the new date
    counts from the current *Respuesta a partir del*. On a canalized request it is also
    the new *Fecha de respuesta/Canalización*, as canalizar left it.
    """
    momento = momento or timezone.now()

    def cambio(s: Solicitud) -> pipeline.Cambio:
        texto_nota = _nota(nota)
        plazo = s.asunto.plazo_en(s.servicio)
        dias = (
            dias_habiles
            if isinstance(dias_habiles, int) and not isinstance(dias_habiles, bool)
            else -1
        )
        if not 1 <= dias <= plazo:
            raise ErrorDominio("dias_invalidos", plazo=plazo)
        anterior = s.respuesta_a_partir_del
        nueva = sumar_habiles(anterior, dias)
        campos: dict[str, Any] = {"respuesta_a_partir_del": nueva}
        if s.canalizada is not None:
            # As the guide reads the Tablero (VIII.3), a canalized request's *Fecha de
            # respuesta/Canalización* is its response date, so the prórroga moves it too.
            # Only open requests get here (the pipeline refused an answered one).
            campos["fecha_respuesta_o_canalizacion"] = nueva
        return pipeline.Cambio(
            campos=campos,
            datos={
                "nota": texto_nota,
                "dias_habiles": dias,
                "fecha_anterior": anterior.isoformat(),
                "respuesta_a_partir_del": nueva.isoformat(),
            },
            extra_acuse={"nueva_fecha": nueva, "fecha_anterior": anterior},
            contexto_aviso={"nueva_fecha": nueva},
        )

    s = _ejecutar(
        "prorroga", solicitud, actor, cambio=cambio, momento=momento, canal=canal
    ).solicitud
    logger.info("Prórroga de %s hasta %s", s.folio, s.respuesta_a_partir_del)
    return s


def _catalogo(servicio: str, asunto: str) -> tuple[Servicio, Asunto]:
    serv = catalogo.servicio_por_clave(servicio)
    if serv is None:
        raise ErrorDominio("servicio_invalido")
    asu = catalogo.asunto_ofrecido(serv, asunto)
    if asu is None:
        raise ErrorDominio("asunto_invalido.canalizacion", servicios=serv.nombre_plural)
    return serv, asu


def canalizar(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    nota: str,
    servicio: str,
    asunto: str,
    momento: datetime | None = None,
    canal: str = auditoria.WEB,
) -> Solicitud:
    """Re-routes the request to another servicio, asunto or both (claves), and its area.

    The guide's "servicio y/o asunto" (VIII.1): either may stay, not both; the asunto
    must be offered in the target servicio. The new response date is the new asunto's
    term in that servicio counted from the canalización day (the next business day when
    it happens on a non-working day); as the guide reads the Tablero (VIII.3), it is also
    the request's *Fecha de respuesta/Canalización*, and the day itself is ``canalizada``.
    """
    momento = momento or timezone.now()

    def cambio(s: Solicitud) -> pipeline.Cambio:
        texto_nota = _nota(nota)
        serv, asu = _catalogo(servicio, asunto)
        if serv.pk == s.servicio_id and asu.pk == s.asunto_id:
            raise ErrorDominio("canalizacion_sin_cambio")
        hoy = fecha_en_mexico(momento)
        nueva = sumar_habiles(siguiente_habil(hoy), asu.plazo_en(serv))
        return pipeline.Cambio(
            campos={
                "servicio": serv,
                "asunto": asu,
                "area": asu.area,
                "respuesta_a_partir_del": nueva,
                "fecha_respuesta_o_canalizacion": nueva,
                "canalizada": hoy,
                # A new area assigns it again; within the same area (only the servicio
                # changed, or an asunto of the same area) whoever had it keeps it.
                "asignada_a": s.asignada_a if asu.area_id == s.area_id else None,
            },
            datos={
                "nota": texto_nota,
                "servicio": serv.clave,
                "asunto": asu.clave,
                "servicio_anterior": s.servicio.clave,
                "asunto_anterior": s.asunto.clave,
                "area": asu.area.clave,
                "area_anterior": s.area.clave,
                "fecha_anterior": s.respuesta_a_partir_del.isoformat(),
                "respuesta_a_partir_del": nueva.isoformat(),
                "canalizada": hoy.isoformat(),
            },
            extra_acuse={
                "servicio": serv,
                "asunto": asu,
                "nueva_fecha": nueva,
                "servicio_anterior": s.servicio,
                "asunto_anterior": s.asunto,
            },
            contexto_aviso={"servicio": serv.nombre, "asunto": asu.nombre, "nueva_fecha": nueva},
        )

    s = _ejecutar(
        "canalizacion", solicitud, actor, cambio=cambio, momento=momento, canal=canal
    ).solicitud
    logger.info("Solicitud %s canalizada a %s/%s", s.folio, s.servicio.clave, s.asunto.clave)
    return s


def responder(
    *,
    solicitud: Solicitud,
    actor: AbstractBaseUser,
    texto: str,
    documento: UploadedFile | None,
    momento: datetime | None = None,
    canal: str = auditoria.WEB,
) -> Solicitud:
    """Answers the request with ``texto`` and a PDF; estatus Atendido as of today.

    The PDF is checked and stored before the transaction, and removed again if the
    transaction fails, so a refused answer leaves no file behind.
    """
    momento = momento or timezone.now()
    # The cheap checks first, so that a request that cannot be answered stores nothing.
    with transaction.atomic():
        pipeline.bloquear(
            pipeline.accion("respuesta"), solicitud=solicitud, rol_de=acceso.rol_de(actor)
        )
    texto_respuesta = _texto(texto, campo="texto")
    guardado = validar_y_guardar_documento(documento)
    archivo = {
        "nombre": guardado.nombre_original,
        "bytes": guardado.bytes,
        "sha256": guardado.sha256,
    }

    def cambio(s: Solicitud) -> pipeline.Cambio:
        hoy: date = fecha_en_mexico(momento)

        def respuesta(s: Solicitud) -> None:
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

        return pipeline.Cambio(
            campos={"fecha_respuesta_o_canalizacion": hoy},
            datos={"fecha_respuesta": hoy.isoformat(), "documento": archivo},
            extra_acuse={"texto": texto_respuesta, "documento": archivo},
            filas=respuesta,
        )

    try:
        s = _ejecutar(
            "respuesta", solicitud, actor, cambio=cambio, momento=momento, canal=canal
        ).solicitud
    except BaseException:
        borrar_documento(guardado.clave)
        raise
    logger.info("Solicitud %s atendida", s.folio)
    return s


def anotar(
    *, solicitud: Solicitud, actor: AbstractBaseUser, nota: str, canal: str = auditoria.WEB
) -> Evento:
    """An internal note on the request's history; the taxpayer never sees its text (her
    Detalle says only that the area added a note)."""
    return _ejecutar(
        "nota",
        solicitud,
        actor,
        cambio=lambda s: pipeline.Cambio(datos={"nota": _nota(nota)}),
        momento=timezone.now(),
        canal=canal,
    ).evento


def asignar(
    *, solicitud: Solicitud, actor: AbstractBaseUser, usuario: str, canal: str = auditoria.WEB
) -> Solicitud:
    """The supervisor gives the request to a member of its area (by username)."""

    def cambio(s: Solicitud) -> pipeline.Cambio:
        miembro = (
            Adscripcion.objects.filter(area_id=s.area_id, usuario__username=(usuario or "").strip())
            .select_related("usuario")
            .first()
        )
        if miembro is None:
            raise ErrorDominio("usuario_invalido")
        anterior = s.asignada_a.get_username() if s.asignada_a else None
        return pipeline.Cambio(
            campos={"asignada_a": miembro.usuario},
            datos={"asignada_anterior": anterior, "asignada_a": miembro.usuario.get_username()},
        )

    return _ejecutar(
        "asignar", solicitud, actor, cambio=cambio, momento=timezone.now(), canal=canal
    ).solicitud
