"""The Django admin asks for the second factor itself (buzon.urls.SitioAdmin): an
``is_staff`` account signed in by its password alone, or whose session's device is gone
or is another account's, gets no admin page; only a session the staff sign-in finished
(password, then code) reaches it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from cuentas.middleware import CLASE_PERSONAL, SESSION_CLASE, iniciar
from tests.personas import dispositivo_totp, entrar_personal, sesion_verificada

pytestmark = pytest.mark.django_db

CLAVE = "clave-raiz-123"
# The admin's index, an app's index, a list and an add form: every page is behind one check.
PAGINAS = [
    "/admin/",
    "/admin/promociones/",
    "/admin/promociones/asunto/",
    "/admin/auth/user/add/",
]


@pytest.fixture
def raiz() -> User:
    return get_user_model().objects.create_superuser("raiz", "raiz@example.mx", CLAVE)


def sin_admin(cliente: Client) -> None:
    for pagina in PAGINAS:
        r = cliente.get(pagina)
        assert r.status_code == 302, pagina
        assert r["Location"].startswith("/admin/login/?next="), pagina
        # ... which is the staff sign-in, password and then code.
        assert cliente.get(r["Location"])["Location"].startswith("/atencion/acceso/?next=")


def con_admin(cliente: Client) -> None:
    for pagina in PAGINAS:
        assert cliente.get(pagina).status_code == 200, pagina


@pytest.mark.parametrize("clase", [None, CLASE_PERSONAL], ids=["sesion", "sesion-de-personal"])
def test_a_password_only_session_gets_no_admin_page(raiz: User, clase: str | None) -> None:
    cliente = Client()
    # Django's own login: the right password, no code; kept by the session limits as a
    # login marks it (cuentas.middleware.iniciar), of either kind.
    assert cliente.login(username="raiz", password=CLAVE)
    sesion = cliente.session
    iniciar(sesion, clase)
    sesion.save()
    assert cliente.get("/atencion/acceso/").wsgi_request.user == raiz
    assert DEVICE_ID_SESSION_KEY not in cliente.session
    sin_admin(cliente)


def test_a_session_through_both_steps_reaches_the_admin(raiz: User) -> None:
    cliente = Client()
    r = entrar_personal(cliente, raiz, CLAVE, siguiente="/admin/")
    assert (r.status_code, r["Location"]) == (302, "/admin/")
    con_admin(cliente)


def test_a_session_whose_device_was_removed_gets_no_admin_page(raiz: User) -> None:
    cliente = Client()
    entrar_personal(cliente, raiz, CLAVE)
    con_admin(cliente)
    dispositivo_totp(raiz).delete()
    sin_admin(cliente)


def test_a_staff_session_naming_another_accounts_device_gets_no_admin_page(raiz: User) -> None:
    otro = get_user_model().objects.create_user("otro", password=CLAVE)
    cliente = Client()
    cliente.force_login(raiz)
    sesion = cliente.session
    sesion_verificada(sesion, otro)  # the other account's confirmed device
    sesion.save()
    assert sesion[SESSION_CLASE] == CLASE_PERSONAL
    assert sesion[DEVICE_ID_SESSION_KEY] == dispositivo_totp(otro).persistent_id
    sin_admin(cliente)
