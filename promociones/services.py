"""Filing a request: the rules of the form, then one transaction that records everything."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from acuses import sello
from acuses.sello import Sellador
from buzon.errores import ErrorDominio
from buzon.lib import telefono as telefonos
from buzon.lib.texto import (
    excede_limite,
    marcas_en_exceso,
    normalizar_saltos,
    sin_controles,
)
from calendario.services import Plazo, plazo_de_respuesta
from cuentas.models import Contribuyente
from promociones import catalogo, pipeline
from promociones.evidencias import (
    ArchivoExcedido,
    EvidenciaGuardada,
    borrar_evidencia,
    error_muy_grande,
    sha256_de,
    validar_y_guardar_evidencia,
)
from promociones.folios import asignar_folio
from promociones.models import Asunto, Evidencia, Servicio, Solicitud

logger = logging.getLogger(__name__)

MAX_CLAVE_IDEMPOTENCIA = 100
# A page filing with the very content (fields and evidence) a request of the same
# taxpayer was filed with this recently is that request again: Back, then Enviar, in a
# browser that restores the text but not the form's key (or without the page's script).
VENTANA_REPETIDA = timedelta(hours=24)


class ErroresSolicitud(ErrorDominio):
    """Every rule the form broke. It *is* the first one (what the API answers with); the
    page shows each message next to its field."""

    def __init__(self, errores: list[ErrorDominio]) -> None:
        primero = errores[0]
        super().__init__(primero.clave, mensaje=primero.mensaje, campo=primero.campo)
        self.errores = errores

    def por_campo(self) -> dict[str, str]:
        return {e.campo or "formulario": e.mensaje for e in reversed(self.errores)}


@dataclass(frozen=True)
class DatosSolicitud:
    servicio: Servicio
    asunto: Asunto
    descripcion: str
    telefono: str


def validar_solicitud(
    *,
    servicio: str,
    asunto: str,
    descripcion: str,
    telefono: str,
    hay_evidencia: bool,
    evidencia_excedida: bool | ArchivoExcedido | None = False,
    leido: catalogo.Catalogo | None = None,
) -> DatosSolicitud:
    """The form's rules in the form's order; raises ErroresSolicitud with every broken one.
    ``leido``: the catalog the caller already holds (else the current one)."""
    errores: list[ErrorDominio] = []
    servicio, asunto, telefono = (sin_controles(v).strip() for v in (servicio, asunto, telefono))
    leido = leido or catalogo.vigente()
    serv = leido.servicio(servicio)
    if serv is None:
        # Without a service nothing else can be judged (the rules depend on it).
        raise ErroresSolicitud([ErrorDominio("servicio_invalido")])
    asu = leido.asunto(serv, asunto)
    if asu is None:
        errores.append(ErrorDominio("asunto_invalido.del_servicio", servicios=serv.nombre_plural))
    texto = normalizar_saltos(sin_controles(descripcion))
    if not texto.strip():
        errores.append(ErrorDominio("descripcion_requerida"))
    elif excede_limite(texto):
        errores.append(
            ErrorDominio(
                "descripcion_muy_larga.marcas"
                if marcas_en_exceso(texto)
                else "descripcion_muy_larga"
            )
        )
    numero = ""
    if telefono.strip():
        numero = telefonos.normalizar(telefono) or ""
        if not numero:
            errores.append(ErrorDominio("telefono_invalido"))
    elif serv.requiere_telefono:
        errores.append(ErrorDominio("telefono_requerido", servicio=serv.nombre))
    if isinstance(evidencia_excedida, ArchivoExcedido):
        errores.append(evidencia_excedida.error())  # names the file and its size
    elif evidencia_excedida:
        errores.append(error_muy_grande())
    elif not hay_evidencia and serv.requiere_evidencia:
        errores.append(ErrorDominio("evidencia_requerida", servicio=serv.nombre))
    if errores:
        raise ErroresSolicitud(errores)
    assert asu is not None
    return DatosSolicitud(serv, asu, texto, numero)


def huella_de(
    *, servicio: str, asunto: str, descripcion: str, telefono: str, sha256_evidencia: str
) -> str:
    """What identifies a filing's content for idempotency: the fields as the rules read
    them (so a resent form that differs only in invisible characters or line endings is
    the same request) and the evidence's hash."""
    telefono = sin_controles(telefono).strip()
    campos = {
        "servicio": sin_controles(servicio).strip(),
        "asunto": sin_controles(asunto).strip(),
        "descripcion": normalizar_saltos(sin_controles(descripcion)).strip(),
        "telefono": telefonos.normalizar(telefono) or telefono,
        "evidencia": sha256_evidencia,
    }
    texto = json.dumps(campos, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


def _la_misma(previa: Solicitud, huella: str) -> Solicitud:
    """The request a key made, if this retry is the same filing; 409 otherwise."""
    if previa.huella_idempotencia and previa.huella_idempotencia != huella:
        raise ErrorDominio("idempotencia_reutilizada")
    return previa


def _solicitud_con_clave(contribuyente: Contribuyente, clave: str | None) -> Solicitud | None:
    if not clave:
        return None
    return Solicitud.objects.filter(contribuyente=contribuyente, clave_idempotencia=clave).first()


@dataclass(frozen=True)
class Registro:
    """What :func:`registrar` left: the request and, when this call filed it, the rows
    written with it (``efectos``: its history row and its acuse de recepción); None when
    the request was filed before (a retry with its key), which may have changed since."""

    solicitud: Solicitud
    efectos: pipeline.Efectos | None


def registrar_solicitud(**campos: Any) -> Solicitud:
    """:func:`registrar` for callers that only need the request."""
    return registrar(**campos).solicitud


def registrar(
    *,
    contribuyente: Contribuyente,
    servicio: str,
    asunto: str,
    descripcion: str,
    telefono: str,
    evidencia: UploadedFile | None,
    clave_idempotencia: str | None = None,
    momento: datetime | None = None,
    evidencia_excedida: bool | ArchivoExcedido | None = False,
) -> Registro:
    """Validates and records a request with its folio, evidence, history and acuse.

    A retry with the same ``clave_idempotencia`` returns the request the first call made;
    the same key with different content is refused (``idempotencia_reutilizada``, 409).
    If anything fails, nothing is left behind: no row and no stored file.
    """
    clave = sin_controles(clave_idempotencia or "").strip() or None
    if clave is not None and len(clave) > MAX_CLAVE_IDEMPOTENCIA:
        raise ErrorDominio("idempotencia_invalida", maximo=MAX_CLAVE_IDEMPOTENCIA)
    huella = ""
    if clave is not None:
        huella = huella_de(
            servicio=servicio,
            asunto=asunto,
            descripcion=descripcion,
            telefono=telefono,
            sha256_evidencia=sha256_de(evidencia) if evidencia is not None else "",
        )
    previa = _solicitud_con_clave(contribuyente, clave)
    if previa is not None:
        return Registro(_la_misma(previa, huella), None)

    # One read of the catalog for the whole filing: its rules and its calendar.
    leido = catalogo.vigente()
    datos = validar_solicitud(
        servicio=servicio,
        asunto=asunto,
        descripcion=descripcion,
        telefono=telefono,
        hay_evidencia=evidencia is not None,
        evidencia_excedida=evidencia_excedida,
        leido=leido,
    )
    momento = momento or timezone.now()
    # Read before the transaction what no folio depends on: the response date (the
    # calendar's non-working days) and the sealing key. The database's write lock
    # (SQLite: BEGIN IMMEDIATE, at the transaction's start) and the folio counter's row
    # lock (PostgreSQL: from asignar_folio) are held until the commit, and every filing
    # of the servicio waits on them. Read before the evidence is stored, too: a big file
    # already on its way to a bucket is still travelling meanwhile.
    plazo = plazo_de_respuesta(momento, datos.asunto.plazo_en(datos.servicio), leido.dias_inhabiles)
    material = sello.material()
    guardada: EvidenciaGuardada | None = None
    if evidencia is not None:
        guardada = validar_y_guardar_evidencia(evidencia)
    try:
        with transaction.atomic():
            solicitud, efectos = _crear(
                contribuyente, datos, guardada, clave, huella, momento, plazo, material
            )
    except BaseException as exc:
        if guardada is not None:
            borrar_evidencia(guardada.clave)
        if isinstance(exc, IntegrityError):
            # Two submissions with the same key raced; the other one committed first.
            previa = _solicitud_con_clave(contribuyente, clave)
            if previa is not None:
                return Registro(_la_misma(previa, huella), None)
        raise
    logger.info("Solicitud %s registrada para %s", solicitud.folio, contribuyente.rfc)
    return Registro(solicitud, efectos)


@dataclass(frozen=True)
class Presentacion:
    solicitud: Solicitud
    repetida: bool  # the request was already filed: this submission filed nothing


def presentar_desde_formulario(
    *,
    contribuyente: Contribuyente,
    servicio: str,
    asunto: str,
    descripcion: str,
    telefono: str,
    evidencia: UploadedFile | None,
    clave_idempotencia: str,
    evidencia_excedida: bool | ArchivoExcedido | None = False,
    momento: datetime | None = None,
) -> Presentacion:
    """:func:`registrar_solicitud` for the Nueva Solicitud page: one filing per intention.

    The form's key is the draft's (promociones.borradores): the same key is the same
    request (or ``idempotencia_reutilizada`` when the content differs, e.g. a second tab
    with other text). Beyond the key, the same content filed within VENTANA_REPETIDA is
    the same request too. ``repetida`` says the request existed before this submission.
    """
    clave = sin_controles(clave_idempotencia or "").strip()
    momento = momento or timezone.now()
    if clave and len(clave) <= MAX_CLAVE_IDEMPOTENCIA:
        huella = huella_de(
            servicio=servicio,
            asunto=asunto,
            descripcion=descripcion,
            telefono=telefono,
            sha256_evidencia=sha256_de(evidencia) if evidencia is not None else "",
        )
        previa = _solicitud_con_clave(contribuyente, clave)
        if previa is not None:
            return Presentacion(_la_misma(previa, huella), repetida=True)
        igual = (
            Solicitud.objects.filter(
                contribuyente=contribuyente,
                recibida__gte=momento - VENTANA_REPETIDA,
                huella_idempotencia=huella,
            )
            .order_by("-recibida", "-id")
            .first()
        )
        if igual is not None:
            return Presentacion(igual, repetida=True)
    registro = registrar(
        contribuyente=contribuyente,
        servicio=servicio,
        asunto=asunto,
        descripcion=descripcion,
        telefono=telefono,
        evidencia=evidencia,
        clave_idempotencia=clave or None,
        momento=momento,
        evidencia_excedida=evidencia_excedida,
    )
    # A racing submission with the same key may have filed it a moment before.
    return Presentacion(registro.solicitud, repetida=registro.efectos is None)


def _crear(
    contribuyente: Contribuyente,
    datos: DatosSolicitud,
    guardada: EvidenciaGuardada | None,
    clave: str | None,
    huella: str,
    momento: datetime,
    plazo: Plazo,
    material: Sellador,
) -> tuple[Solicitud, pipeline.Efectos]:
    solicitud = Solicitud.objects.create(
        folio=asignar_folio(datos.servicio, momento),
        contribuyente=contribuyente,
        servicio=datos.servicio,
        asunto=datos.asunto,
        descripcion=datos.descripcion,
        telefono=datos.telefono,
        recibida=momento,
        computo_desde=plazo.computo_desde,
        respuesta_a_partir_del=plazo.respuesta_a_partir_del,
        area_id=datos.asunto.area_id,
        clave_idempotencia=clave,
        huella_idempotencia=huella,
    )
    if guardada is not None:
        Evidencia.objects.create(
            solicitud=solicitud,
            nombre_original=guardada.nombre_original,
            bytes=guardada.bytes,
            sha256=guardada.sha256,
            archivo=guardada.clave,
        )  # which also tells the request it has this evidence
    else:
        # Known to have none: reading solicitud.evidencia afterwards asks nothing.
        Solicitud.evidencia.related.set_cached_value(solicitud, None)
    # The pipeline's "registrar": its history row and its acuse de recepción.
    efectos = pipeline.efectos(
        pipeline.accion("registrar"),
        solicitud=solicitud,
        actor_id=contribuyente.usuario_id,
        momento=momento,
        anterior=None,
        cambio=pipeline.Cambio(
            datos={
                "computo_desde": plazo.computo_desde.isoformat(),
                "respuesta_a_partir_del": plazo.respuesta_a_partir_del.isoformat(),
            }
        ),
        material=material,
    )
    return solicitud, efectos
