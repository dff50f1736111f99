"""Logging in with the e.firma: one-time challenges, the attempt limit, the audit trail.

The page and the JSON API both end in :func:`iniciar_sesion_efirma`; they differ only
in how the challenge is bound (page: to the browser session; API: to its ``reto_id``)
and in what they hand back (a Django session or a bearer token).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from buzon.errores import ErrorDominio
from buzon.lib.texto import sin_controles
from cuentas.models import Contribuyente, IntentoAcceso, Reto
from efirma.certificados import Certificado, leer_certificado
from efirma.errores import ErrorEfirma
from efirma.verificacion import verificar_acceso
from limites.services import Limite, LimiteExcedido, cubeta, liberar, reservar, reservar_acceso

CANAL_WEB = "web"
CANAL_API = "api"
# The session key under which the page keeps the random value its challenges are bound
# to. Not the session key itself: login rotates that, and it must never reach the DB.
VINCULO_SESION = "cuentas_vinculo_reto"

RESULTADO_OK = "ok"
DEMASIADOS_INTENTOS = "demasiados_intentos"
# The audit's word for a valid e.firma whose account was deactivated; the person gets
# the answer of a revoked certificate, which says nothing of whether an account exists.
CUENTA_DESACTIVADA = "cuenta_desactivada"
# Failed e.firma logins are limited apart from staff ones (atencion.intentos): the same
# text as an RFC and as a username are different keys.
AMBITO_ACCESO = "acceso-efirma"
# Taxpayers' users are named with a prefix no staff account can hold (the admin's and
# createsuperuser's username rule allows no colon); they are found through their
# Contribuyente row all the same, never by username.
PREFIJO_USUARIO = "efirma:"


def ahora() -> datetime:
    """The service's clock; tests replace it to move through the attempt window."""
    return timezone.now()


RETENCION_RETOS = timedelta(hours=1)


def hash_vinculo(vinculo: str) -> str:
    return hashlib.sha256(vinculo.encode("utf-8")).hexdigest()


def crear_reto(*, sesion_key: str | None, direccion: str | None) -> Reto:
    """A fresh challenge to sign, valid for settings.EFIRMA_RETO_SEGUNDOS.

    ``sesion_key`` is the random value the page keeps in the browser session
    (VINCULO_SESION), or None for the API, where the reto_id alone identifies it.
    Anyone may ask without an account, and each challenge is a row: one address gets
    RETO_MAX_POR_DIRECCION per RETO_VENTANA_SEGUNDOS, else ``demasiados_intentos`` (429).
    """
    momento = ahora()
    limite = Limite("reto", settings.RETO_MAX_POR_DIRECCION, settings.RETO_VENTANA_SEGUNDOS)
    try:
        reservar([(limite, limite.clave(cubeta(direccion)))], momento=momento)
    except LimiteExcedido:
        raise ErrorDominio("demasiados_intentos.retos") from None
    # Anyone may ask for challenges; the expired ones are useless (an unknown reto_id is
    # refused exactly like a used one), so each new challenge clears those that expired
    # an hour ago or more, keeping the table at about an hour's worth.
    Reto.objects.filter(expira__lt=momento - RETENCION_RETOS).delete()
    return Reto.objects.create(
        reto_id=secrets.token_urlsafe(24),
        texto=f"BUZON-IMSS|{uuid.uuid4()}|{momento.isoformat(timespec='seconds')}",
        sesion_hash=hash_vinculo(sesion_key) if sesion_key else "",
        creado=momento,
        expira=momento + timedelta(seconds=settings.EFIRMA_RETO_SEGUNDOS),
    )


def _registrar(
    *, rfc: str, direccion: str | None, canal: str, resultado: str, numero_certificado: str = ""
) -> None:
    IntentoAcceso.objects.create(
        creado=ahora(),
        rfc=rfc[:20],
        direccion=direccion or None,
        numero_certificado=numero_certificado[:40],
        canal=canal,
        resultado=resultado[:40],
        exitoso=resultado == RESULTADO_OK,
    )


def _numero_de(certificado_der: bytes) -> str:
    """The certificate number for the audit row, when the bytes are a certificate at all."""
    try:
        return leer_certificado(certificado_der).numero_certificado or ""
    except ErrorEfirma:
        return ""


def error_de_efirma(veredicto: ErrorEfirma) -> ErrorDominio:
    """An e.firma verdict as the site answers it: field and status from the catalogue,
    words from the verdict, which may name a date or a certificate number."""
    return ErrorDominio(veredicto.codigo, mensaje=veredicto.mensaje)


def _consumir_reto(reto_id: str, sesion_key: str | None, momento: datetime) -> str:
    """Marks the challenge used and returns its text, or raises ``reto_invalido``.

    One conditional UPDATE: of two requests racing with the same reto, exactly one
    sees a row updated.
    """
    sesion_hash = hash_vinculo(sesion_key) if sesion_key else ""
    vigentes = Reto.objects.filter(
        reto_id=reto_id, sesion_hash=sesion_hash, usado__isnull=True, expira__gt=momento
    )
    if not reto_id or vigentes.update(usado=momento) != 1:
        raise ErrorDominio("reto_invalido")
    return Reto.objects.values_list("texto", flat=True).get(reto_id=reto_id)


def iniciar_sesion_efirma(
    *,
    rfc: str,
    certificado_der: bytes,
    reto_id: str,
    firma: bytes,
    direccion: str | None,
    canal: str,
    sesion_key: str | None,
) -> Contribuyente:
    """The taxpayer whose e.firma signed the challenge, created or updated.

    Order: attempt limit, challenge, then efirma.verificar_acceso. Every attempt leaves
    an IntentoAcceso row written outside any transaction of this function, so a failed
    login keeps its audit row. Raises ErrorDominio (e.firma verdicts through
    :func:`error_de_efirma`).

    The limit (limites.services.reservar_acceso) counts this attempt as a failure from
    the start, by address and by address and RFC, and takes it back if it succeeds.
    """
    rfc = sin_controles(rfc or "").strip().upper()
    momento = ahora()
    try:
        reserva = reservar_acceso(
            ambito=AMBITO_ACCESO, identidad=rfc, direccion=direccion, momento=momento
        )
    except LimiteExcedido:
        _registrar(rfc=rfc, direccion=direccion, canal=canal, resultado=DEMASIADOS_INTENTOS)
        minutos = max(1, settings.ACCESO_VENTANA_SEGUNDOS // 60)
        raise ErrorDominio("demasiados_intentos.accesos", minutos=minutos) from None
    try:
        texto = _consumir_reto(reto_id, sesion_key, momento)
        try:
            cert = verificar_acceso(
                rfc=rfc,
                certificado_der=certificado_der,
                mensaje=texto.encode("utf-8"),
                firma=firma,
                momento=momento,
            )
        except ErrorEfirma as veredicto:
            raise error_de_efirma(veredicto) from None
    except ErrorDominio as exc:
        _registrar(
            rfc=rfc,
            direccion=direccion,
            canal=canal,
            resultado=exc.codigo,
            numero_certificado=_numero_de(certificado_der),
        )
        raise
    contribuyente = _guardar_contribuyente(cert)
    if contribuyente is None:
        _registrar(
            rfc=rfc,
            direccion=direccion,
            canal=canal,
            resultado=CUENTA_DESACTIVADA,
            numero_certificado=cert.numero_certificado or "",
        )
        raise ErrorDominio("certificado_revocado")
    liberar(reserva)
    _registrar(
        rfc=rfc,
        direccion=direccion,
        canal=canal,
        resultado=RESULTADO_OK,
        numero_certificado=cert.numero_certificado or "",
    )
    return contribuyente


def _guardar_contribuyente(cert: Certificado) -> Contribuyente | None:
    """Creates or updates the taxpayer from the certificate; None when its user was
    deactivated (nothing is then written).

    The taxpayer's user is the one its Contribuyente row names, never one found by
    username: a staff account named like an RFC must not become that taxpayer's.
    """
    moral = cert.tipo == "moral"
    datos = {
        "nombre": cert.nombre or cert.rfc,
        "tipo": cert.tipo,
        # In a persona moral's certificate the CURP is the representative's.
        "curp": (cert.curp or "") if not moral else "",
        "rfc_representante": cert.rfc_representante or "",
        "curp_representante": (cert.curp or "") if moral else "",
        "numero_certificado": cert.numero_certificado or "",
    }
    with transaction.atomic():
        existente = (
            Contribuyente.objects.select_for_update()
            .select_related("usuario")
            .filter(rfc=cert.rfc)
            .first()
        )
        if existente is None:
            try:
                with transaction.atomic():
                    return _crear_contribuyente(cert.rfc, datos)
            except IntegrityError:
                # The same taxpayer's first login, twice at once: the other one created it.
                existente = Contribuyente.objects.select_related("usuario").get(rfc=cert.rfc)
        if not existente.usuario.is_active:
            return None
        for campo, valor in datos.items():
            setattr(existente, campo, valor)
        existente.save()
    return existente


def _crear_contribuyente(rfc: str, datos: dict[str, str]) -> Contribuyente:
    usuario = get_user_model()(username=f"{PREFIJO_USUARIO}{rfc}")
    # Taxpayers only ever log in with their e.firma, never with a password.
    usuario.set_unusable_password()
    usuario.save()
    return Contribuyente.objects.create(usuario=usuario, rfc=rfc, **datos)
