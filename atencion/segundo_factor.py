"""The staff second factor: a TOTP authenticator app (django-otp's TOTPDevice: SHA-1,
6 digits, 30-second steps) and ten single-use recovery codes.

A staff member has at most one confirmed device. Enrolment makes an unconfirmed one,
whose secret only the sign-in that made it is shown, and confirms it with a first code;
any other unconfirmed device of the same account is dropped then, so a second person
who knows the password cannot be shown the secret the owner is about to confirm.

Every verification runs in a transaction with the device row locked (PostgreSQL's
SELECT … FOR UPDATE; SQLite's transactions begin IMMEDIATE), so two requests with the
same code cannot both pass: django-otp accepts only codes of a time step after the last
one used (``last_t``), and backs off after each failure (``throttling_failure_*``),
which bounds guessing per account whatever the number of addresses.

Recovery codes have 80 random bits each: a salted SHA-256 is enough to keep them (a
slow password hash guards short human secrets, and would cost seconds to check ten).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection, transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from atencion.models import CodigoRecuperacion
from cuentas import middleware

CODIGOS_RECUPERACION = 10
# No 0/O nor 1/I: a code copied from paper is read back the same. 32 symbols, 5 bits each.
ALFABETO = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LARGO_RECUPERACION = 16  # 80 bits
NOMBRE_DISPOSITIVO = "Aplicación de autenticación"
_TOTP = re.compile(r"[0-9]{6}")
_SEPARADORES = re.compile(r"[\s\-]+")


class Resultado(enum.Enum):
    """The outcome of a code, each audited under its own IntentoAcceso.resultado."""

    OK = "ok"
    RECUPERACION = "ok_recuperacion"  # a recovery code, now spent
    INVALIDO = "codigo_invalido"
    RECUPERACION_INVALIDA = "recuperacion_invalida"  # shaped like one, but none of its codes
    REPETIDO = "codigo_repetido"  # this time step's code was already used
    EN_ESPERA = "codigo_en_espera"  # too soon after the last wrong code (django-otp)
    SIN_DISPOSITIVO = "sin_dispositivo"  # enrolment gone: another one was confirmed


@dataclass(frozen=True)
class Verificacion:
    resultado: Resultado
    dispositivo: TOTPDevice | None = None

    @property
    def aceptado(self) -> bool:
        return self.resultado in (Resultado.OK, Resultado.RECUPERACION)


def dispositivo_confirmado(usuario: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=usuario, confirmed=True).order_by("pk").first()


def nuevo_dispositivo(usuario: Any) -> TOTPDevice:
    """An unconfirmed device with a fresh secret for an enrolment; other unconfirmed
    devices of the account are dropped (one enrolment in course per account)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=usuario, confirmed=False).delete()
        return TOTPDevice.objects.create(user=usuario, name=NOMBRE_DISPOSITIVO, confirmed=False)


def dispositivo_en_alta(usuario: Any, pk: Any) -> TOTPDevice | None:
    """The unconfirmed device ``pk`` of ``usuario``, if it is still there."""
    if not isinstance(pk, int):
        return None
    return TOTPDevice.objects.filter(pk=pk, user=usuario, confirmed=False).first()


def secreto(dispositivo: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed: base32, without padding."""
    return b32encode(dispositivo.bin_key).decode("ascii").rstrip("=")


def uri(dispositivo: TOTPDevice) -> str:
    """The ``otpauth://totp/`` URI of the Key URI Format (label «issuer:username»)."""
    emisor = settings.OTP_TOTP_ISSUER.replace(":", "")
    etiqueta = f"{quote(emisor)}:{quote(dispositivo.user.get_username())}"
    parametros = urlencode(
        {
            "secret": secreto(dispositivo),
            "issuer": emisor,
            "algorithm": "SHA1",
            "digits": dispositivo.digits,
            "period": dispositivo.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{etiqueta}?{parametros}"


def qr_svg(texto: str) -> Markup:
    """``texto`` as a QR code in inline SVG markup: no image request, nothing the CSP
    must allow. The markup is geometry only (qrcode writes no text from ``texto``)."""
    imagen = qrcode.make(
        texto,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = imagen.to_string(encoding="unicode")
    assert isinstance(svg, str)
    return Markup(svg)  # noqa: S704 — qrcode's own SVG, made above


def normalizado(codigo: str) -> str:
    """The code without spaces or hyphens, recovery codes in upper case."""
    return _SEPARADORES.sub("", codigo).upper()[:64]


def es_totp(codigo: str) -> bool:
    return _TOTP.fullmatch(codigo) is not None


def _repetido(dispositivo: TOTPDevice, codigo: str) -> bool:
    """Whether ``codigo`` is the code of the last time step already used."""
    if dispositivo.last_t < 0:
        return False
    return int(codigo) == hotp(dispositivo.bin_key, dispositivo.last_t, dispositivo.digits)


def es_recuperacion(codigo: str) -> bool:
    return len(codigo) == LARGO_RECUPERACION and set(codigo) <= set(ALFABETO)


def _verificar_totp(dispositivo: TOTPDevice, codigo: str) -> Resultado:
    """Under the caller's transaction, with ``dispositivo`` locked and allowed to verify."""
    if not es_totp(codigo):
        dispositivo.throttle_increment(commit=True)
        return Resultado.INVALIDO
    if dispositivo.verify_token(codigo):  # counts a failure itself
        return Resultado.OK
    return Resultado.REPETIDO if _repetido(dispositivo, codigo) else Resultado.INVALIDO


def verificar(usuario: Any, codigo: str, *, momento: datetime | None = None) -> Verificacion:
    """A sign-in's code: the TOTP of ``usuario``'s confirmed device, or one of its unused
    recovery codes (spent by this call). Every failure, of either kind, adds to the
    device's back-off."""
    codigo = normalizado(codigo)
    with transaction.atomic():
        dispositivo = (
            TOTPDevice.objects.select_for_update()
            .filter(user=usuario, confirmed=True)
            .order_by("pk")
            .first()
        )
        if dispositivo is None:
            return Verificacion(Resultado.SIN_DISPOSITIVO)
        if not dispositivo.verify_is_allowed()[0]:
            return Verificacion(Resultado.EN_ESPERA, dispositivo)
        if not es_recuperacion(codigo):
            return Verificacion(_verificar_totp(dispositivo, codigo), dispositivo)
        if _usar_recuperacion(usuario, codigo, momento):
            return Verificacion(Resultado.RECUPERACION, dispositivo)
        dispositivo.throttle_increment(commit=True)
        return Verificacion(Resultado.RECUPERACION_INVALIDA, dispositivo)


def confirmar_alta(usuario: Any, pk: Any, codigo: str) -> Verificacion:
    """Confirms the enrolment's device ``pk`` with its first code; the account's other
    unconfirmed devices go. SIN_DISPOSITIVO when the device is gone or the account
    already has a confirmed one (another enrolment finished first)."""
    codigo = normalizado(codigo)
    with transaction.atomic():
        dispositivos = list(TOTPDevice.objects.select_for_update().filter(user=usuario))
        dispositivo = next((d for d in dispositivos if d.pk == pk), None)
        if dispositivo is None or dispositivo.confirmed or any(d.confirmed for d in dispositivos):
            return Verificacion(Resultado.SIN_DISPOSITIVO)
        if not dispositivo.verify_is_allowed()[0]:
            return Verificacion(Resultado.EN_ESPERA, dispositivo)
        resultado = _verificar_totp(dispositivo, codigo)
        if resultado is Resultado.OK:
            dispositivo.confirmed = True
            dispositivo.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=usuario, confirmed=False).delete()
        return Verificacion(resultado, dispositivo)


def _huella(sal: str, codigo: str) -> str:
    return hashlib.sha256(bytes.fromhex(sal) + codigo.encode("ascii")).hexdigest()


def nuevos_codigos_recuperacion(usuario: Any, *, momento: datetime | None = None) -> list[str]:
    """Ten new recovery codes, returned to be shown once (grouped ``XXXX-XXXX-…``); the
    account's earlier codes, used or not, stop working."""
    momento = momento or timezone.now()
    codigos = [
        "".join(secrets.choice(ALFABETO) for _ in range(LARGO_RECUPERACION))
        for _ in range(CODIGOS_RECUPERACION)
    ]
    filas = []
    for codigo in codigos:
        sal = secrets.token_hex(16)
        filas.append(
            CodigoRecuperacion(
                usuario=usuario, sal=sal, huella=_huella(sal, codigo), creado=momento
            )
        )
    with transaction.atomic():
        CodigoRecuperacion.objects.filter(usuario=usuario).delete()
        CodigoRecuperacion.objects.bulk_create(filas)
    return ["-".join(c[i : i + 4] for i in range(0, len(c), 4)) for c in codigos]


def codigos_disponibles(usuario: Any) -> int:
    return CodigoRecuperacion.objects.filter(usuario=usuario, usado__isnull=True).count()


def _usar_recuperacion(usuario: Any, codigo: str, momento: datetime | None) -> bool:
    for fila in CodigoRecuperacion.objects.filter(usuario=usuario, usado__isnull=True):
        if hmac.compare_digest(fila.huella, _huella(fila.sal, codigo)):
            # Conditional: of two requests with the same code, one spends it.
            return bool(
                CodigoRecuperacion.objects.filter(pk=fila.pk, usado__isnull=True).update(
                    usado=momento or timezone.now()
                )
            )
    return False


def abrir_sesion(sesion: SessionBase, dispositivo: TOTPDevice) -> None:
    """What a finished staff sign-in leaves in its session, after auth.login: the device
    that verified it (the key django_otp.login writes) and the staff session limits,
    counted from now. Tests that start a staff session without the pages call this too."""
    sesion[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id
    middleware.iniciar(sesion, middleware.CLASE_PERSONAL)


def sesion_verificada(request: Any) -> bool:
    """Whether the request's session is a staff sign-in that passed the second factor:
    a staff session whose verifying device is still a confirmed device of its user."""
    sesion = request.session
    if sesion.get(middleware.SESSION_CLASE) != middleware.CLASE_PERSONAL:
        return False
    identificador = sesion.get(DEVICE_ID_SESSION_KEY)
    if not isinstance(identificador, str):
        return False
    # Every staff sign-in verifies with a TOTP device (recovery codes open the session on
    # the same device), so the id names one: read it by primary key in one plain query,
    # as this runs on every staff page (django_otp's generic lookup resolves the model
    # and builds an ORM query each time, ten times the cost).
    modelo, _, pk = identificador.rpartition("/")
    if modelo != TOTPDevice.model_label() or not pk.isascii() or not pk.isdigit():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {TOTPDevice._meta.db_table}"  # noqa: S608  # the model's own table
            " WHERE id = %s AND user_id = %s AND confirmed = %s",
            [int(pk), request.user.pk, True],
        )
        return cursor.fetchone() is not None
