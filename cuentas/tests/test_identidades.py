"""Taxpayers and staff are different people even when the text is the same: an e.firma
never signs in as a staff account, staff failures never lock a taxpayer (nor the other
way round), and a deactivated taxpayer is refused like any refused credential."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from atencion.models import Adscripcion, Area
from cuentas.models import Contribuyente, IntentoAcceso, TokenApi
from cuentas.services import error_de_efirma
from cuentas.tests.conftest import Efirma, entrar_api, pedir_reto
from efirma.errores import ErrorEfirma

pytestmark = pytest.mark.django_db

CLAVE = "clave-de-prueba-123"


def personal_llamado(username: str) -> Any:
    usuario = get_user_model().objects.create_user(username=username, password=CLAVE)
    Adscripcion.objects.create(usuario=usuario, area=Area.objects.earliest("pk"), rol="analista")
    return usuario


def entrar_personal(username: str, contrasena: str, direccion: str) -> Any:
    c = Client(REMOTE_ADDR=direccion)
    return c.post("/atencion/acceso/", {"username": username, "password": contrasena})


def test_an_efirma_whose_rfc_is_a_staff_username_signs_in_as_a_taxpayer_only(fisica: Efirma):
    """Defect 3: the e.firma took the user whose username was the RFC."""
    personal = personal_llamado(fisica.rfc)
    roles = list(personal.adscripciones.values_list("area_id", "rol"))
    r = entrar_api(Client(), fisica)
    assert r.status_code == 201, r.content
    contribuyente = Contribuyente.objects.get(rfc=fisica.rfc)
    assert contribuyente.usuario_id != personal.pk
    assert TokenApi.objects.get().usuario_id == contribuyente.usuario_id
    personal.refresh_from_db()
    assert personal.check_password(CLAVE) and personal.is_active
    assert list(personal.adscripciones.values_list("area_id", "rol")) == roles
    assert not Contribuyente.objects.filter(usuario=personal).exists()
    # The page login's session is the taxpayer's: no staff page opens for it.
    pagina = Client()
    reto = pagina.post("/acceso/reto").json()
    datos = {
        "rfc": fisica.rfc,
        "certificado": _b64(fisica.der),
        "reto_id": reto["reto_id"],
        "firma": _b64(fisica.firmar(reto["reto"])),
    }
    assert pagina.post("/acceso/", datos, content_type="application/json").status_code == 200
    assert pagina.session["_auth_user_id"] == str(contribuyente.usuario_id)
    assert pagina.get("/atencion/").status_code == 403
    # And the staff member still signs in as herself.
    assert entrar_personal(fisica.rfc, CLAVE, "192.0.2.30").status_code == 302


def _b64(datos: bytes) -> str:
    import base64

    return base64.b64encode(datos).decode()


def test_staff_failures_under_a_taxpayers_rfc_do_not_lock_that_taxpayer(fisica: Efirma):
    personal_llamado(fisica.rfc)
    for _ in range(10):
        assert entrar_personal(fisica.rfc, "incorrecta", "192.0.2.31").status_code == 200
    assert entrar_personal(fisica.rfc, CLAVE, "192.0.2.31").status_code == 429
    # Same text, same address: the taxpayer is another identity and still gets in.
    assert entrar_api(Client(), fisica, REMOTE_ADDR="192.0.2.31").status_code == 201


def test_taxpayer_failures_under_a_staff_username_do_not_lock_that_staff_member(
    fisica: Efirma,
):
    personal_llamado(fisica.rfc)
    for _ in range(12):
        entrar_api(Client(), fisica, firma=b"x" * 256, REMOTE_ADDR="192.0.2.32")
    r = entrar_api(Client(), fisica, REMOTE_ADDR="192.0.2.32")
    assert r.status_code == 429
    assert entrar_personal(fisica.rfc, CLAVE, "192.0.2.32").status_code == 302


def test_a_deactivated_taxpayer_is_refused_like_a_revoked_certificate_and_audited(
    fisica: Efirma,
):
    """Defect 4: it got 201 and a token for a user Django would not let in."""
    assert entrar_api(Client(), fisica).status_code == 201
    usuario = Contribuyente.objects.get(rfc=fisica.rfc).usuario
    usuario.is_active = False
    usuario.save()
    tokens = TokenApi.objects.count()
    r = entrar_api(Client(), fisica, REMOTE_ADDR="192.0.2.33")
    revocado = error_de_efirma(ErrorEfirma("certificado_revocado"))
    assert r.status_code == revocado.status == 400
    assert r.json() == {"codigo": "certificado_revocado", "mensaje": revocado.mensaje}
    assert TokenApi.objects.count() == tokens
    fila = IntentoAcceso.objects.order_by("pk").last()
    assert fila is not None
    assert (fila.resultado, fila.exitoso, fila.direccion) == (
        "cuenta_desactivada",
        False,
        "192.0.2.33",
    )
    usuario.refresh_from_db()
    assert not usuario.is_active


def test_the_challenge_endpoint_is_limited_per_address(settings: Any):
    """Defect 2: one client could write ~190 challenge rows a second."""
    from cuentas.models import Reto

    settings.RETO_MAX_POR_DIRECCION = 5
    for _ in range(5):
        pedir_reto(Client(), REMOTE_ADDR="192.0.2.40")
    r = Client(REMOTE_ADDR="192.0.2.40").post("/api/v1/sesion/reto")
    assert r.status_code == 429
    assert r.json()["codigo"] == "demasiados_intentos"
    assert "retos de seguridad desde tu conexión" in r.json()["mensaje"]
    pagina = Client(REMOTE_ADDR="192.0.2.40").post("/acceso/reto")
    assert (pagina.status_code, pagina.json()["codigo"]) == (429, "demasiados_intentos")
    assert Reto.objects.count() == 5
    assert Client(REMOTE_ADDR="192.0.2.41").post("/api/v1/sesion/reto").status_code == 201


def test_the_data_migration_gives_a_hijacked_taxpayer_its_own_user(fisica: Efirma):
    usuarios = get_user_model().objects
    personal = personal_llamado("PEÑJ800101LM6")
    robado = Contribuyente.objects.create(
        usuario=personal, rfc="PEÑJ800101LM6", nombre="X", tipo="fisica"
    )
    token = TokenApi.objects.create(
        usuario=personal,
        clave_sha256="a" * 64,
        tipo="sesion",
        creado=timezone.now(),
        ultimo_uso=timezone.now(),
    )
    comun = usuarios.create_user(username="GOAL750620QR8", password=None)
    propio = Contribuyente.objects.create(
        usuario=comun, rfc="GOAL750620QR8", nombre="Y", tipo="fisica"
    )
    import_module("cuentas.migrations.0003_usuarios_de_contribuyentes").separar(apps, None)
    robado.refresh_from_db()
    assert robado.usuario_id != personal.pk
    assert robado.usuario.username == "efirma:PEÑJ800101LM6"
    assert not robado.usuario.has_usable_password()
    personal.refresh_from_db()
    assert personal.username == "PEÑJ800101LM6" and personal.check_password(CLAVE)
    token.refresh_from_db()
    assert token.revocado is not None
    propio.refresh_from_db()
    assert propio.usuario_id == comun.pk and propio.usuario.username == "efirma:GOAL750620QR8"
    # The taxpayer's next login lands on its own user.
    assert entrar_api(Client(), fisica).status_code == 201
    assert TokenApi.objects.filter(revocado__isnull=True).get().usuario_id == robado.usuario_id
