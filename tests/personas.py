"""The one set of test personas every app's tests share: a taxpayer, another taxpayer, an
analyst of the Emisiones area, an analyst of another area (ICSOE) and a supervisor.

The data are constants so a test reads who the people are (``CONTRIBUYENTE.rfc``) instead
of repeating an RFC or a name; the fixtures of the same names are registered for the whole
suite by the root conftest.py. The contract and e2e suites keep their own people: they
sign in with real e.firma certificates, whose subject decides the RFC and the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cuentas.models import Contribuyente

# The password every staff persona has, for tests that sign in through the login form.
CLAVE_PERSONAL = "clave-de-prueba-123"
# Staff sessions: ``sesion_verificada`` marks a force_login session as the two-step staff
# sign-in leaves it; ``entrar_personal`` goes through the real pages (password and TOTP).


@dataclass(frozen=True)
class Titular:
    """A taxpayer: its user's username is its RFC, as an e.firma login makes it."""

    rfc: str
    nombre: str

    @property
    def tipo(self) -> str:
        return tipo_por_rfc(self.rfc)

    @property
    def username(self) -> str:
        return self.rfc

    def crear(self) -> Contribuyente:
        return crear_contribuyente(self.rfc, self.nombre)


@dataclass(frozen=True)
class Personal:
    """A staff member: username and role (analista or supervisor) per area clave."""

    username: str
    roles: Mapping[str, str] = field(default_factory=dict)

    def crear(self) -> User:
        return crear_personal(self.username, self.roles)


CONTRIBUYENTE = Titular("PENM800101AB1", "MARÍA JOSÉ PEÑA NÚÑEZ")
OTRO_CONTRIBUYENTE = Titular("AAA010101AAA", "ACCEM SERVICIOS EMPRESARIALES SC")
# Area claves are the seeded catalogue's (promociones/migrations/0002_catalogo).
ANALISTA = Personal("analista", {"emisiones": "analista"})
ANALISTA_OTRA_AREA = Personal("analista_icsoe", {"icsoe": "analista"})
SUPERVISOR = Personal("supervisor", {"emisiones": "supervisor", "atencion-buzon": "supervisor"})


def tipo_por_rfc(rfc: str) -> str:
    """SAT's rule: a company's RFC has 12 characters, a person's 13."""
    return "moral" if len(rfc) == 12 else "fisica"


def sembrar_catalogo() -> None:
    # The data migration's own function: transactional tests flush the seeded rows.
    from django.apps import apps

    import_module("promociones.migrations.0002_catalogo").sembrar(apps, None)


def crear_contribuyente(rfc: str, nombre: str, tipo: str | None = None) -> Contribuyente:
    """A taxpayer and its user; ``tipo`` follows the RFC unless given."""
    from django.contrib.auth import get_user_model

    from cuentas.models import Contribuyente

    usuario = get_user_model().objects.create_user(username=rfc)
    return Contribuyente.objects.create(
        usuario=usuario, rfc=rfc, nombre=nombre, tipo=tipo or tipo_por_rfc(rfc)
    )


def crear_personal(username: str, roles: Mapping[str, str]) -> User:
    """A staff user with a role in each given area of the seeded catalogue."""
    from django.contrib.auth import get_user_model

    from atencion.models import Adscripcion, Area

    usuario = get_user_model().objects.create_user(
        username=username, password=CLAVE_PERSONAL, first_name=username.title()
    )
    for area, rol in roles.items():
        Adscripcion.objects.create(usuario=usuario, area=Area.objects.get(clave=area), rol=rol)
    return usuario


def dispositivo_totp(usuario: User) -> TOTPDevice:
    """``usuario``'s confirmed TOTP device, as enrolment leaves it; made on first use."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name="pruebas", confirmed=True)
    return dispositivo


def codigo_totp(dispositivo: TOTPDevice, pasos: int = 0) -> str:
    """A code of ``dispositivo``, as its authenticator app shows it now (``pasos`` time
    steps of 30 s away), computed with django-otp's own TOTP."""
    from django_otp.oath import totp

    valor = totp(
        dispositivo.bin_key,
        dispositivo.step,
        dispositivo.t0,
        dispositivo.digits,
        dispositivo.drift + pasos,
    )
    return f"{valor:0{dispositivo.digits}d}"


def codigo_nuevo(dispositivo: TOTPDevice) -> str:
    """A code the device accepts now: this time step's, or the next unused one when a
    sign-in within the same 30 seconds already used it (django-otp follows the app's
    drift by the step it accepted, so the next one is always in its window)."""
    import time

    dispositivo.refresh_from_db()
    ahora = (int(time.time()) - dispositivo.t0) // dispositivo.step + dispositivo.drift
    return codigo_totp(dispositivo, max(0, dispositivo.last_t + 1 - ahora))


def sesion_verificada(sesion: SessionBase, usuario: User) -> None:
    """Makes an authenticated session (``Client.force_login``, a SessionStore) a staff
    session that passed the second factor, exactly as the staff sign-in leaves it:
    ``atencion.segundo_factor.abrir_sesion`` with the user's device. Save it after."""
    from atencion.segundo_factor import abrir_sesion

    abrir_sesion(sesion, dispositivo_totp(usuario))


def entrar_personal(
    cliente: Client, usuario: User, contrasena: str = CLAVE_PERSONAL, siguiente: str = ""
) -> Any:
    """Signs ``usuario`` in through the real staff pages: password, then a TOTP code of
    its device (made first if it has none). Returns the code step's answer."""
    dispositivo = dispositivo_totp(usuario)
    ruta = "/atencion/acceso/" + (f"?next={siguiente}" if siguiente else "")
    r = cliente.post(ruta, {"username": usuario.get_username(), "password": contrasena})
    assert r.status_code == 302 and r["Location"] == "/atencion/acceso/codigo/", r
    return cliente.post("/atencion/acceso/codigo/", {"codigo": codigo_nuevo(dispositivo)})


@pytest.fixture
def catalogo(db: Any) -> None:
    sembrar_catalogo()


@pytest.fixture
def contribuyente(catalogo: None) -> Contribuyente:
    return CONTRIBUYENTE.crear()


@pytest.fixture
def otro_contribuyente(catalogo: None) -> Contribuyente:
    return OTRO_CONTRIBUYENTE.crear()


@pytest.fixture
def analista(catalogo: None) -> User:
    return ANALISTA.crear()


@pytest.fixture
def analista_otra_area(catalogo: None) -> User:
    return ANALISTA_OTRA_AREA.crear()


@pytest.fixture
def analista_otra(analista_otra_area: User) -> User:
    """The older name of analista_otra_area, still used by the atencion tests."""
    return analista_otra_area


@pytest.fixture
def supervisor(catalogo: None) -> User:
    return SUPERVISOR.crear()
