"""ConteoSolicitudes: the database keeps each taxpayer's number of requests.

The unfiltered Tablero shows this number as its total, so it must equal a COUNT of the
rows after every way rows can appear, disappear or change owner, on both engines.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promociones import consultas
from promociones.models import Asunto, ConteoSolicitudes, Servicio, Solicitud

pytestmark = pytest.mark.django_db


def _solicitud(contribuyente, n: int) -> Solicitud:
    asunto = Asunto.objects.order_by("clave")[0]
    return Solicitud(
        folio=f"O-2026-{n:06d}",
        contribuyente=contribuyente,
        servicio=Servicio.objects.get(clave="orientacion"),
        asunto=asunto,
        descripcion="Conteo",
        recibida=datetime(2026, 3, 2, 16, tzinfo=UTC) + timedelta(minutes=n),
        computo_desde=date(2026, 3, 2),
        respuesta_a_partir_del=date(2026, 3, 9),
        area=asunto.area,
    )


def _conteo(contribuyente) -> int:
    fila = ConteoSolicitudes.objects.filter(contribuyente=contribuyente).first()
    return fila.total if fila else 0


def _cuadra(*contribuyentes) -> None:
    for c in contribuyentes:
        real = Solicitud.objects.filter(contribuyente=c).count()
        assert _conteo(c) == real
        pagina, _ = consultas.pagina_del_tablero(c.pk, consultas.Filtros())
        assert pagina.total == real


def test_sin_solicitudes_el_tablero_dice_cero(contribuyente):
    assert not ConteoSolicitudes.objects.filter(contribuyente=contribuyente).exists()
    pagina, filas = consultas.pagina_del_tablero(contribuyente.pk, consultas.Filtros())
    assert (pagina.total, filas) == (0, [])


def test_cada_forma_de_escribir_mantiene_el_conteo(contribuyente, otro_contribuyente):
    _solicitud(contribuyente, 1).save()
    _cuadra(contribuyente, otro_contribuyente)
    assert _conteo(contribuyente) == 1

    Solicitud.objects.bulk_create([_solicitud(contribuyente, n) for n in range(2, 30)])
    Solicitud.objects.bulk_create([_solicitud(otro_contribuyente, n) for n in range(30, 35)])
    _cuadra(contribuyente, otro_contribuyente)
    assert (_conteo(contribuyente), _conteo(otro_contribuyente)) == (29, 5)

    # Raw SQL, as a bulk load or a database console would write.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Solicitud._meta.db_table} WHERE folio IN (%s, %s)",  # noqa: S608
            ["O-2026-000002", "O-2026-000003"],
        )
    _cuadra(contribuyente, otro_contribuyente)

    Solicitud.objects.filter(folio="O-2026-000004").delete()
    Solicitud.objects.get(folio="O-2026-000005").delete()
    _cuadra(contribuyente, otro_contribuyente)

    # A change of owner moves one from each count to the other.
    Solicitud.objects.filter(folio__in=["O-2026-000006", "O-2026-000007"]).update(
        contribuyente=otro_contribuyente
    )
    _cuadra(contribuyente, otro_contribuyente)
    assert (_conteo(contribuyente), _conteo(otro_contribuyente)) == (23, 7)

    # Updates of anything else leave the counts alone.
    Solicitud.objects.filter(contribuyente=contribuyente).update(descripcion="Otra")
    Solicitud.objects.filter(folio="O-2026-000008").update(contribuyente=contribuyente)
    _cuadra(contribuyente, otro_contribuyente)


def test_un_filtro_cuenta_las_filas_no_el_conteo(contribuyente):
    Solicitud.objects.bulk_create([_solicitud(contribuyente, n) for n in range(1, 6)])
    # Were the filtered total read from the counter, this would say 5.
    pagina, filas = consultas.pagina_del_tablero(
        contribuyente.pk, consultas.Filtros(folio="O-2026-000003")
    )
    assert pagina.total == 1
    assert [f[0] for f in filas] == ["O-2026-000003"]


def _version(contribuyente) -> int | None:
    fila = ConteoSolicitudes.objects.filter(contribuyente=contribuyente).first()
    return fila.version if fila else None


def test_la_version_sube_con_cada_cambio_por_cualquier_via(contribuyente, otro_contribuyente):
    """The Tablero's remembered pages are keyed by this version: any write that could
    change a taxpayer's rows must raise it, whatever made the write."""
    assert _version(contribuyente) is None
    primera = _solicitud(contribuyente, 1)
    primera.save()
    vistas = [_version(contribuyente)]
    Solicitud.objects.bulk_create([_solicitud(contribuyente, n) for n in range(2, 5)])
    vistas.append(_version(contribuyente))
    Solicitud.objects.filter(pk=primera.pk).update(estatus="atendido")  # no signals
    vistas.append(_version(contribuyente))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE promociones_solicitud SET respuesta_a_partir_del = %s WHERE id = %s",
            [date(2026, 3, 20), primera.pk],
        )
    vistas.append(_version(contribuyente))
    primera.refresh_from_db()
    primera.descripcion = "Otra"
    primera.save()
    vistas.append(_version(contribuyente))
    antes_del_otro = _version(otro_contribuyente)
    Solicitud.objects.filter(pk=primera.pk).update(contribuyente=otro_contribuyente)
    vistas.append(_version(contribuyente))
    assert _version(otro_contribuyente) != antes_del_otro
    Solicitud.objects.filter(contribuyente=contribuyente).delete()
    vistas.append(_version(contribuyente))
    numeros = [v for v in vistas if v is not None]
    assert len(numeros) == len(vistas)
    assert numeros == sorted(set(numeros)), vistas  # strictly rising at every step


def test_la_pagina_recordada_nunca_sobrevive_a_un_cambio(contribuyente):
    Solicitud.objects.bulk_create([_solicitud(contribuyente, n) for n in range(1, 4)])
    filtros = consultas.Filtros()
    _, filas = consultas.pagina_del_tablero(contribuyente.pk, filtros)
    assert [f[5] for f in filas] == ["recibido"] * 3
    # Seen again at the same version: the same page, from memory, after one read of
    # the version.
    with CaptureQueriesContext(connection) as leidas:
        assert consultas.pagina_del_tablero(contribuyente.pk, filtros)[1] is filas
    assert len(leidas) == 1

    Solicitud.objects.filter(folio="O-2026-000003").update(estatus="atendido")
    _, filas = consultas.pagina_del_tablero(contribuyente.pk, filtros)
    assert [f[5] for f in filas] == ["atendido", "recibido", "recibido"]


def test_sin_memoria_cada_pagina_se_lee_de_la_base(contribuyente, settings):
    settings.BUZON_TABLERO_PAGINAS = 0
    Solicitud.objects.bulk_create([_solicitud(contribuyente, n) for n in range(1, 4)])
    filtros = consultas.Filtros()
    primera = consultas.pagina_del_tablero(contribuyente.pk, filtros)[1]
    with CaptureQueriesContext(connection) as leidas:
        otra = consultas.pagina_del_tablero(contribuyente.pk, filtros)[1]
    assert otra == primera and otra is not primera
    assert len(leidas) == 1  # the page with its total; no version read


def test_la_version_sube_con_el_historial_la_evidencia_y_las_consultas(contribuyente, catalogo):
    """Detalle is remembered under the same version (consultas.detalle_recordado): every
    row it shows besides the request's own must raise it too, whatever writes it
    (migration 0015); another taxpayer's version does not move."""
    from atencion.models import Area
    from promociones.models import ConsultaInstitucional, Evento, Evidencia
    from tests.personas import ANALISTA

    analista = ANALISTA.crear()
    solicitud = _solicitud(contribuyente, 1)
    solicitud.save()
    vistas = [_version(contribuyente)]
    momento = datetime(2026, 3, 3, 16, tzinfo=UTC)
    evento = Evento.objects.create(
        solicitud=solicitud, tipo=Evento.Tipo.RECIBIDA, creado=momento, datos={}
    )
    vistas.append(_version(contribuyente))
    Evento.objects.filter(pk=evento.pk).update(datos={"x": 1})
    vistas.append(_version(contribuyente))
    evidencia = Evidencia.objects.create(
        solicitud=solicitud, nombre_original="e.zip", bytes=1, sha256="0" * 64, archivo="x"
    )
    vistas.append(_version(contribuyente))
    with connection.cursor() as cursor:  # plain SQL too
        cursor.execute(
            "UPDATE promociones_evidencia SET nombre_original = %s WHERE id = %s",
            ["ñ.zip", evidencia.pk],
        )
    vistas.append(_version(contribuyente))
    ConsultaInstitucional.objects.create(
        solicitud=solicitud,
        creado=momento,
        usuario=analista,
        area=Area.objects.get(clave="emisiones"),
        rol="analista",
        accion=ConsultaInstitucional.Accion.CONSULTA,
    )
    vistas.append(_version(contribuyente))
    Evidencia.objects.filter(pk=evidencia.pk).delete()
    vistas.append(_version(contribuyente))
    Evento.objects.filter(pk=evento.pk).delete()
    vistas.append(_version(contribuyente))
    numeros = [v for v in vistas if v is not None]
    assert len(numeros) == len(vistas)
    assert numeros == sorted(set(numeros)), vistas  # strictly rising at every step
