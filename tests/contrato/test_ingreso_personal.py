"""CONTRACT.md, "Staff sign-in (pages)": ``/atencion/acceso/`` asks for user and password,
then for a TOTP code; no staff page answers before both are right. Driven as an outsider:
the demo's printed password and otpauth:// URI, and HTTP."""

from __future__ import annotations

from django.test import Client

from tests.contrato.conftest import CuentaPersonal, codigo_totp, entrar_personal

PAGINAS = ("/atencion/", "/atencion/avisos/", "/atencion/codigos-de-recuperacion/")


def _fuera(c: Client) -> None:
    for pagina in PAGINAS:
        r = c.get(pagina)
        assert r.status_code == 302, pagina
        assert r["Location"].startswith("/atencion/acceso/"), pagina


def test_no_staff_page_answers_the_password_alone(personal_demo: dict[str, CuentaPersonal]):
    cuenta = personal_demo["supervisor"]
    c = Client()
    r = c.get("/atencion/acceso/")
    assert r.status_code == 200 and "Contraseña" in r.content.decode()
    r = c.post("/atencion/acceso/", {"username": cuenta.username, "password": cuenta.contrasena})
    assert r.status_code == 302
    assert r["Location"] == "/atencion/acceso/codigo/"
    _fuera(c)
    r = c.get(r["Location"])
    assert r.status_code == 200 and "código" in r.content.decode().lower()


def test_a_wrong_code_opens_nothing_and_the_apps_code_does(
    personal_demo: dict[str, CuentaPersonal],
):
    cuenta = personal_demo["analista"]
    c = Client()
    c.post("/atencion/acceso/", {"username": cuenta.username, "password": cuenta.contrasena})
    bueno = codigo_totp(cuenta.uri)
    r = c.post("/atencion/acceso/codigo/", {"codigo": f"{(int(bueno) + 1) % 10**6:06d}"})
    assert r.status_code == 200
    _fuera(c)
    otro = Client()
    r = entrar_personal(otro, cuenta, siguiente="/atencion/avisos/")
    assert r.status_code == 302 and r["Location"] == "/atencion/avisos/"
    assert otro.get("/atencion/avisos/").status_code == 200


def test_a_staff_page_session_is_no_api_credential(personal_demo: dict[str, CuentaPersonal]):
    """API tokens come only from ``token_personal``: the signed-in browser gets 401."""
    c = Client()
    assert entrar_personal(c, personal_demo["supervisor"]).status_code == 302
    r = c.get("/api/v1/atencion/solicitudes")
    assert r.status_code == 401
    assert r.json()["codigo"] == "no_autenticado"
