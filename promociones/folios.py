"""Folio allocation: one counter row per service initial and Mexico City year.

The counter is advanced with a conditional ``UPDATE … SET ultimo = ultimo + 1 RETURNING
ultimo`` inside the filing transaction. On PostgreSQL the UPDATE holds the row lock until the filing
commits, so a concurrent filer waits and then reads the incremented value; on SQLite the
filing transaction is IMMEDIATE and writers are serialised at BEGIN. A filing that rolls
back releases its number unused (the next filer takes it), and a committed number is never
issued twice because of the unique folio constraint and the lock.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, connection, transaction

from buzon.lib.folio import formatear
from calendario.services import fecha_en_mexico
from promociones.models import FolioSecuencia, Servicio


def _avanzar(inicial: str, anio: int) -> int | None:
    # One statement that advances and reads the counter (RETURNING: PostgreSQL, and
    # SQLite since 3.35): from here to the commit every filing of the servicio waits,
    # so a second round trip to read the number back would be paid by all of them.
    tabla = connection.ops.quote_name(FolioSecuencia._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tabla} SET ultimo = ultimo + 1 "  # noqa: S608 (a model's table name)
            "WHERE inicial = %s AND anio = %s RETURNING ultimo",
            [inicial, anio],
        )
        fila = cursor.fetchone()
    return None if fila is None else int(fila[0])


def asignar_folio(servicio: Servicio, momento: datetime) -> str:
    """The next folio of ``servicio`` in the Mexico City year of ``momento``.

    Call it inside the transaction that saves the Solicitud, so the counter stays locked
    until the folio is committed with it.
    """
    inicial = servicio.inicial_folio
    anio = fecha_en_mexico(momento).year
    numero = _avanzar(inicial, anio)
    if numero is None:
        # First folio of the year: create the counter. Two first filers may race; the
        # loser's insert fails on the unique constraint and it advances the winner's row.
        try:
            with transaction.atomic():
                FolioSecuencia.objects.create(inicial=inicial, anio=anio, ultimo=1)
            numero = 1
        except IntegrityError:
            numero = _avanzar(inicial, anio)
            if numero is None:  # pragma: no cover - the row exists after IntegrityError
                raise
    return formatear(inicial, anio, numero)
