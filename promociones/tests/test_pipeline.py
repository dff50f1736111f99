"""The pipeline's table, every pair of status and action, without a database."""

import pytest

from buzon.errores import ErrorDominio
from promociones import pipeline
from promociones.models import Estatus, Evento

PERMITIDAS = {
    ("recibido", "prorroga"): "en_prorroga",
    ("recibido", "canalizacion"): "canalizado",
    ("recibido", "respuesta"): "atendido",
    ("en_prorroga", "canalizacion"): "canalizado",
    ("en_prorroga", "respuesta"): "atendido",
    ("canalizado", "prorroga"): "en_prorroga",
    ("canalizado", "respuesta"): "atendido",
}
TRANSICIONES = ("prorroga", "canalizacion", "respuesta")
TODOS = [(e, a) for e in Estatus.values for a in TRANSICIONES]


@pytest.mark.parametrize(("estatus", "accion"), sorted(PERMITIDAS))
def test_allowed_pairs_lead_to_the_lifecycle_status(estatus, accion):
    a = pipeline.accion(accion)
    pipeline.revisar_estatus(a, estatus)  # does not raise
    assert a.deja == PERMITIDAS[(estatus, accion)]


@pytest.mark.parametrize(("estatus", "accion"), [par for par in TODOS if par not in PERMITIDAS])
def test_every_other_pair_is_refused_with_409(estatus, accion):
    with pytest.raises(ErrorDominio) as error:
        pipeline.revisar_estatus(pipeline.accion(accion), estatus)
    assert error.value.codigo == "transicion_invalida"
    assert error.value.status == 409
    assert Estatus(estatus).label in error.value.mensaje


def test_the_table_covers_twelve_pairs_seven_allowed():
    assert len(TODOS) == 12
    assert sum(len(pipeline.permitidas(e, "supervisor")) for e in Estatus.values) == 7


def test_an_answered_request_allows_nothing_and_analysts_only_answer():
    assert pipeline.permitidas("atendido", "supervisor") == []
    assert pipeline.permitidas("recibido", "supervisor") == [
        "prorroga",
        "canalizacion",
        "respuesta",
    ]
    assert pipeline.permitidas("recibido", "analista") == ["respuesta"]
    assert pipeline.permitidas("recibido", None) == []
    assert pipeline.permitidas("recibido", "contribuyente") == []


def test_every_row_names_its_event_acuse_and_notice():
    filas = {
        n: (a.evento, a.acuse, a.aviso, a.deja, sorted(a.roles))
        for n, a in pipeline.ACCIONES.items()
    }
    assert filas == {
        "registrar": (Evento.Tipo.RECIBIDA, "recepcion", None, "recibido", ["contribuyente"]),
        "asignar": (Evento.Tipo.ASIGNADA, None, None, None, ["supervisor"]),
        "nota": (Evento.Tipo.NOTA, None, None, None, ["analista", "supervisor"]),
        "prorroga": (Evento.Tipo.PRORROGA, "prorroga", "prorroga", "en_prorroga", ["supervisor"]),
        "canalizacion": (
            Evento.Tipo.CANALIZADA,
            "canalizacion",
            "canalizacion",
            "canalizado",
            ["supervisor"],
        ),
        "respuesta": (
            Evento.Tipo.ATENDIDA,
            "respuesta",
            "respuesta",
            "atendido",
            ["analista", "supervisor"],
        ),
    }
    # An answered request is closed to every staff action but a note.
    assert "atendido" not in pipeline.accion("asignar").desde
    assert "atendido" in pipeline.accion("nota").desde
