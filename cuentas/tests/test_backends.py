"""The prepared user and session reads give exactly what Django's ORM would.

cuentas.backends replaces two ORM lookups made on every signed-in request; these tests
hold them to the ORM's answers (values, types, cached relations, refusals) on whichever
database the suite runs.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cuentas.backends import SessionStore, UsuarioConContribuyente
from cuentas.models import Contribuyente, TipoPersona

pytestmark = pytest.mark.django_db


def _valores(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def contribuyente() -> Contribuyente:
    usuario = User.objects.create_user(username="MOÑA850101AB1", password=None)
    usuario.last_login = timezone.now()
    usuario.save()
    return Contribuyente.objects.create(
        usuario=usuario,
        rfc="MOÑA850101AB1",
        nombre="María Begoña Núñez & Peña",
        tipo=TipoPersona.FISICA,
        curp="MONA850101MDFXXX09",
        numero_certificado="30001000000500003416",
    )


def test_el_usuario_con_su_contribuyente_es_el_del_orm(contribuyente):
    esperado = User.objects.select_related("contribuyente").get(pk=contribuyente.usuario_id)
    with CaptureQueriesContext(connection) as consultas:
        usuario = UsuarioConContribuyente().get_user(str(contribuyente.usuario_id))
        assert usuario is not None
        # The taxpayer and its way back to the user come with it, as with select_related.
        leido = usuario.contribuyente
        assert leido.usuario is usuario
    assert len(consultas) == 1
    assert _valores(usuario) == _valores(esperado)
    assert _valores(leido) == _valores(esperado.contribuyente)
    assert leido.nombre == "María Begoña Núñez & Peña"
    assert usuario.last_login is not None and usuario.last_login.tzinfo is not None
    assert isinstance(usuario.is_active, bool) and usuario._state.adding is False
    assert usuario.get_session_auth_hash() == esperado.get_session_auth_hash()


def test_una_cuenta_sin_contribuyente_no_consulta_de_nuevo():
    personal = User.objects.create_user(username="analista", password="x" * 20, is_staff=True)
    with CaptureQueriesContext(connection) as consultas:
        usuario = UsuarioConContribuyente().get_user(personal.pk)
        assert usuario is not None
        assert getattr(usuario, "contribuyente", None) is None
    assert len(consultas) == 1
    assert _valores(usuario) == _valores(User.objects.get(pk=personal.pk))


def test_inactiva_desconocida_o_invalida_no_es_nadie(contribuyente):
    backend = UsuarioConContribuyente()
    User.objects.filter(pk=contribuyente.usuario_id).update(is_active=False)
    assert backend.get_user(contribuyente.usuario_id) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("no-es-un-id") is None


def test_la_sesion_se_lee_como_la_guarda_django():
    sesion = SessionStore()
    sesion["dato"] = "Señor Núñez"
    sesion.create()
    sesion.save()
    leida = SessionStore(sesion.session_key)
    assert leida.load() == {"dato": "Señor Núñez"}
    assert leida.session_key == sesion.session_key


def test_una_sesion_vencida_desconocida_o_alterada_queda_vacia():
    sesion = SessionStore()
    sesion["dato"] = 1
    sesion.create()
    sesion.save()
    Session.objects.filter(pk=sesion.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    vencida = SessionStore(sesion.session_key)
    assert vencida.load() == {}
    assert vencida.session_key is None  # a new one is made if the request writes

    assert SessionStore("x" * 32).load() == {}

    otra = SessionStore()
    otra["dato"] = 2
    otra.create()
    otra.save()
    Session.objects.filter(pk=otra.session_key).update(session_data="alterada:firma")
    assert SessionStore(otra.session_key).load() == {}
