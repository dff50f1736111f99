import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from promociones.acceso import solicitud_de_contribuyente
from promociones.models import Solicitud
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


@pytest.mark.django_db(transaction=True)
def test_the_owners_lock_holds_another_writer_until_it_commits(contribuyente, folio):
    """``for_update=True`` really locks: a second connection that changes the row waits
    until the first transaction ends (a row lock on PostgreSQL, the write lock on SQLite)."""
    from django.db import connection, transaction

    bloqueada = threading.Event()
    soltada: list[float] = []
    escrita: list[float] = []

    def otro_escritor() -> None:
        try:
            bloqueada.wait(5)
            Solicitud.objects.filter(folio=folio).update(telefono="5500000000")
            escrita.append(time.monotonic())
        finally:
            connection.close()

    hilo = threading.Thread(target=otro_escritor)
    hilo.start()
    with transaction.atomic():
        assert solicitud_de_contribuyente(contribuyente.usuario, folio, for_update=True)
        bloqueada.set()
        time.sleep(0.5)  # the other writer is blocked meanwhile
        soltada.append(time.monotonic())
    hilo.join(10)
    assert escrita and escrita[0] >= soltada[0]
    assert Solicitud.objects.get(folio=folio).telefono == "5500000000"


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
