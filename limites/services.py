"""The one limiter: how many attempts a key may have within a window.

Every limit of the site goes through here: e.firma and staff logins, the anonymous
challenge endpoint, the public PDF verification. Each limit counts and decides under a
lock on its key, held until the transaction ends: counting and writing apart let a burst
of 16 simultaneous requests through a limit of 3. On PostgreSQL the lock is a
transaction-scoped advisory lock on the key's hash; SQLite needs none, since its
transactions begin IMMEDIATE (buzon.settings) and so one writer goes at a time.

A refusal writes nothing, so retrying during a lock never pushes its end further away.
Keys are hashes of a namespace and the parts that identify the bucket, so two limits (a
taxpayer's RFC and a staff username, say) never share a key even when their values are
equal.

This app sits at the bottom of the house, beside ``calendario``: it imports no app of
the project, and its callers turn :class:`LimiteExcedido` into their own Spanish message.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from limites.models import Marca

T = TypeVar("T")


class LimiteExcedido(Exception):
    """The key already had its maximum of attempts within the window."""


@dataclass(frozen=True)
class Limite:
    """At most ``maximo`` attempts per key within ``ventana`` seconds; ``ambito`` names
    the limit and keeps its keys apart from every other limit's."""

    ambito: str
    maximo: int
    ventana: int

    def clave(self, *partes: str | None) -> str:
        """The key of one bucket of this limit: a SHA-256 of the namespace and parts."""
        texto = "\x1f".join([self.ambito, *(p or "" for p in partes)])
        # surrogatepass: a key made of whatever a client typed (a lone surrogate in a
        # JSON escape) still hashes instead of raising.
        return hashlib.sha256(texto.encode("utf-8", "surrogatepass")).hexdigest()

    def desde(self, momento: datetime) -> datetime:
        """Attempts made strictly after this moment count (the one comparison, ``__gt``)."""
        return momento - timedelta(seconds=self.ventana)


def cubeta(direccion: str | None) -> str | None:
    """The address limits count by: an IPv4 address itself, an IPv6 address's /64 (one
    subscriber usually holds a whole /64, and could otherwise rotate through it), None
    when the server does not know the address (all unknown addresses share one bucket)."""
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


def _candados(claves: Sequence[str]) -> None:
    """Serialises the keys' checks until the transaction ends. Sorted, so that two
    requests needing the same two keys never wait for each other in opposite order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for clave in sorted(set(claves)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [int.from_bytes(bytes.fromhex(clave[:16]), "big", signed=True)],
            )


def _lleno(eventos: QuerySet[Any], *, campo: str, limite: Limite, momento: datetime) -> bool:
    desde = limite.desde(momento)
    return eventos.filter(**{f"{campo}__gt": desde}).count() >= limite.maximo


def reservar(claves: Sequence[tuple[Limite, str]], *, momento: datetime) -> list[int]:
    """Counts one attempt against every ``(limite, clave)`` pair, or none of them and
    raises LimiteExcedido when any key already has its maximum.

    The attempt counts from this moment, before its outcome is known: a login counts as
    a failure until it succeeds, and then its caller hands the ids to :func:`liberar`.
    That is what makes a burst exact: the check and the count happen under the lock,
    the slow work (verifying a signature, hashing a password) outside it.
    """
    with transaction.atomic():
        _candados([c for _, c in claves])
        for limite, clave in claves:
            if _lleno(
                Marca.objects.filter(clave=clave), campo="creado", limite=limite, momento=momento
            ):
                raise LimiteExcedido(limite.ambito)
        ids = [
            Marca.objects.create(
                clave=c, creado=momento, expira=momento + timedelta(seconds=lim.ventana)
            ).pk
            for lim, c in claves
        ]
    Marca.objects.filter(expira__lte=momento).delete()
    return ids


def reservar_acceso(
    *, ambito: str, identidad: str, direccion: str | None, momento: datetime
) -> list[int]:
    """Counts one login attempt (see :func:`reservar`) by the keys that cannot be turned
    on their owner: the address's bucket (ACCESO_MAX_FALLOS_DIRECCION, high enough for an
    office behind one NAT) and the pair of that bucket and the identity the attempt names
    (ACCESO_MAX_FALLOS, the tight one), both per ACCESO_VENTANA_SEGUNDOS. ``ambito``
    keeps taxpayers' and staff's attempts apart.

    Never by identity alone. Anyone can name any RFC, so a limit per RFC let anyone lock
    a taxpayer out, from as many addresses as it took. Counting only failures made with
    that RFC's own valid certificate would not help: certificates are public (the SAT
    hands them out, every signed document carries one); only a good signature proves
    the key, and that is a success. Guessing an e.firma key is not a threat a count
    changes; what the limit must bound is the work one address can ask for, and a
    staff password's guesses, per address.
    """
    ventana = settings.ACCESO_VENTANA_SEGUNDOS
    por_direccion = Limite(f"{ambito}:direccion", settings.ACCESO_MAX_FALLOS_DIRECCION, ventana)
    por_par = Limite(f"{ambito}:direccion+identidad", settings.ACCESO_MAX_FALLOS, ventana)
    donde = cubeta(direccion)
    return reservar(
        [(por_direccion, por_direccion.clave(donde)), (por_par, por_par.clave(donde, identidad))],
        momento=momento,
    )


def liberar(ids: Sequence[int]) -> None:
    """Takes back attempts counted by :func:`reservar` (a login that succeeded)."""
    if ids:
        Marca.objects.filter(pk__in=ids).delete()


def admitir_en(
    *,
    limite: Limite,
    clave: str,
    eventos: QuerySet[Any],
    campo: str,
    momento: datetime,
    registrar: Callable[[], T],
) -> T:
    """The same check for a caller whose own rows are the record of each attempt (the
    acuses' VerificacionArchivo): ``eventos`` are that key's rows, ``campo`` their
    moment; ``registrar`` writes the new row under the lock. Raises LimiteExcedido."""
    with transaction.atomic():
        _candados([clave])
        if _lleno(eventos, campo=campo, limite=limite, momento=momento):
            raise LimiteExcedido(limite.ambito)
        return registrar()


__all__ = [
    "Limite",
    "LimiteExcedido",
    "admitir_en",
    "cubeta",
    "liberar",
    "reservar",
    "reservar_acceso",
]
