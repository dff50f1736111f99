"""A request's life as data: each action, the statuses it may run from, the status it
leaves, who may run it, the history event, the acuse and the notice it issues, and its
guards; and one function that runs any of them.

The table is the only place that says which status may follow which and who may do
what (DESIGN.md, "Status lifecycle" and "Actors"):

    Recibido → (En prórroga) → Atendido;
    Recibido/En prórroga → Canalizado → (En prórroga) → Atendido.

:func:`ejecutar` runs one action in one transaction: it locks the request's row, asks
the caller who the actor is to this request (the institution's side knows staff roles;
this side does not import it), checks role, guards and status, applies what differs
(dates, a new asunto, a document), writes the history row with the old and the new
status and the actor, issues the acuse and queues the notice. If any step fails, none
of them happened. An action the table does not allow from the current status is 409
``transicion_invalida``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from acuses.models import Acuse
from acuses.sello import Sellador
from buzon.errores import ErrorDominio, NoEncontrada
from promociones.hechos import emitir_acuse
from promociones.models import Estatus, Evento, Solicitud

# Who acts. Staff roles are the values of atencion's Adscripcion.Rol.
CONTRIBUYENTE = "contribuyente"
ANALISTA = "analista"
SUPERVISOR = "supervisor"
PERSONAL = frozenset({ANALISTA, SUPERVISOR})

Guarda = Callable[[Solicitud], None]


def _una_sola_prorroga(solicitud: Solicitud) -> None:
    # Checked before the status so that a second prórroga says why, not just "invalid".
    if (
        solicitud.estatus != Estatus.ATENDIDO
        and solicitud.eventos.filter(tipo=Evento.Tipo.PRORROGA).exists()
    ):
        raise ErrorDominio("prorroga_ya_otorgada")


@dataclass(frozen=True)
class Accion:
    nombre: str
    verbo: str  # for the refusal transicion_invalida: "No se puede {verbo} una solicitud …"
    desde: frozenset[str]  # empty: the action creates the request
    deja: str | None  # the status it leaves; None: the status does not change
    roles: frozenset[str]
    evento: str
    acuse: str | None = None
    aviso: str | None = None
    guardas: tuple[Guarda, ...] = ()

    @property
    def cambia_estatus(self) -> bool:
        return self.deja is not None


_ABIERTAS = frozenset({Estatus.RECIBIDO, Estatus.EN_PRORROGA, Estatus.CANALIZADO})
_TODAS = frozenset(Estatus.values)

ACCIONES: dict[str, Accion] = {
    a.nombre: a
    for a in (
        Accion(
            nombre="registrar",
            verbo="registrar",
            desde=frozenset(),
            deja=Estatus.RECIBIDO,
            roles=frozenset({CONTRIBUYENTE}),
            evento=Evento.Tipo.RECIBIDA,
            acuse="recepcion",
        ),
        Accion(
            nombre="asignar",
            verbo="asignar",
            desde=_ABIERTAS,
            deja=None,
            roles=frozenset({SUPERVISOR}),
            evento=Evento.Tipo.ASIGNADA,
        ),
        Accion(
            nombre="nota",
            verbo="anotar",
            desde=_TODAS,
            deja=None,
            roles=PERSONAL,
            evento=Evento.Tipo.NOTA,
        ),
        Accion(
            nombre="prorroga",
            verbo="otorgar una prórroga a",
            desde=frozenset({Estatus.RECIBIDO, Estatus.CANALIZADO}),
            deja=Estatus.EN_PRORROGA,
            roles=frozenset({SUPERVISOR}),
            evento=Evento.Tipo.PRORROGA,
            acuse="prorroga",
            aviso="prorroga",
            guardas=(_una_sola_prorroga,),
        ),
        Accion(
            nombre="canalizacion",
            verbo="canalizar",
            desde=frozenset({Estatus.RECIBIDO, Estatus.EN_PRORROGA}),
            deja=Estatus.CANALIZADO,
            roles=frozenset({SUPERVISOR}),
            evento=Evento.Tipo.CANALIZADA,
            acuse="canalizacion",
            aviso="canalizacion",
        ),
        Accion(
            nombre="respuesta",
            verbo="responder",
            desde=_ABIERTAS,
            deja=Estatus.ATENDIDO,
            roles=PERSONAL,
            evento=Evento.Tipo.ATENDIDA,
            acuse="respuesta",
            aviso="respuesta",
        ),
    )
}

# The staff actions a page offers, in its order.
ACCIONES_DEL_PERSONAL = ("prorroga", "canalizacion", "respuesta")


def accion(nombre: str) -> Accion:
    return ACCIONES[nombre]


def permitidas(estatus: str, rol: str | None) -> list[str]:
    """The staff actions ``rol`` may run on a request in ``estatus``, in page order."""
    return [
        nombre
        for nombre in ACCIONES_DEL_PERSONAL
        if estatus in ACCIONES[nombre].desde and rol in ACCIONES[nombre].roles
    ]


def revisar_estatus(a: Accion, estatus: str) -> None:
    """Raises ``transicion_invalida`` (409) unless ``a`` may run from ``estatus``."""
    if estatus not in a.desde:
        texto = Estatus(estatus).label if estatus in Estatus.values else estatus
        raise ErrorDominio("transicion_invalida", verbo=a.verbo, estatus=texto)


@dataclass
class Cambio:
    """What one run of an action changes, as its caller works it out from the locked
    request: the request's fields, the history's data, the acuse's extra facts, the
    notice's context, and rows of its own (an answer) to write in the transaction."""

    campos: dict[str, Any] = field(default_factory=dict)
    datos: dict[str, Any] = field(default_factory=dict)
    extra_acuse: dict[str, Any] | None = None
    contexto_aviso: dict[str, Any] = field(default_factory=dict)
    filas: Callable[[Solicitud], None] | None = None


RolDe = Callable[[Solicitud], str | None]
Avisar = Callable[..., dict[str, Any]]


def bloquear(a: Accion, *, solicitud: Solicitud, rol_de: RolDe) -> Solicitud:
    """The request locked for this transaction, once its actor may run ``a`` on it:
    no role at all is the same 404 as an unknown folio; the wrong role is 403; then the
    guards, then the status (409)."""
    bloqueada = (
        Solicitud.objects.select_for_update(of=("self",))
        .select_related("servicio", "asunto", "area", "contribuyente", "asignada_a")
        .get(pk=solicitud.pk)
    )
    rol = rol_de(bloqueada)
    if rol is None:
        raise NoEncontrada()
    if rol not in a.roles:
        raise ErrorDominio("sin_permiso")
    for guarda in a.guardas:
        guarda(bloqueada)
    revisar_estatus(a, bloqueada.estatus)
    return bloqueada


@dataclass(frozen=True)
class Efectos:
    """The rows one run of an action wrote beside the request: its history row and its
    acuse (None for an action that issues none)."""

    evento: Evento
    acuse: Acuse | None


@dataclass(frozen=True)
class Resultado:
    solicitud: Solicitud
    evento: Evento


def ejecutar(
    nombre: str,
    *,
    solicitud: Solicitud,
    actor_id: int,
    rol_de: RolDe,
    cambio: Callable[[Solicitud], Cambio],
    momento: datetime,
    avisar: Avisar | None = None,
) -> Resultado:
    """Runs the action ``nombre`` on ``solicitud`` (see the module's docstring); returns
    the request as it was left and the history row the run wrote."""
    a = ACCIONES[nombre]
    with transaction.atomic():
        s = bloquear(a, solicitud=solicitud, rol_de=rol_de)
        hecho = cambio(s)
        anterior = s.estatus
        campos = dict(hecho.campos)
        if a.deja is not None:
            campos["estatus"] = a.deja
        for campo, valor in campos.items():
            setattr(s, campo, valor)
        if campos:
            s.save(update_fields=list(campos))
        if hecho.filas is not None:
            hecho.filas(s)
        escrito = efectos(
            a,
            solicitud=s,
            actor_id=actor_id,
            momento=momento,
            anterior=anterior,
            cambio=hecho,
            avisar=avisar,
        )
    return Resultado(s, escrito.evento)


def efectos(
    a: Accion,
    *,
    solicitud: Solicitud,
    actor_id: int | None,
    momento: datetime,
    anterior: str | None,
    cambio: Cambio,
    avisar: Avisar | None = None,
    material: Sellador | None = None,
) -> Efectos:
    """What every run of ``a`` leaves, in the caller's transaction: the notice (its
    record goes into the history), the history row, and the acuse (sealed by
    ``material``, the configured Sellador when None)."""
    datos: dict[str, Any] = {}
    if a.cambia_estatus and anterior is not None:
        datos = {"estatus_anterior": anterior, "estatus_nuevo": solicitud.estatus}
    datos.update(cambio.datos)
    if a.aviso is not None and avisar is not None:
        datos.update(
            avisar(
                solicitud=solicitud,
                evento=a.aviso,
                contexto=cambio.contexto_aviso,
                momento=momento,
            )
        )
    evento = Evento.objects.create(
        solicitud=solicitud, tipo=a.evento, actor_id=actor_id, creado=momento, datos=datos
    )
    acuse = None
    if a.acuse is not None:
        acuse = emitir_acuse(
            solicitud=solicitud,
            tipo=a.acuse,
            momento=momento,
            extra=cambio.extra_acuse,
            material=material,
        )
    return Efectos(evento, acuse)
