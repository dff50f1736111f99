"""Drafts of the Nueva Solicitud form: what a taxpayer is writing, kept on the server.

The page saves the draft as the person writes (promociones/static/promociones/
formulario.js); an expired session loses nothing. One draft per taxpayer and service
(``Borrador``), bounded like the fields it will become, never the evidence file.

The draft also binds the *intention*: it holds the form's idempotency key, so every
rendering of the form while the draft lives (a reload, a second tab, Back) carries the
same key and a second submission is the first request again. Filing deletes the draft;
the next form gets a new key.

When the session has expired, a save or a submission arrives without a taxpayer. If it
carries the owner's signature the form was rendered with (:func:`firma_de`), what it
holds is kept in the anonymous session (:func:`guardar_pendiente`) and becomes the
draft once *that* taxpayer logs in again (:func:`tomar_pendiente`); anyone else who
logs in on that browser never sees it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from buzon.errores import ErrorDominio
from buzon.lib.texto import excede_limite, marcas_en_exceso, normalizar_saltos, sin_controles
from cuentas.models import Contribuyente
from promociones import catalogo
from promociones.models import Borrador, Servicio, Solicitud

# The phone field as typed (spaces, dashes, parentheses): the input's own maxlength.
MAX_TELEFONO = 20
# The stash of a form that arrived after its session expired, in the anonymous session.
PENDIENTE = "promociones_borrador_pendiente"
_SAL = "promociones.borradores.dueno"


def clave_nueva() -> str:
    return secrets.token_urlsafe(24)


def firma_de(contribuyente: Contribuyente, servicio: Servicio) -> str:
    """Who a rendered form belongs to, signed: the form sends it back, so a save or a
    submission that arrives after the session expired still says whose it is."""
    return signing.dumps({"c": contribuyente.pk, "s": servicio.clave}, salt=_SAL)


def dueno_de(firma: object, servicio: Servicio) -> int | None:
    """The taxpayer's id a form's signature names for ``servicio``, or None."""
    if not isinstance(firma, str) or not firma:
        return None
    try:
        datos = signing.loads(firma, salt=_SAL, max_age=settings.SESSION_ABSOLUTE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(datos, dict) or datos.get("s") != servicio.clave:
        return None
    dueno = datos.get("c")
    return dueno if isinstance(dueno, int) else None


def _presentada(contribuyente: Contribuyente, clave: str) -> Solicitud | None:
    if not clave:
        return None
    return Solicitud.objects.filter(contribuyente=contribuyente, clave_idempotencia=clave).first()


def borrador_de(contribuyente: Contribuyente, servicio: Servicio) -> Borrador:
    """The taxpayer's draft for ``servicio``, made (empty, with a new key) if there is
    none. A draft whose key already filed a request (the filing's deletion never ran)
    starts over."""
    borrador = Borrador.objects.filter(contribuyente=contribuyente, servicio=servicio).first()
    if borrador is not None and _presentada(contribuyente, borrador.clave_idempotencia):
        borrador.delete()
        borrador = None
    if borrador is not None:
        return borrador
    ahora = timezone.now()
    try:
        with transaction.atomic():
            return Borrador.objects.create(
                contribuyente=contribuyente,
                servicio=servicio,
                clave_idempotencia=clave_nueva(),
                creado=ahora,
                actualizado=ahora,
            )
    except IntegrityError:  # another tab made it first
        return Borrador.objects.get(contribuyente=contribuyente, servicio=servicio)


def _campos(datos: Mapping[str, Any]) -> tuple[str, str, str]:
    """(asunto, descripcion, telefono) as the form sent them, cleaned as filing cleans
    them, or ErrorDominio for the first bound they pass."""

    def texto(nombre: str) -> str:
        valor = datos.get(nombre, "")
        return valor if isinstance(valor, str) else ""

    descripcion = normalizar_saltos(sin_controles(texto("descripcion")))
    if excede_limite(descripcion):
        raise ErrorDominio(
            "descripcion_muy_larga.marcas"
            if marcas_en_exceso(descripcion)
            else "descripcion_muy_larga"
        )
    telefono = sin_controles(texto("telefono")).strip()
    if len(telefono) > MAX_TELEFONO:
        raise ErrorDominio("telefono_invalido")
    return sin_controles(texto("asunto")).strip(), descripcion, telefono


def guardar(
    contribuyente: Contribuyente,
    servicio: Servicio,
    datos: Mapping[str, Any],
    *,
    momento: datetime | None = None,
) -> Borrador:
    """Saves what the form holds as the taxpayer's draft for ``servicio`` (made if
    there is none); its key stays. Raises ErrorDominio, saving nothing, for a field past
    its bound: a draft never holds what the form could not file."""
    asunto_clave, descripcion, telefono = _campos(datos)
    asunto = catalogo.asunto_ofrecido(servicio, asunto_clave) if asunto_clave else None
    borrador = borrador_de(contribuyente, servicio)
    borrador.asunto = asunto
    borrador.descripcion = descripcion
    borrador.telefono = telefono
    borrador.actualizado = momento or timezone.now()
    borrador.save(update_fields=["asunto", "descripcion", "telefono", "actualizado"])
    return borrador


def con_clave_nueva(
    contribuyente: Contribuyente, servicio: Servicio, datos: Mapping[str, Any]
) -> Borrador:
    """The draft holding ``datos`` under a key never used: the form's key already filed
    another request, and what the person wrote now is to be checked and filed apart."""
    try:
        borrador = guardar(contribuyente, servicio, datos)
    except ErrorDominio:
        borrador = borrador_de(contribuyente, servicio)
    borrador.clave_idempotencia = clave_nueva()
    borrador.save(update_fields=["clave_idempotencia"])
    return borrador


def descartar(contribuyente: Contribuyente, servicio: Servicio) -> None:
    Borrador.objects.filter(contribuyente=contribuyente, servicio=servicio).delete()


def guardar_pendiente(sesion: SessionBase, servicio: Servicio, datos: Mapping[str, Any]) -> bool:
    """Keeps a form that arrived without a session in the (anonymous) session, if its
    signature names its owner and its fields are within their bounds."""
    dueno = dueno_de(datos.get("propietario"), servicio)
    if dueno is None:
        return False
    try:
        asunto, descripcion, telefono = _campos(datos)
    except ErrorDominio:
        return False
    clave = datos.get("clave_idempotencia")
    sesion[PENDIENTE] = {
        "dueno": dueno,
        "servicio": servicio.clave,
        "asunto": asunto,
        "descripcion": descripcion,
        "telefono": telefono,
        "clave": clave if isinstance(clave, str) else "",
    }
    return True


def tomar_pendiente(
    sesion: SessionBase, contribuyente: Contribuyente, servicio: Servicio
) -> Borrador | Solicitud | None:
    """What a form kept by :func:`guardar_pendiente` becomes now that its owner is back:
    the draft (saved from it), or the request its key already filed. A stash of another
    taxpayer is dropped unread; one of another service waits for that service's form."""
    pendiente = sesion.get(PENDIENTE)
    if not isinstance(pendiente, dict) or pendiente.get("servicio") != servicio.clave:
        return None
    del sesion[PENDIENTE]
    if pendiente.get("dueno") != contribuyente.pk:
        return None
    presentada = _presentada(contribuyente, str(pendiente.get("clave") or ""))
    if presentada is not None:
        return presentada
    try:
        return guardar(contribuyente, servicio, pendiente)
    except ErrorDominio:
        return None
