"""Registering, confirming and removing the contact means of an RFC, and notifying them.

Every change happens with the Contribuyente row locked, so two representatives of one
company (or two tabs) cannot interleave. A code is 6 digits, stored as an HMAC, valid
``VIGENCIA`` and good for ``MAX_INTENTOS`` tries; a wrong try is counted in a
transaction of its own before the error is raised, so the count survives the error.
Codes and change notices are outbox rows (avisos) written in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from avisos.models import enmascarar
from avisos.services import encolar_correo, encolar_sms
from buzon.errores import ErrorDominio
from buzon.lib import telefono as lib_telefono
from buzon.lib.texto import sin_controles
from contacto.models import CambioMedio, MedioContacto
from cuentas.models import Contribuyente
from promociones.models import Solicitud

Tipo = MedioContacto.Tipo

VIGENCIA = timedelta(hours=72)
MAX_INTENTOS = 5
MAX_CORREOS = 5
# Resending: not more than once a minute, and at most this many codes a day per means.
ESPERA_REENVIO = timedelta(seconds=60)
MAX_ENVIOS_DIA = 5
# Codes an RFC may have sent in a day over all its means: changing the phone again and
# again (each a new number) must not turn the service into a free SMS sender.
MAX_CODIGOS_RFC_DIA = 10
# Input bounds before any parsing: a phone as typed with separators, an address (RFC 5321).
MAX_TELEFONO = 32
MAX_CORREO = 254

SIN_CELULAR_CONFIRMADO = (
    "El RFC no tiene un celular confirmado; el aviso se envió al teléfono capturado "
    "en la solicitud."
)
SIN_TELEFONO = (
    "El RFC no tiene un celular confirmado y la solicitud no tiene teléfono: no se envió SMS."
)
A_MEDIOS_CONFIRMADOS = "Aviso enviado a los medios de contacto confirmados del RFC."


def _hash(medio: MedioContacto, codigo: str) -> str:
    clave = f"contacto:{medio.contribuyente_id}:{medio.tipo}:{medio.valor}".encode()
    return hmac.new(
        settings.SECRET_KEY.encode() + clave, codigo.encode(), hashlib.sha256
    ).hexdigest()


def normalizar_telefono(numero: Any) -> str:
    texto = numero if isinstance(numero, str) else ""
    limpio = lib_telefono.normalizar(texto) if len(texto) <= MAX_TELEFONO else None
    if limpio is None:
        raise ErrorDominio("telefono_invalido.celular")
    return limpio


_validar_correo = EmailValidator()


def normalizar_correo(direccion: Any) -> str:
    texto = sin_controles(direccion if isinstance(direccion, str) else "").strip()
    invalido = ErrorDominio("correo_invalido")
    if not texto or len(texto.encode("utf-8")) > MAX_CORREO:
        raise invalido
    try:
        _validar_correo(texto)
    except ValidationError:
        raise invalido from None
    local, _, dominio = texto.rpartition("@")
    return f"{local}@{dominio.lower()}"


def _bloquear(contribuyente: Contribuyente) -> Contribuyente:
    return Contribuyente.objects.select_for_update().get(pk=contribuyente.pk)


def _auditar(
    contribuyente: Contribuyente, actor: str, evento: str, medio: MedioContacto, ahora: datetime
) -> None:
    CambioMedio.objects.create(
        contribuyente=contribuyente,
        actor=actor[:13],
        evento=evento,
        tipo=medio.tipo,
        destino=enmascarar(medio.valor),
        creado=ahora,
    )


def _enviar_codigo(medio: MedioContacto, ahora: datetime) -> None:
    """A new code for ``medio``, queued to it; refuses when codes are asked too often."""
    if medio.ultimo_envio and ahora - medio.ultimo_envio < ESPERA_REENVIO:
        raise ErrorDominio("demasiados_intentos.reenvio")
    if medio.envios_desde is None or ahora - medio.envios_desde >= timedelta(days=1):
        medio.envios, medio.envios_desde = 0, ahora
    enviados_hoy = CambioMedio.objects.filter(
        contribuyente_id=medio.contribuyente_id,
        evento__in=("alta", "codigo_reenviado"),
        creado__gt=ahora - timedelta(days=1),
    ).count()
    if medio.envios >= MAX_ENVIOS_DIA or enviados_hoy >= MAX_CODIGOS_RFC_DIA:
        raise ErrorDominio("demasiados_intentos.codigos_del_dia")
    codigo = f"{secrets.randbelow(10**6):06d}"
    medio.codigo_hash = _hash(medio, codigo)
    medio.codigo_vence = ahora + VIGENCIA
    medio.intentos = 0
    medio.envios += 1
    medio.ultimo_envio = ahora
    medio.save()
    encolar = encolar_sms if medio.tipo == Tipo.TELEFONO else encolar_correo
    encolar(
        solicitud=None,
        evento="codigo",
        destino=medio.valor,
        contexto={"codigo": codigo},
        momento=ahora,
    )


def _avisar_cambio(
    contribuyente: Contribuyente,
    cambio: str,
    ahora: datetime,
    *,
    ademas: list[MedioContacto] | None = None,
    excepto: int | None = None,
) -> None:
    """Tells the confirmed means (and ``ademas``: the old ones) that the means changed."""
    medios = list(
        MedioContacto.objects.filter(contribuyente=contribuyente, confirmado__isnull=False)
    )
    for medio in [*medios, *(ademas or [])]:
        if excepto is not None and medio.pk == excepto:
            continue
        encolar = encolar_sms if medio.tipo == Tipo.TELEFONO else encolar_correo
        encolar(
            solicitud=None,
            evento="cambio_medio",
            destino=medio.valor,
            contexto={"cambio": cambio},
            momento=ahora,
        )


@transaction.atomic
def registrar_telefono(
    *, contribuyente: Contribuyente, actor: str, numero: Any, ahora: datetime | None = None
) -> MedioContacto:
    """Registers ``numero`` as the phone waiting for confirmation and sends it a code.
    The confirmed phone, if any, keeps receiving notices until the new one is confirmed."""
    ahora = ahora or timezone.now()
    valor = normalizar_telefono(numero)
    _bloquear(contribuyente)
    medios = MedioContacto.objects.filter(contribuyente=contribuyente, tipo=Tipo.TELEFONO)
    actual = medios.filter(valor=valor).first()
    if actual is not None and actual.confirmado:
        raise ErrorDominio("telefono_ya_confirmado")
    medios.filter(confirmado__isnull=True).exclude(valor=valor).delete()
    if actual is None:
        actual = MedioContacto(
            contribuyente=contribuyente, tipo=Tipo.TELEFONO, valor=valor, creado=ahora
        )
    _enviar_codigo(actual, ahora)
    _auditar(contribuyente, actor, "alta", actual, ahora)
    return actual


@transaction.atomic
def registrar_correo(
    *, contribuyente: Contribuyente, actor: str, direccion: Any, ahora: datetime | None = None
) -> MedioContacto:
    """Adds an address (or sends a new code to one not yet confirmed)."""
    ahora = ahora or timezone.now()
    valor = normalizar_correo(direccion)
    _bloquear(contribuyente)
    correos = MedioContacto.objects.filter(contribuyente=contribuyente, tipo=Tipo.CORREO)
    actual = correos.filter(valor=valor).first()
    if actual is not None and actual.confirmado:
        raise ErrorDominio("correo_ya_confirmado")
    if actual is None:
        if correos.count() >= MAX_CORREOS:
            raise ErrorDominio("limite_de_correos", maximo=MAX_CORREOS)
        actual = MedioContacto(
            contribuyente=contribuyente, tipo=Tipo.CORREO, valor=valor, creado=ahora
        )
    _enviar_codigo(actual, ahora)
    _auditar(contribuyente, actor, "alta", actual, ahora)
    return actual


@dataclass
class _Verificacion:
    error: ErrorDominio | None = None
    cambios: dict[str, Any] = field(default_factory=dict)


def _comprobar(medio: MedioContacto, codigo: Any, ahora: datetime) -> ErrorDominio | None:
    """Counts one try of ``codigo`` on ``medio`` (already saved) and says what is wrong."""
    if medio.intentos >= MAX_INTENTOS:
        return ErrorDominio("demasiados_intentos.codigo_agotado")
    if medio.codigo_vence is None or ahora >= medio.codigo_vence:
        return ErrorDominio("codigo_vencido")
    texto = codigo if isinstance(codigo, str) else ""
    medio.intentos += 1
    MedioContacto.objects.filter(pk=medio.pk).update(intentos=medio.intentos)
    correcto = len(texto) == 6 and texto.isascii() and texto.isdigit()
    if not (correcto and hmac.compare_digest(medio.codigo_hash, _hash(medio, texto))):
        quedan = MAX_INTENTOS - medio.intentos
        if quedan:
            return ErrorDominio("codigo_invalido", quedan=quedan)
        return ErrorDominio("codigo_invalido.sin_intentos")
    return None


def _confirmar(
    contribuyente: Contribuyente,
    actor: str,
    medio: MedioContacto | None,
    codigo: Any,
    ahora: datetime,
) -> MedioContacto:
    if medio is None:
        raise ErrorDominio("codigo_invalido.sin_pendiente")
    error: ErrorDominio | None = None
    # The try is counted in its own transaction: raising inside it would undo the count.
    with transaction.atomic():
        _bloquear(contribuyente)
        medio.refresh_from_db()
        error = _comprobar(medio, codigo, ahora)
        if error is None:
            anteriores: list[MedioContacto] = []
            if medio.tipo == Tipo.TELEFONO:
                anteriores = list(
                    MedioContacto.objects.filter(
                        contribuyente=contribuyente, tipo=Tipo.TELEFONO, confirmado__isnull=False
                    )
                )
                for viejo in anteriores:
                    _auditar(contribuyente, actor, "baja", viejo, ahora)
                    viejo.delete()
            medio.confirmado = ahora
            medio.codigo_hash = ""
            medio.codigo_vence = None
            medio.save()
            _auditar(contribuyente, actor, "confirmacion", medio, ahora)
            que = "celular" if medio.tipo == Tipo.TELEFONO else "correo"
            _avisar_cambio(
                contribuyente,
                f"se confirmó el {que} {enmascarar(medio.valor)}",
                ahora,
                ademas=anteriores,
                excepto=medio.pk,
            )
    if error is not None:
        raise error
    return medio


def confirmar_telefono(
    *, contribuyente: Contribuyente, actor: str, codigo: Any, ahora: datetime | None = None
) -> MedioContacto:
    medio = MedioContacto.objects.filter(
        contribuyente=contribuyente, tipo=Tipo.TELEFONO, confirmado__isnull=True
    ).first()
    return _confirmar(contribuyente, actor, medio, codigo, ahora or timezone.now())


def confirmar_correo(
    *,
    contribuyente: Contribuyente,
    actor: str,
    direccion: Any,
    codigo: Any,
    ahora: datetime | None = None,
) -> MedioContacto:
    valor = normalizar_correo(direccion)
    medio = MedioContacto.objects.filter(
        contribuyente=contribuyente, tipo=Tipo.CORREO, valor=valor, confirmado__isnull=True
    ).first()
    return _confirmar(contribuyente, actor, medio, codigo, ahora or timezone.now())


def reenviar_codigo(
    *,
    contribuyente: Contribuyente,
    actor: str,
    medio_id: int | str,
    ahora: datetime | None = None,
) -> MedioContacto:
    ahora = ahora or timezone.now()
    with transaction.atomic():
        _bloquear(contribuyente)
        medio = medio_por_id(contribuyente, medio_id)
        if medio.confirmado is not None:
            raise ErrorDominio("no_encontrado.medio")
        _enviar_codigo(medio, ahora)
        _auditar(contribuyente, actor, "codigo_reenviado", medio, ahora)
    return medio


@transaction.atomic
def quitar_medio(
    *, contribuyente: Contribuyente, actor: str, medio: MedioContacto, ahora: datetime | None = None
) -> None:
    """Removes ``medio``; it and the other confirmed means are told of it."""
    ahora = ahora or timezone.now()
    _bloquear(contribuyente)
    que = "celular" if medio.tipo == Tipo.TELEFONO else "correo"
    _auditar(contribuyente, actor, "baja", medio, ahora)
    estaba_confirmado = medio.confirmado is not None
    medio.delete()
    if estaba_confirmado:
        _avisar_cambio(
            contribuyente, f"se quitó el {que} {enmascarar(medio.valor)}", ahora, ademas=[medio]
        )


def quitar_correo(
    *, contribuyente: Contribuyente, actor: str, direccion: Any, ahora: datetime | None = None
) -> None:
    valor = normalizar_correo(direccion)
    medio = MedioContacto.objects.filter(
        contribuyente=contribuyente, tipo=Tipo.CORREO, valor=valor
    ).first()
    if medio is None:
        raise ErrorDominio("no_encontrado.correo")
    quitar_medio(contribuyente=contribuyente, actor=actor, medio=medio, ahora=ahora)


def medio_por_id(contribuyente: Contribuyente, medio_id: int | str) -> MedioContacto:
    """The RFC's own means with that id; another RFC's answers exactly like a missing one."""
    texto = str(medio_id)
    valido = texto.isascii() and texto.isdigit() and len(texto) <= 18
    medio = (
        MedioContacto.objects.filter(contribuyente=contribuyente, pk=int(texto)).first()
        if valido
        else None
    )
    if medio is None:
        raise ErrorDominio("no_encontrado.medio")
    return medio


def tiene_confirmados(contribuyente: Contribuyente) -> bool:
    return MedioContacto.objects.filter(
        contribuyente=contribuyente, confirmado__isnull=False
    ).exists()


def medios_a_dict(contribuyente: Contribuyente) -> dict[str, Any]:
    """The contract's shape: the RFC's phone (confirmed, else the pending one) and
    e-mails."""
    medios = list(MedioContacto.objects.filter(contribuyente=contribuyente))
    confirmado = next((m for m in medios if m.tipo == Tipo.TELEFONO and m.confirmado), None)
    pendiente = next((m for m in medios if m.tipo == Tipo.TELEFONO and not m.confirmado), None)
    telefono = confirmado or pendiente
    return {
        "telefono": (
            {"numero": telefono.valor, "confirmado": telefono.confirmado is not None}
            if telefono
            else None
        ),
        # A new phone waiting for its code while the confirmed one still receives notices.
        "telefono_por_confirmar": (
            {"numero": pendiente.valor} if confirmado and pendiente else None
        ),
        "correos": [
            {"direccion": m.valor, "confirmado": m.confirmado is not None}
            for m in medios
            if m.tipo == Tipo.CORREO
        ],
    }


@dataclass(frozen=True)
class Destinos:
    telefono: str  # "" when there is none to use
    correos: list[str]
    motivo: str  # for the request's history


def destinos(solicitud: Solicitud) -> Destinos:
    """Where the notices about ``solicitud`` go: the RFC's confirmed means; with no
    confirmed phone, the SMS goes to the phone typed in the request, and the history
    says so."""
    confirmados = list(
        MedioContacto.objects.filter(
            contribuyente_id=solicitud.contribuyente_id, confirmado__isnull=False
        ).values_list("tipo", "valor")
    )
    celular = next((v for t, v in confirmados if t == Tipo.TELEFONO), "")
    correos = [v for t, v in confirmados if t == Tipo.CORREO]
    if celular:
        return Destinos(celular, correos, A_MEDIOS_CONFIRMADOS)
    if solicitud.telefono:
        return Destinos(solicitud.telefono, correos, SIN_CELULAR_CONFIRMADO)
    return Destinos("", correos, SIN_TELEFONO)


def avisar(
    *, solicitud: Solicitud, evento: str, contexto: dict[str, Any], momento: datetime
) -> dict[str, Any]:
    """Queues the notices of ``evento`` (in the caller's transaction) and returns what
    the request's history records about them (destinations masked)."""
    destino = destinos(solicitud)
    registro: dict[str, Any] = {"motivo": destino.motivo}
    if destino.telefono:
        encolar_sms(
            solicitud=solicitud,
            evento=evento,
            destino=destino.telefono,
            contexto=contexto,
            momento=momento,
        )
        registro["destino"] = enmascarar(destino.telefono)
    else:
        registro["enviado"] = False
    for direccion in destino.correos:
        encolar_correo(
            solicitud=solicitud,
            evento=evento,
            destino=direccion,
            contexto=contexto,
            momento=momento,
        )
    datos: dict[str, Any] = {"aviso_sms": registro}
    if destino.correos:
        datos["aviso_correo"] = {"destinos": [enmascarar(c) for c in destino.correos]}
    return datos
