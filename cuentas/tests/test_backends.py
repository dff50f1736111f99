"""The session read (cuentas.sesiones) and the backend give exactly what Django's ORM would.

cuentas.sesiones replaces two ORM lookups made on every signed-in request with one
joined query; these tests hold it to the ORM's answers (values, types, cached relations,
refusals) on whichever database the suite runs.
"""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cuentas.backends import UsuarioConContribuyente
from cuentas.middleware import SESSION_INICIO
from cuentas.models import Contribuyente, Sesion, TipoPersona
from cuentas.sesiones import SessionStore, sesion_en_curso

pytestmark = pytest.mark.django_db


def sesion_de(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time()  # the login view's mark, for session_limits
    sesion.save()
    return cliente


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
    Sesion.objects.filter(pk=sesion.session_key).update(
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
    Sesion.objects.filter(pk=otra.session_key).update(session_data="alterada:firma")
    assert SessionStore(otra.session_key).load() == {}


def test_la_sesion_guarda_a_su_usuario_y_lo_trae_en_la_misma_consulta(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    fila = Sesion.objects.get(pk=cliente.session.session_key)
    assert fila.usuario_id == contribuyente.usuario_id

    leida = SessionStore(fila.pk)
    with CaptureQueriesContext(connection) as consultas:
        datos = leida.load()
    assert len(consultas) == 1
    assert datos["_auth_user_id"] == str(contribuyente.usuario_id)
    precargado = leida.usuario_precargado
    assert precargado is not None
    assert _valores(precargado) == _valores(User.objects.get(pk=contribuyente.usuario_id))
    assert _valores(precargado.contribuyente) == _valores(contribuyente)

    # A signed-in page: one query for session, user and taxpayer, then the page's own
    # (the support page has none). The first request renews the session; not the next.
    cliente.get("/soporte/")
    with CaptureQueriesContext(connection) as consultas:
        r = cliente.get("/soporte/")
    assert r.status_code == 200
    assert "María Begoña Núñez &amp; Peña" in r.content.decode()
    assert len(consultas) == 1, [q["sql"] for q in consultas]
    assert sesion_en_curso.get() is None  # nothing stays behind for the next request


def test_la_columna_no_decide_quien_es_el_usuario(contribuyente):
    """The signed session data names the user; a column changed behind Django's back
    (another account's id) makes the backend read the right user, never the column's."""
    intruso = User.objects.create_user(username="otro", password=None)
    cliente = sesion_de(contribuyente.usuario)
    Sesion.objects.filter(pk=cliente.session.session_key).update(usuario=intruso)
    r = cliente.get("/soporte/")
    assert r.status_code == 200
    assert r.wsgi_request.user.pk == contribuyente.usuario_id
    assert "María Begoña Núñez" in r.content.decode()


def test_salir_o_borrar_la_cuenta_cierra_sus_sesiones(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    otro = sesion_de(contribuyente.usuario)
    assert Sesion.objects.filter(usuario=contribuyente.usuario).count() == 2
    cliente.post("/salir/")
    assert Sesion.objects.filter(usuario=contribuyente.usuario).count() == 1
    assert otro.get("/tablero/").status_code == 200

    # A staff account (a taxpayer's user is protected by its Contribuyente) deleted by an
    # administrator takes its sessions with it.
    personal = User.objects.create_user(username="analista", password="x" * 20, is_staff=True)
    sesion_de(personal)
    assert Sesion.objects.filter(usuario=personal).count() == 1
    personal.delete()
    assert not Sesion.objects.filter(usuario_id=personal.pk).exists()


def test_una_sesion_anonima_no_tiene_usuario():
    sesion = SessionStore()
    sesion["dato"] = "x"
    sesion.create()
    sesion.save()
    assert Sesion.objects.get(pk=sesion.session_key).usuario_id is None
    leida = SessionStore(sesion.session_key)
    assert leida.load() == {"dato": "x"}
    assert leida.usuario_precargado is None


def test_una_sesion_se_guarda_aunque_su_usuario_ya_no_exista():
    """The column has no constraint: with one, Django's create() would take the failure
    for a key collision and retry forever (the test case checks constraints at its end)."""
    sesion = SessionStore()
    sesion[SESSION_KEY] = "999999"
    sesion.create()
    assert Sesion.objects.get(pk=sesion.session_key).usuario_id == 999999
    leida = SessionStore(sesion.session_key)
    assert leida.load()[SESSION_KEY] == "999999"
    assert leida.usuario_precargado is None
    assert UsuarioConContribuyente().get_user("999999") is None


def test_una_sesion_nunca_se_muestra_con_su_llave(contribuyente):
    cliente = sesion_de(contribuyente.usuario)
    fila = Sesion.objects.get(pk=cliente.session.session_key)
    texto = str(fila)
    assert fila.session_key not in texto
    assert texto.startswith(f"Sesión del usuario {contribuyente.usuario_id} hasta ")


def test_guardar_desde_codigo_asincrono_tambien_anota_al_usuario(contribuyente):
    from asgiref.sync import async_to_sync

    sesion = SessionStore()
    sesion[SESSION_KEY] = str(contribuyente.usuario_id)
    async_to_sync(sesion.acreate)()
    assert Sesion.objects.get(pk=sesion.session_key).usuario_id == contribuyente.usuario_id


def test_el_modelo_descifra_con_el_motor_configurado():
    sesion = SessionStore()
    sesion["dato"] = "Señor Núñez"
    sesion.create()
    assert Sesion.get_session_store_class() is SessionStore
    assert Sesion.objects.get(pk=sesion.session_key).get_decoded() == {"dato": "Señor Núñez"}


def test_el_token_trae_a_su_usuario_y_contribuyente_en_una_consulta(contribuyente):
    from django.test import RequestFactory

    from cuentas.autenticacion import crear_token_sesion, revocar_token, token_del_request
    from cuentas.models import TokenApi

    clave = crear_token_sesion(contribuyente.usuario)
    peticion = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {clave}")
    with CaptureQueriesContext(connection) as consultas:
        token = token_del_request(peticion)
        assert token is not None
        assert token.usuario.pk == contribuyente.usuario_id
        assert token.usuario.contribuyente.rfc == contribuyente.rfc
    assert len(consultas) == 1
    assert token == TokenApi.objects.get(clave_sha256=TokenApi.hash_de(clave))
    assert token.expira == TokenApi.objects.get(pk=token.pk).expira  # the ORM's own values
    # A staff account's token: its missing taxpayer is known without another query.
    personal = User.objects.create_user("personal_token", password="x")
    de_personal = RequestFactory().get(
        "/", HTTP_AUTHORIZATION=f"Bearer {crear_token_sesion(personal)}"
    )
    with CaptureQueriesContext(connection) as consultas:
        token_personal = token_del_request(de_personal)
        assert token_personal is not None
        assert getattr(token_personal.usuario, "contribuyente", None) is None
    assert len(consultas) == 1
    revocar_token(token)
    assert token_del_request(peticion) is None
    personal.is_active = False
    personal.save()
    assert token_del_request(de_personal) is None
