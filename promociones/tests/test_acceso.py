import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from promociones.acceso import solicitud_de_contribuyente
from promociones.services import registrar_solicitud

pytestmark = pytest.mark.django_db


@pytest.fixture
def folio(contribuyente):
    return registrar_solicitud(
        contribuyente=contribuyente,
        servicio="orientacion",
        asunto="emisiones",
        descripcion="¿Cómo consulto mi emisión?",
        telefono="",
        evidencia=None,
    ).folio


def mensaje_404(user, folio):
    with pytest.raises(Http404) as exc:
        solicitud_de_contribuyente(user, folio)
    return str(exc.value)


def test_owner_gets_the_request(contribuyente, folio):
    assert solicitud_de_contribuyente(contribuyente.usuario, folio).folio == folio


def test_owner_may_lock_the_request(contribuyente, folio):
    assert solicitud_de_contribuyente(contribuyente.usuario, folio, for_update=True).folio == folio


def test_foreign_unknown_staff_and_anonymous_all_get_the_same_404(
    contribuyente, otro_contribuyente, folio, django_assert_num_queries
):
    personal = get_user_model().objects.create_user("analista")
    desconocido = mensaje_404(otro_contribuyente.usuario, "A-2099-000001")
    with django_assert_num_queries(1):
        ajeno = mensaje_404(otro_contribuyente.usuario, folio)
    assert ajeno == desconocido
    assert mensaje_404(personal, folio) == desconocido
    assert mensaje_404(AnonymousUser(), folio) == desconocido
