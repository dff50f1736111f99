"""The transition table, every pair of status and action, without a database."""

import pytest

from atencion.transiciones import Accion, permitidas, siguiente_estatus
from buzon.errores import ErrorDominio
from promociones.models import Estatus

PERMITIDAS = {
    ("recibido", "prorroga"): "en_prorroga",
    ("recibido", "canalizacion"): "canalizado",
    ("recibido", "respuesta"): "atendido",
    ("en_prorroga", "canalizacion"): "canalizado",
    ("en_prorroga", "respuesta"): "atendido",
    ("canalizado", "prorroga"): "en_prorroga",
    ("canalizado", "respuesta"): "atendido",
}
TODOS = [(e, a) for e in Estatus.values for a in [a.value for a in Accion]]


@pytest.mark.parametrize(("estatus", "accion"), sorted(PERMITIDAS))
def test_allowed_pairs_lead_to_the_lifecycle_status(estatus, accion):
    assert siguiente_estatus(estatus, Accion(accion)) == PERMITIDAS[(estatus, accion)]


@pytest.mark.parametrize(("estatus", "accion"), [par for par in TODOS if par not in PERMITIDAS])
def test_every_other_pair_is_refused_with_409(estatus, accion):
    with pytest.raises(ErrorDominio) as error:
        siguiente_estatus(estatus, Accion(accion))
    assert error.value.codigo == "transicion_invalida"
    assert error.value.status == 409
    assert Estatus(estatus).label in error.value.mensaje


def test_the_table_covers_twelve_pairs_seven_allowed():
    assert len(TODOS) == 12
    assert sum(len(permitidas(e)) for e in Estatus.values) == 7


def test_an_answered_request_allows_nothing():
    assert permitidas("atendido") == []
    assert permitidas("recibido") == [Accion.PRORROGA, Accion.CANALIZACION, Accion.RESPUESTA]
