"""The one lookup of the catalog by clave: a servicio, and an asunto offered in it; and
the catalog's version, which tells a worker whether what it remembers of the catalog is
still current.

Filing (``promociones.services``), the taxpayer's pages and canalización
(``atencion.services``) all ask the same two questions; they ask them here, so an
inactive asunto or one not offered for the servicio is refused alike everywhere.

They are answered from :func:`vigente`, the catalog as this worker last read it, kept
while the catalog's version stays the same: every lookup asks the version (one
primary-key read) and reads the catalog again only when it moved, so an edit counts
from the very next lookup on every worker of every server, and a filing no longer
builds two ORM queries and a day-by-day calendar query (decision 0021).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection

from calendario.models import DiaInhabil
from promociones.models import Asunto, Servicio


def revisar_cada() -> float:
    """How often a worker asks the database whether the catalog changed (one primary-key
    read; CATALOGO_REVISAR_CADA_SEGUNDOS, 1 s): an administrator's edit shows on every
    worker of every server within this. promociones.consultas.catalogo_asuntos keeps
    the asunto list in between."""
    return float(settings.CATALOGO_REVISAR_CADA_SEGUNDOS)


def version_del_catalogo() -> int:
    """The catalog's version: the database raises it with every change to a servicio, an
    asunto, the servicios an asunto is offered in or the extra non-working days, in the
    change's own transaction (triggers of migrations 0013 and 0016; nothing else writes
    it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM promociones_versioncatalogo WHERE id = 1")
        fila = cursor.fetchone()
    return int(fila[0]) if fila else 0


@dataclass(frozen=True)
class Catalogo:
    """The catalog at one version: what filing needs of it, without a query."""

    version: int
    servicios: dict[str, Servicio]  # by clave
    ofrecidos: dict[tuple[int, str], Asunto]  # (servicio id, clave) → active asunto
    dias_inhabiles: frozenset[date]  # every extra non-working day declared

    def servicio(self, clave: str) -> Servicio | None:
        """The servicio ``clave``; a copy of its own, on which a caller may cache."""
        servicio = self.servicios.get((clave or "").strip())
        return copy.copy(servicio) if servicio is not None else None

    def asunto(self, servicio: Servicio, clave: str) -> Asunto | None:
        """The active asunto ``clave`` when ``servicio`` offers it, else None; a copy of
        its own, whose area is read when asked for (area names are not versioned)."""
        asunto = self.ofrecidos.get((servicio.pk, (clave or "").strip()))
        return copy.copy(asunto) if asunto is not None else None


_lock = threading.Lock()
_leido: Catalogo | None = None


def vigente() -> Catalogo:
    """The catalog as the database has it now: this worker's copy while the version it
    was read at is still the database's, else read again (three small tables and the
    declared non-working days: a few dozen rows)."""
    global _leido
    # The version before the rows: an edit committed in between makes the next lookup
    # read again, never keeps an old catalog under a new version.
    version = version_del_catalogo()
    leido = _leido
    if leido is not None and leido.version == version:
        return leido
    servicios = {s.clave: s for s in Servicio.objects.all()}
    activos = {a.pk: a for a in Asunto.objects.filter(activo=True)}
    por_id = {s.pk: s for s in servicios.values()}
    ofrecidos = {
        (servicio_id, activos[asunto_id].clave): activos[asunto_id]
        for servicio_id, asunto_id in Asunto.servicios.through.objects.filter(
            asunto_id__in=list(activos)
        ).values_list("servicio_id", "asunto_id")
        if servicio_id in por_id
    }
    leido = Catalogo(
        version=version,
        servicios=servicios,
        ofrecidos=ofrecidos,
        dias_inhabiles=frozenset(DiaInhabil.objects.values_list("fecha", flat=True)),
    )
    with _lock:
        _leido = leido
    return leido


def olvidar() -> None:
    """Drops the remembered catalog (tests: each test database starts its own catalog,
    and a rolled-back test leaves the version where an earlier test's catalog had it)."""
    global _leido
    with _lock:
        _leido = None


def servicio_por_clave(clave: str) -> Servicio | None:
    return vigente().servicio(clave)


def asunto_ofrecido(servicio: Servicio, clave: str) -> Asunto | None:
    return vigente().asunto(servicio, clave)
