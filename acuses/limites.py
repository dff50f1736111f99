"""How many acuse PDFs one network address may have verified in a window.

Checking an uploaded PDF validates its signature, hashes and stored facts: about ten
milliseconds of CPU that anyone can ask for without an account, so a script could keep
the workers busy. The default, 600 a minute, holds one address to a tenth of a core
while leaving room for a program that checks a batch of acuses. Verification by code is
a single indexed lookup and is not limited; guessing a 128-bit code is not a threat a
limit would change.
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from acuses.models import VerificacionArchivo
from buzon.errores import ErrorDominio

DEMASIADAS = (
    "Se alcanzó el número de archivos que se pueden verificar desde tu conexión en poco "
    "tiempo. Espera un momento e inténtalo de nuevo; la consulta por código de "
    "verificación sigue disponible."
)


def cubeta(direccion: str | None) -> str | None:
    """The address the limit counts by: an IPv4 address itself, an IPv6 address's /64
    (one subscriber usually holds a whole /64, and could otherwise rotate through it),
    None when the server does not know the address."""
    if not direccion:
        return None
    try:
        ip = ipaddress.ip_address(direccion)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _uno_a_la_vez(clave: str | None) -> None:
    """Serialises the check of one bucket until the transaction ends. SQLite needs
    nothing: its transactions begin IMMEDIATE (settings), one writer at a time. On
    PostgreSQL, a transaction-scoped advisory lock on the bucket's hash."""
    if connection.vendor != "postgresql":
        return
    resumen = hashlib.sha256(f"verificacion-archivo:{clave or ''}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(resumen[:8], "big", signed=True)]
        )


def admitir_verificacion(direccion: str | None) -> None:
    """Records one PDF verification from ``direccion``, or raises ``demasiados_intentos``
    (429) when its bucket already had VERIFICACION_MAX_ARCHIVOS in the window.

    Count and write happen under a lock on the bucket: counting and writing apart let a
    burst of 16 simultaneous requests through a limit of 3. Refusals are not written, so
    they do not extend the lock."""
    momento = timezone.now()
    ventana = settings.VERIFICACION_VENTANA_SEGUNDOS
    desde = momento - timedelta(seconds=ventana)
    clave = cubeta(direccion)
    with transaction.atomic():
        _uno_a_la_vez(clave)
        mismas = VerificacionArchivo.objects.filter(creada__gt=desde)
        mismas = mismas.filter(direccion=clave) if clave else mismas.filter(direccion__isnull=True)
        if mismas.count() >= settings.VERIFICACION_MAX_ARCHIVOS:
            raise ErrorDominio("demasiados_intentos", DEMASIADAS, status=429)
        VerificacionArchivo.objects.create(direccion=clave, creada=momento)
    VerificacionArchivo.objects.filter(creada__lte=desde).delete()
