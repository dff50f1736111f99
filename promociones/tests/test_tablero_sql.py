"""The Tablero's hand-written SQL page agrees with the ORM queryset it replaces.

consultas.pagina_del_tablero() exists for speed; consultas.solicitudes_de() + paginar()
+ filas_de_pagina() is the readable definition. Every filter, alone and combined, and
pages past the end must give the same total, the same rows and the same order, on
whichever database the suite runs (SQLite and PostgreSQL in CI).
"""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from promociones import consultas
from promociones.models import Asunto, Estatus, Servicio, Solicitud

pytestmark = pytest.mark.django_db

CAMPOS = (
    "folio",
    "servicio__nombre",
    "asunto__nombre",
    "recibida",
    "respuesta_a_partir_del",
    "estatus",
    "fecha_respuesta_o_canalizacion",
)


@pytest.fixture
def solicitudes(contribuyente, otro_contribuyente):
    """57 requests of the taxpayer spread over subjects, statuses, services and times
    near Mexico City's midnight (06:00 UTC), several sharing the same instant; and some
    of another taxpayer that must never appear."""
    asuntos = list(Asunto.objects.order_by("clave")[:3])
    servicios = list(Servicio.objects.order_by("clave"))
    estatus = list(Estatus.values)
    filas = []
    inicio = datetime(2026, 2, 27, 5, 30, tzinfo=UTC)
    for i in range(57):
        asunto = asuntos[i % len(asuntos)]
        filas.append(
            Solicitud(
                folio=f"{'AO'[i % 2]}-2026-{i + 1:06d}",
                contribuyente=contribuyente,
                servicio=servicios[i % len(servicios)],
                asunto=asunto,
                descripcion="Prueba",
                # Every third request shares its instant with the one before: -id decides.
                recibida=inicio + timedelta(hours=7 * (i - i // 3)),
                computo_desde=date(2026, 3, 2),
                respuesta_a_partir_del=date(2026, 3, 16),
                estatus=estatus[i % len(estatus)],
                fecha_respuesta_o_canalizacion=date(2026, 3, 10) if i % 4 == 0 else None,
                area=asunto.area,
            )
        )
    for i in range(5):
        filas.append(
            Solicitud(
                folio=f"A-2026-{100 + i:06d}",
                contribuyente=otro_contribuyente,
                servicio=servicios[0],
                asunto=asuntos[0],
                descripcion="Ajena",
                recibida=inicio + timedelta(hours=i),
                computo_desde=date(2026, 3, 2),
                respuesta_a_partir_del=date(2026, 3, 16),
                area=asuntos[0].area,
            )
        )
    Solicitud.objects.bulk_create(filas)
    return contribuyente, [a.clave for a in asuntos]


def por_orm(contribuyente, filtros, ajustar):
    consulta = consultas.solicitudes_de(contribuyente, filtros)
    pagina = consultas.paginar(consulta, filtros.pagina, ajustar=ajustar)
    filas = list(consultas.filas_de_pagina(consulta, pagina).values_list(*CAMPOS))
    return pagina, filas


def combinaciones(asuntos):
    valores = {
        "asunto": ["", *asuntos, "no-existe"],
        "estatus": ["", Estatus.RECIBIDO, Estatus.ATENDIDO],
        "desde": [None, date(2026, 3, 1)],
        "hasta": [None, date(2026, 3, 4)],
        "folio": ["", "A-2026-000003", "a-2026-00001", "00002", "%", "_"],
    }
    for asunto, estatus, desde, hasta, folio in itertools.product(*valores.values()):
        yield consultas.Filtros(asunto, estatus, desde, hasta, folio)


def test_every_filter_combination_gives_the_orms_total_rows_and_order(solicitudes):
    contribuyente, asuntos = solicitudes
    vistas = 0
    for filtros in combinaciones(asuntos):
        esperado = por_orm(contribuyente, filtros, ajustar=True)
        assert consultas.pagina_del_tablero(contribuyente.pk, filtros) == esperado, filtros
        vistas += bool(esperado[0].total)
    assert vistas > 100  # the grid really exercises non-empty pages


@pytest.mark.parametrize("pagina", [1, 2, 3, 4, 9])
@pytest.mark.parametrize("ajustar", [True, False])
def test_every_page_and_past_the_end_match_the_orm(solicitudes, pagina, ajustar):
    contribuyente, _ = solicitudes
    filtros = consultas.Filtros(pagina=pagina)
    obtenido = consultas.pagina_del_tablero(contribuyente.pk, filtros, ajustar=ajustar)
    assert obtenido == por_orm(contribuyente, filtros, ajustar)
    assert obtenido[0].total == 57


def test_rows_come_back_as_aware_datetimes_and_dates(solicitudes):
    contribuyente, _ = solicitudes
    _, filas = consultas.pagina_del_tablero(contribuyente.pk, consultas.Filtros())
    folio, servicio, asunto, recibida, respuesta, estatus, _ = filas[0]
    assert folio.startswith(("A-", "O-"))
    assert recibida.utcoffset() == timedelta(0)
    assert respuesta == date(2026, 3, 16)
    assert isinstance(servicio, str) and isinstance(asunto, str) and estatus in Estatus.values
