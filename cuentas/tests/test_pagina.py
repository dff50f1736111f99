"""The login page's server side: form, session-bound reto, login, limits, logout; commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from atencion.models import Adscripcion, Area
from cuentas.middleware import SESSION_INICIO
from cuentas.models import IntentoAcceso, TokenApi
from cuentas.tests.conftest import Efirma, b64, post_json
from efirma.certificados import leer_certificado
from efirma.llaves import leer_llave_privada

pytestmark = pytest.mark.django_db


def entrar_pagina(
    c: Client, efirma: Efirma, rfc: str | None = None, firma: bytes | None = None, **extra: Any
) -> Any:
    reto = c.post("/acceso/reto", **extra)
    assert reto.status_code == 201, reto.content
    datos = reto.json()
    return post_json(
        c,
        "/acceso/",
        {
            "rfc": rfc or efirma.rfc,
            "certificado": b64(efirma.der),
            "reto_id": datos["reto_id"],
            "firma": b64(efirma.firmar(datos["reto"]) if firma is None else firma),
        },
        **extra,
    )


def test_the_page_asks_exactly_the_guides_fields():
    html = Client().get("/acceso/").content.decode()
    for texto in (
        ">RFC<",
        "Certificado (.cer)",
        "Llave privada (.key)",
        "Contraseña de la llave privada",
        ">Validar</button>",
        "<noscript>",
        "se necesita JavaScript",
        "vendor/node-forge/forge.min.js",
        "cuentas/acceso.js",
    ):
        assert texto in html
    # Neither the key nor the password can be posted by the browser itself.
    assert 'name="llave"' not in html and 'name="contrasena"' not in html
    assert "<script>" not in html  # no inline script: CSP is script-src 'self'


def test_the_scripts_are_served_as_static_files(client: Client):
    # WhiteNoise serves static files through the finders while not in production.
    for url in ("/static/cuentas/acceso.js", "/static/vendor/node-forge/forge.min.js"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert b"".join(r.streaming_content if r.streaming else [r.content])  # type: ignore[attr-defined]


def test_login_through_the_page_with_csrf_rotates_the_session_and_shows_the_name(
    fisica: Efirma,
):
    c = Client(enforce_csrf_checks=True)
    c.get("/acceso/")
    csrf = c.cookies["csrftoken"].value
    assert c.post("/acceso/reto").status_code == 403  # no CSRF token, no reto
    antes = c.session.session_key
    r = entrar_pagina(c, fisica, HTTP_X_CSRFTOKEN=csrf)
    assert r.status_code == 200, r.content
    assert r.json()["redirigir"] == "/tablero/"
    assert c.session.session_key != antes
    assert abs(c.session[SESSION_INICIO] - time.time()) < 5
    html = c.get("/tablero/").content.decode()
    assert "MARÍA JOSÉ PEÑA NÚÑEZ" in html
    fila = IntentoAcceso.objects.get()
    assert (fila.canal, fila.resultado) == ("web", "ok")
    assert not TokenApi.objects.exists()


def test_a_page_reto_does_not_work_from_another_browser_session(fisica: Efirma):
    a, b = Client(), Client()
    datos = a.post("/acceso/reto").json()
    b.post("/acceso/reto")  # b has its own binding, but not a's reto
    cuerpo = {
        "rfc": fisica.rfc,
        "certificado": b64(fisica.der),
        "reto_id": datos["reto_id"],
        "firma": b64(fisica.firmar(datos["reto"])),
    }
    r = post_json(b, "/acceso/", cuerpo)
    assert (r.status_code, r.json()["codigo"]) == (400, "reto_invalido")
    # Nor from the API, and a fresh browser with no binding at all.
    assert post_json(Client(), "/api/v1/sesion", cuerpo).json()["codigo"] == "reto_invalido"
    assert post_json(Client(), "/acceso/", cuerpo).json()["codigo"] == "reto_invalido"


def test_an_api_reto_does_not_work_on_the_page(client: Client, fisica: Efirma):
    client.post("/acceso/reto")
    datos = client.post("/api/v1/sesion/reto").json()
    r = post_json(
        client,
        "/acceso/",
        {
            "rfc": fisica.rfc,
            "certificado": b64(fisica.der),
            "reto_id": datos["reto_id"],
            "firma": b64(fisica.firmar(datos["reto"])),
        },
    )
    assert r.json()["codigo"] == "reto_invalido"


def test_page_errors_carry_the_field_for_the_message(client: Client, moral: Efirma):
    r = entrar_pagina(client, moral, rfc="GOAL750620QR8")
    assert r.status_code == 400
    datos = r.json()
    assert datos["codigo"] == "rfc_no_coincide"
    assert datos["campo"] == "rfc"
    assert "representante" in datos["mensaje"]
    assert "_auth_user_id" not in client.session


def test_page_is_rate_limited_too(client: Client, fisica: Efirma, settings: Any):
    settings.ACCESO_MAX_FALLOS = 2
    for _ in range(2):
        entrar_pagina(client, fisica, firma=b"x" * 256)
    r = entrar_pagina(client, fisica)
    assert (r.status_code, r.json()["codigo"]) == (429, "demasiados_intentos")
    assert "Espera 15 minutos" in r.json()["mensaje"]


def test_next_is_followed_only_within_the_site(client: Client, fisica: Efirma):
    client.post("/acceso/reto")
    for siguiente, destino in (("/soporte/", "/soporte/"), ("https://malo.example/", "/tablero/")):
        c = Client()
        datos = c.post("/acceso/reto").json()
        r = post_json(
            c,
            "/acceso/",
            {
                "rfc": fisica.rfc,
                "certificado": b64(fisica.der),
                "reto_id": datos["reto_id"],
                "firma": b64(fisica.firmar(datos["reto"])),
                "siguiente": siguiente,
            },
        )
        assert r.json()["redirigir"] == destino


def test_logout_ends_the_session(client: Client, fisica: Efirma):
    entrar_pagina(client, fisica)
    assert client.get("/tablero/").status_code == 200
    assert client.get("/salir/").status_code == 405
    r = client.post("/salir/")
    assert r.status_code == 302 and r["Location"] == "/acceso/"
    assert client.get("/tablero/").status_code == 302


def test_session_ends_after_15_idle_minutes(
    client: Client, fisica: Efirma, monkeypatch: pytest.MonkeyPatch
):
    entrar_pagina(client, fisica)
    inicio = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(minutes=14))
    assert client.get("/tablero/").status_code == 200
    # Activity renewed the session: 14 more minutes are still fine.
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(minutes=28))
    assert client.get("/tablero/").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(minutes=43, seconds=1))
    r = client.get("/tablero/")
    assert r.status_code == 302 and r["Location"].startswith("/acceso/")


def test_activity_renews_the_session_at_most_once_a_minute(
    client: Client, fisica: Efirma, monkeypatch: pytest.MonkeyPatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def escrituras() -> int:
        with CaptureQueriesContext(connection) as capturadas:
            assert client.get("/tablero/").status_code == 200
        return sum('UPDATE "cuentas_sesion"' in q["sql"] for q in capturadas)

    entrar_pagina(client, fisica)
    inicio = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(seconds=5))
    assert escrituras() == 1
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(seconds=50))
    assert escrituras() == 0
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(seconds=66))
    assert escrituras() == 1
    monkeypatch.setattr(timezone, "now", lambda: inicio + timedelta(seconds=70))
    assert escrituras() == 0


def test_session_ends_8_hours_after_login_however_active(client: Client, fisica: Efirma):
    entrar_pagina(client, fisica)
    sesion = client.session
    sesion[SESSION_INICIO] = time.time() - 8 * 3600 + 60
    sesion.save()
    assert client.get("/tablero/").status_code == 200
    sesion = client.session
    sesion[SESSION_INICIO] = time.time() - 8 * 3600 - 1
    sesion.save()
    assert client.get("/tablero/").status_code == 302


def test_token_personal_prints_a_working_token_for_staff_only(django_user_model: Any):
    from tests.personas import sembrar_catalogo

    sembrar_catalogo()
    analista = django_user_model.objects.create_user("ana", password="x-Segura-1")
    Adscripcion.objects.create(
        usuario=analista,
        area=Area.objects.get(clave="atencion-buzon"),
        rol=Adscripcion.Rol.ANALISTA,
    )
    salida = StringIO()
    call_command("token_personal", "ana", stdout=salida)
    token = salida.getvalue().strip().splitlines()[-1]
    assert TokenApi.objects.get().clave_sha256 == TokenApi.hash_de(token)
    assert TokenApi.objects.get().tipo == "personal"
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/atencion/solicitudes")
    assert r.status_code == 200
    django_user_model.objects.create_user("PEÑJ800101LM6")
    with pytest.raises(CommandError, match="no es de personal"):
        call_command("token_personal", "PEÑJ800101LM6", stdout=StringIO())
    with pytest.raises(CommandError, match="No existe"):
        call_command("token_personal", "nadie", stdout=StringIO())


def test_demo_makes_usable_efirmas_and_staff_and_rerunning_keeps_them(
    settings: Any, tmp_path: Path, django_user_model: Any, emitir: Callable[..., Efirma]
):
    from tests.personas import sembrar_catalogo

    sembrar_catalogo()
    settings.DATA_DIR = tmp_path
    settings.EFIRMA_CA_DIR = tmp_path / "demo" / "ca"
    primera = StringIO()
    call_command("demo", stdout=primera)
    carpeta = tmp_path / "demo" / "efirma"
    archivos = {p.name: p.read_bytes() for p in carpeta.iterdir()}
    contrasena = (carpeta / "contrasena.txt").read_text().strip()
    assert contrasena in primera.getvalue()
    segunda = StringIO()
    call_command("demo", stdout=segunda)
    assert {p.name: p.read_bytes() for p in carpeta.iterdir()} == archivos
    assert segunda.getvalue() == primera.getvalue()

    fisica = leer_certificado((carpeta / "fisica.cer").read_bytes())
    assert fisica.nombre == "MARÍA JOSÉ PEÑA NÚÑEZ" and fisica.es_efirma
    assert not leer_certificado((carpeta / "csd.cer").read_bytes()).es_efirma
    moral = leer_certificado((carpeta / "moral.cer").read_bytes())
    assert moral.tipo == "moral" and moral.rfc_representante
    llave = leer_llave_privada((carpeta / "fisica.key").read_bytes(), contrasena)
    r = entrar_pagina(Client(), Efirma(fisica.der, llave, fisica.rfc))
    assert r.status_code == 200, r.content

    supervisor = django_user_model.objects.get(username="supervisor")
    assert supervisor.adscripciones.count() == Area.objects.count() > 0
    assert set(supervisor.adscripciones.values_list("rol", flat=True)) == {"supervisor"}
    analista = django_user_model.objects.get(username="analista")
    assert list(analista.adscripciones.values_list("area__clave", "rol")) == [
        ("atencion-buzon", "analista")
    ]
    admin = django_user_model.objects.get(username="administrador")
    assert admin.is_superuser and admin.is_staff
    clave = (tmp_path / "demo" / "personal" / "supervisor.txt").read_text().strip()
    assert supervisor.check_password(clave) and f"supervisor / {clave}" in primera.getvalue()


@pytest.mark.parametrize(
    ("caso", "codigo", "campo"),
    [
        ("vencido", "certificado_vencido", "certificado"),
        ("ajeno", "certificado_no_confiable", "certificado"),
        ("csd", "no_es_efirma", "certificado"),
        ("otra_llave", "firma_invalida", "llave"),
        ("rfc_invalido", "rfc_invalido", "rfc"),
    ],
)
def test_page_answers_each_certificate_problem_with_its_field(
    client: Client,
    emitir: Callable[..., Efirma],
    ca_ajena: Any,
    moral: Efirma,
    caso: str,
    codigo: str,
    campo: str,
):
    kw: dict[str, Any] = {"rfc": "PEÑJ800101LM6", "nombre": "MARÍA JOSÉ PEÑA NÚÑEZ"}
    ahora = timezone.now()
    if caso == "vencido":
        kw |= {"valido_desde": ahora - timedelta(days=900), "valido_hasta": ahora - timedelta(1)}
    elif caso == "ajeno":
        kw["emisor"] = ca_ajena
    elif caso == "csd":
        kw["csd"] = True
    efirma = emitir(**kw)
    if caso == "otra_llave":
        efirma = Efirma(efirma.der, moral.llave, efirma.rfc)
    r = entrar_pagina(client, efirma, rfc="PEÑJ-80" if caso == "rfc_invalido" else None)
    assert r.status_code == 400
    assert (r.json()["codigo"], r.json()["campo"]) == (codigo, campo)
    assert "_auth_user_id" not in client.session
    fila = IntentoAcceso.objects.get()
    assert (fila.canal, fila.resultado, fila.exitoso) == ("web", codigo, False)


def test_a_bad_reto_and_a_refused_attempt_are_audited_too(
    client: Client, fisica: Efirma, settings: Any
):
    client.post("/acceso/reto")
    post_json(
        client,
        "/acceso/",
        {"rfc": fisica.rfc, "certificado": b64(fisica.der), "reto_id": "x", "firma": b64(b"x")},
        REMOTE_ADDR="192.0.2.1",
    )
    settings.ACCESO_MAX_FALLOS = 1
    entrar_pagina(client, fisica, REMOTE_ADDR="192.0.2.1")
    filas = list(IntentoAcceso.objects.order_by("pk").values_list("resultado", "direccion"))
    assert filas == [("reto_invalido", "192.0.2.1"), ("demasiados_intentos", "192.0.2.1")]
    assert IntentoAcceso.objects.first().numero_certificado  # type: ignore[union-attr]
