"""The queue's filters and counts against a naive count written here in plain Python,
after every way a request can change: the ORM, bulk_create, raw SQL, the pipeline's
canalización to another area, deletes, and the daily fold of overdue dates.

The counts come from tables the database keeps with triggers (migration 0010); these
tests are what says those tables never drift from the requests. Run them on both
engines (DATABASE_URL=postgres://… for PostgreSQL)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from atencion import consultas, services
from atencion.consultas import ABIERTAS, FiltrosPersonal
from atencion.models import Area
from buzon.errores import ErrorDominio
from calendario.services import ZONA_MEXICO, fecha_en_mexico, sumar_habiles
from promociones.models import (
    FECHA_PLEGADA,
    Asunto,
    ConteoCola,
    ConteoVencimiento,
    Servicio,
    Solicitud,
)
from tests.personas import ANALISTA_OTRA_AREA, Personal

pytestmark = pytest.mark.django_db

ANALISTA_2 = Personal("analista_dos", {"emisiones": "analista"})


@pytest.fixture(autouse=True)
def sin_memoria():
    consultas.olvidar_plazos()
    consultas.olvidar_plegado()


def _hoy() -> date:
    return fecha_en_mexico(timezone.now())


def _sembrar(contribuyente: Any, otro: Any, personas: list[Any], n: int = 90) -> list[Solicitud]:
    """Requests over every area, estatus, assignee and due date around today, inserted
    with bulk_create (no save(), no signal: only the triggers see them)."""
    rng = random.Random(7)
    hoy = _hoy()
    servicios = list(Servicio.objects.all())
    asuntos = list(Asunto.objects.all())
    filas = []
    for i in range(n):
        asunto = rng.choice(asuntos)
        respuesta = hoy + timedelta(days=rng.choice([-400, -30, -3, -1, 0, 1, 2, 3, 4, 7, 20]))
        recibida = datetime.combine(
            respuesta - timedelta(days=14), datetime.min.time(), tzinfo=ZONA_MEXICO
        ) + timedelta(hours=rng.randrange(24))
        filas.append(
            Solicitud(
                folio=f"{'AO'[i % 2]}-2026-{900000 + i:06d}",
                contribuyente=contribuyente if i % 3 else otro,
                servicio=servicios[i % 2],
                asunto=asunto,
                area_id=asunto.area_id,
                descripcion="Solicitud de prueba de la cola.",
                recibida=recibida.astimezone(UTC),
                computo_desde=recibida.date(),
                respuesta_a_partir_del=respuesta,
                estatus=rng.choice(
                    ["recibido", "recibido", "en_prorroga", "canalizado", "atendido"]
                ),
                asignada_a=rng.choice([None, None, *personas]),
            )
        )
    return Solicitud.objects.bulk_create(filas)


def _ingenuo(user: Any, f: FiltrosPersonal, hoy: date) -> dict[str, int]:
    """What the counts must be, from every visible row checked one by one in Python."""
    areas = set(Area.objects.filter(adscripciones__usuario=user).values_list("clave", flat=True))
    d2 = sumar_habiles(hoy, consultas.DIAS_POR_VENCER)
    dn = sumar_habiles(hoy, f.vence_en) if f.vence_en is not None else None
    filas = Solicitud.objects.select_related("area", "servicio", "asunto", "contribuyente")

    def abierta(s: Solicitud) -> bool:
        return s.estatus != "atendido"

    def pasa(s: Solicitud, sin: tuple[str, ...] = ()) -> bool:
        local = s.recibida.astimezone(ZONA_MEXICO).date()
        checks = [
            s.area.clave in areas,
            not f.area or s.area.clave == f.area,
            not f.servicio or s.servicio.clave == f.servicio,
            not f.asunto or s.asunto.clave == f.asunto,
            (abierta(s) if f.estatus == ABIERTAS else not f.estatus or s.estatus == f.estatus),
            not f.desde or local >= f.desde,
            not f.hasta or local <= f.hasta,
            not f.q or f.q in (s.folio, s.contribuyente.rfc),
        ]
        if "asignacion" not in sin:
            checks.append(
                {
                    "": True,
                    "mias": s.asignada_a_id == user.pk,
                    "sin_asignar": s.asignada_a_id is None,
                }[f.asignacion]
            )
        if "vencimiento" not in sin:
            if f.vencidas:
                checks.append(abierta(s) and s.respuesta_a_partir_del < hoy)
            elif dn is not None:
                checks.append(abierta(s) and hoy <= s.respuesta_a_partir_del <= dn)
        return all(checks)

    todas = list(filas)
    return {
        "total": sum(pasa(s) for s in todas),
        "vencidas": sum(
            pasa(s, ("vencimiento",)) and abierta(s) and s.respuesta_a_partir_del < hoy
            for s in todas
        ),
        "por_vencer": sum(
            pasa(s, ("vencimiento",)) and abierta(s) and hoy <= s.respuesta_a_partir_del <= d2
            for s in todas
        ),
        "sin_asignar": sum(pasa(s, ("asignacion",)) and s.asignada_a_id is None for s in todas),
        "mias": sum(pasa(s, ("asignacion",)) and s.asignada_a_id == user.pk for s in todas),
    }


FILTROS = [
    FiltrosPersonal(),
    FiltrosPersonal(estatus=ABIERTAS),
    FiltrosPersonal(estatus="recibido"),
    FiltrosPersonal(vencidas=True),
    FiltrosPersonal(vencidas=True, asunto="emisiones"),
    FiltrosPersonal(vence_en=2),
    FiltrosPersonal(vence_en=0),
    FiltrosPersonal(vence_en=10, asignacion="sin_asignar"),
    FiltrosPersonal(asignacion="mias", estatus=ABIERTAS),
    FiltrosPersonal(asignacion="sin_asignar", servicio="orientacion"),
    FiltrosPersonal(area="emisiones", vencidas=True),
    FiltrosPersonal(area="atencion-buzon", asunto="activacion-buzon"),
]


def _comparar(
    user: Any, extra: list[FiltrosPersonal] | None = None, hoy: date | None = None
) -> None:
    hoy = hoy or _hoy()
    ctx = consultas.contexto(user, hoy)
    for f in [*FILTROS, *(extra or [])]:
        if f.area and f.area not in {a.clave for a in ctx.areas}:
            continue
        c = consultas.conteos_de_cola(ctx, f)
        esperado = _ingenuo(user, f, hoy)
        obtenido = {"total": c.total, **c.contrato()}
        assert obtenido == esperado, f
        # The rows the page lists are the same set the total counts.
        assert consultas.solicitudes_de_personal(user, f, hoy=hoy, ctx=ctx).count() == c.total, f


def test_counts_equal_a_naive_count_after_bulk_create_orm_raw_sql_and_deletes(
    contribuyente, otro_contribuyente, supervisor, analista
):
    otra = ANALISTA_2.crear()
    filas = _sembrar(contribuyente, otro_contribuyente, [supervisor, analista, otra])
    _comparar(supervisor)
    _comparar(analista)
    # The ORM: one request answered, one re-dated, one unassigned, one moved to another area.
    Solicitud.objects.filter(pk=filas[0].pk).update(estatus="atendido")
    Solicitud.objects.filter(pk=filas[1].pk).update(respuesta_a_partir_del=_hoy())
    s = Solicitud.objects.get(pk=filas[2].pk)
    s.asignada_a = None
    s.save()
    icsoe = Asunto.objects.get(clave="icsoe")
    Solicitud.objects.filter(pk__in=[f.pk for f in filas[3:8]]).update(
        asunto=icsoe, area=icsoe.area, estatus="canalizado"
    )
    # Raw SQL, as a data fix would be written.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE promociones_solicitud SET asignada_a_id = %s, estatus = 'en_prorroga' "
            "WHERE id IN (%s, %s)",
            [analista.pk, filas[10].pk, filas[11].pk],
        )
        cursor.execute("DELETE FROM promociones_solicitud WHERE id = %s", [filas[12].pk])
    Solicitud.objects.filter(pk=filas[13].pk).delete()
    _comparar(supervisor)
    _comparar(analista)
    _comparar(ANALISTA_OTRA_AREA.crear())


def test_counts_follow_the_pipelines_canalizacion_to_another_area_and_assignment(
    contribuyente, supervisor, analista
):
    from atencion.tests.conftest import presentar

    s = presentar(contribuyente)
    services.asignar(solicitud=s, actor=supervisor, usuario=analista.username)
    ctx = consultas.contexto(analista, _hoy())
    assert consultas.conteos_de_cola(ctx, FiltrosPersonal()).mias == 1
    services.canalizar(
        solicitud=Solicitud.objects.get(pk=s.pk),
        actor=supervisor,
        nota="Corresponde a ICSOE.",
        servicio="orientacion",
        asunto="icsoe",
    )
    assert consultas.conteos_de_cola(ctx, FiltrosPersonal()).total == 0
    icsoe = ANALISTA_OTRA_AREA.crear()
    _comparar(icsoe)
    _comparar(analista)


def test_the_fold_keeps_every_count_and_later_changes_exact(
    contribuyente, otro_contribuyente, supervisor, analista
):
    filas = _sembrar(contribuyente, otro_contribuyente, [supervisor, analista])
    antes = ConteoVencimiento.objects.count()
    consultas.plegar_vencidas(_hoy())
    assert ConteoVencimiento.objects.filter(fecha=FECHA_PLEGADA).exists()
    assert not ConteoVencimiento.objects.filter(
        fecha__gt=FECHA_PLEGADA, fecha__lt=_hoy() - timedelta(days=1)
    ).exists()
    assert ConteoVencimiento.objects.count() < antes
    _comparar(supervisor)
    # Requests overdue since before the cut change after the fold: answered, re-dated,
    # reassigned, deleted; and a new overdue one arrives (stored folded at once).
    vencidas = [
        f
        for f in filas
        if f.estatus != "atendido" and f.respuesta_a_partir_del < _hoy() - timedelta(days=2)
    ]
    assert len(vencidas) >= 4
    Solicitud.objects.filter(pk=vencidas[0].pk).update(estatus="atendido")
    Solicitud.objects.filter(pk=vencidas[1].pk).update(
        respuesta_a_partir_del=_hoy() + timedelta(days=3)
    )
    Solicitud.objects.filter(pk=vencidas[2].pk).update(asignada_a=analista)
    Solicitud.objects.filter(pk=vencidas[3].pk).delete()
    nueva = Solicitud.objects.get(pk=filas[-1].pk)
    nueva.pk, nueva.folio = None, "A-2026-999990"
    nueva.respuesta_a_partir_del, nueva.estatus = date(2025, 2, 3), "recibido"
    nueva.save()
    _comparar(supervisor)
    _comparar(analista)
    # Five days later the fold moves what became overdue meanwhile (the first count of
    # that day folds); the counts of that day stay exact.
    consultas.olvidar_plegado()
    despues = _hoy() + timedelta(days=5)
    _comparar(supervisor, hoy=despues)
    assert not ConteoVencimiento.objects.filter(
        fecha__gt=FECHA_PLEGADA, fecha__lt=despues - timedelta(days=1)
    ).exists()
    assert not ConteoVencimiento.objects.filter(total=0).exists()
    assert not ConteoCola.objects.filter(total__lt=0).exists()
    _comparar(analista, hoy=despues)


def test_dates_folio_and_rfc_count_from_the_requests_and_agree_with_the_tables(
    contribuyente, otro_contribuyente, supervisor, analista
):
    filas = _sembrar(contribuyente, otro_contribuyente, [supervisor, analista])
    hoy = _hoy()
    extra = [
        FiltrosPersonal(desde=date(2000, 1, 1)),
        FiltrosPersonal(desde=hoy - timedelta(days=20), hasta=hoy, vencidas=True),
        FiltrosPersonal(hasta=hoy - timedelta(days=30), asignacion="sin_asignar"),
        FiltrosPersonal(q=filas[4].folio),
        FiltrosPersonal(q=contribuyente.rfc, vence_en=3),
    ]
    _comparar(supervisor, extra)
    ctx = consultas.contexto(supervisor, hoy)
    for f in FILTROS:
        por_tablas = consultas.conteos_de_cola(ctx, f)
        por_filas = consultas.conteos_de_cola(
            ctx, FiltrosPersonal(**{**f.__dict__, "desde": date(2000, 1, 1)})
        )
        assert por_tablas == por_filas, f


def test_each_select_option_counts_within_the_other_filters(
    contribuyente, otro_contribuyente, supervisor
):
    _sembrar(contribuyente, otro_contribuyente, [supervisor])
    ctx = consultas.contexto(supervisor, _hoy())
    base = FiltrosPersonal(estatus=ABIERTAS, asunto="emisiones", vencidas=True)
    c = consultas.conteos_de_cola(ctx, base)
    for estatus in ("recibido", "en_prorroga", "canalizado", "atendido"):
        assert (
            c.por_estatus.get(estatus, 0)
            == consultas.conteos_de_cola(
                ctx, FiltrosPersonal(estatus=estatus, asunto="emisiones", vencidas=True)
            ).total
        )
    for asunto in ("emisiones", "activacion-buzon", "notificacion-electronica"):
        assert (
            c.por_asunto.get(asunto, 0)
            == consultas.conteos_de_cola(
                ctx, FiltrosPersonal(estatus=ABIERTAS, asunto=asunto, vencidas=True)
            ).total
        )
    assert c.por_estatus[ABIERTAS] == c.total
    for area in ("emisiones", "atencion-buzon"):
        assert (
            c.por_area.get(area, 0)
            == consultas.conteos_de_cola(
                ctx, FiltrosPersonal(estatus=ABIERTAS, asunto="emisiones", vencidas=True, area=area)
            ).total
        )


@pytest.mark.parametrize(
    ("parametros", "codigo"),
    [
        ({"estatus": "perdido"}, "estatus_invalido"),
        ({"servicio": "queja"}, "servicio_invalido"),
        ({"asunto": "nada"}, "asunto_invalido"),
        ({"area": "icsoe"}, "area_invalida"),  # an area that is not hers
        ({"area": "no-existe"}, "area_invalida"),
        ({"asignacion": "otras"}, "asignacion_invalida"),
        ({"vencidas": "quizá"}, "vencidas_invalido"),
        ({"vence_en": "-1"}, "vence_en_invalido"),
        ({"vence_en": "61"}, "vence_en_invalido"),
        ({"vence_en": "٣"}, "vence_en_invalido"),
        ({"vence_en": "2", "vencidas": "true"}, "vence_en_invalido"),
        ({"recibida_desde": "2026-02-30"}, "fecha_invalida"),
        ({"recibida_desde": "01/03/2026"}, "fecha_invalida"),  # dd/mm/aaaa: the page only
        ({"recibida_desde": "2026-03-02", "recibida_hasta": "2026-03-01"}, "rango_invalido"),
        ({"q": "hola"}, "busqueda_invalida"),
        ({"q": "' OR 1=1 --"}, "busqueda_invalida"),
        ({"pagina": "0"}, "pagina_invalida"),
    ],
)
def test_every_bad_value_has_its_code(supervisor, parametros, codigo):
    areas = consultas.areas_con_rol(supervisor)
    with pytest.raises(ErrorDominio) as exc:
        consultas.leer_filtros(parametros, areas)
    assert exc.value.codigo == codigo
    assert exc.value.mensaje


def test_values_are_cleaned_bounded_and_normalised(supervisor):
    areas = consultas.areas_con_rol(supervisor)
    f = consultas.leer_filtros(
        {
            "estatus": "\x00recibido\u202e",
            "q": " a-2026-000123 ",
            "recibida_desde": "01/03/2026",
            "recibida_hasta": "2026-03-31",
            "vence_en": "5",
            "asignacion": "mias",
            "area": "emisiones",
        },
        areas,
        pagina_web=True,
    )
    assert (f.estatus, f.q, f.desde, f.hasta, f.vence_en) == (
        "recibido", "A-2026-000123", date(2026, 3, 1), date(2026, 3, 31), 5
    )  # fmt: skip
    assert consultas.leer_filtros({"q": "penm800101ab1"}, areas).q == "PENM800101AB1"
    with pytest.raises(ErrorDominio):
        consultas.leer_filtros({"asunto": "emisiones" + "x" * 5000}, areas)
    # The page shows the open requests unless an estatus was asked for; "" is every one.
    assert consultas.leer_filtros({}, areas, pagina_web=True).estatus == ABIERTAS
    assert consultas.leer_filtros({"estatus": ""}, areas, pagina_web=True).estatus == ""
    assert consultas.leer_filtros({}, areas).estatus == ""


def test_rows_are_sorted_by_response_date_then_id(contribuyente, otro_contribuyente, supervisor):
    _sembrar(contribuyente, otro_contribuyente, [supervisor])
    hoy = _hoy()
    for f in (
        FiltrosPersonal(),
        FiltrosPersonal(estatus=ABIERTAS),
        FiltrosPersonal(vencidas=True, asunto="emisiones"),
    ):
        filas = list(
            consultas.solicitudes_de_personal(supervisor, f, hoy=hoy).values_list(
                "respuesta_a_partir_del", "id"
            )
        )
        assert filas == sorted(filas) and filas


@pytest.mark.parametrize("dias", [0, 1, 2, 5])
def test_vence_en_uses_business_days_with_declared_ones(contribuyente, supervisor, dias):
    from calendario.models import DiaInhabil

    hoy = _hoy()
    DiaInhabil.objects.create(fecha=hoy + timedelta(days=1), motivo="Prueba")
    consultas.olvidar_plazos()
    fin = consultas.fin_de_plazo(hoy, dias)
    assert fin == sumar_habiles(hoy, dias)
    # The declared day is never the due date, and «today» counts as day 0.
    assert fin != hoy + timedelta(days=1)
    assert fin == hoy if dias == 0 else fin > hoy + timedelta(days=1)


def test_combinations_of_toggles_never_disagree(
    contribuyente, otro_contribuyente, supervisor, analista
):
    _sembrar(contribuyente, otro_contribuyente, [supervisor, analista], n=60)
    combinaciones = [
        FiltrosPersonal(estatus=e, asignacion=a, vencidas=v, vence_en=n)
        for e, a, (v, n) in itertools.product(
            ["", ABIERTAS, "canalizado"],
            ["", "mias", "sin_asignar"],
            [(False, None), (True, None), (False, 3)],
        )
    ]
    _comparar(supervisor, combinaciones)
