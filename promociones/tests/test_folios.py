"""Folio allocation under parallel submitters, each thread with its own DB connection."""

import threading

import pytest
from django.db import connection, connections

from buzon.lib.folio import interpretar
from promociones.models import FolioSecuencia, Solicitud
from promociones.services import registrar_solicitud
from tests.personas import crear_contribuyente, sembrar_catalogo

HILOS = 8
POR_HILO = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_submitters_get_distinct_consecutive_folios():
    assert connection.vendor == "postgresql" or "memory" not in connection.settings_dict["NAME"]
    sembrar_catalogo()
    contribuyentes = [crear_contribuyente(f"XAXX01010{i:04d}", f"Prueba {i}") for i in range(HILOS)]
    errores: list[BaseException] = []
    barrera = threading.Barrier(HILOS)

    def presentar(contribuyente):
        try:
            barrera.wait()
            for n in range(POR_HILO):
                registrar_solicitud(
                    contribuyente=contribuyente,
                    servicio="orientacion",
                    asunto="icsoe",
                    descripcion=f"Consulta {n}",
                    telefono="",
                    evidencia=None,
                )
        except BaseException as exc:
            errores.append(exc)
        finally:
            connections.close_all()

    hilos = [threading.Thread(target=presentar, args=(c,)) for c in contribuyentes]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()

    assert errores == []
    folios = list(Solicitud.objects.values_list("folio", flat=True))
    assert len(folios) == len(set(folios)) == HILOS * POR_HILO
    partes = [interpretar(f) for f in folios]
    numeros = sorted(p.numero for p in partes if p is not None)
    # Nothing rolled back here, so no number was skipped either.
    assert numeros == list(range(1, HILOS * POR_HILO + 1))
    assert FolioSecuencia.objects.get(inicial="O").ultimo == HILOS * POR_HILO
