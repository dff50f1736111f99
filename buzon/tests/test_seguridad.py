"""The service's security properties, each proved by a test that fails if it regresses.

Access is checked against a table of every URL in the project (walked from the
resolver): a URL added without saying who may reach it fails
``test_every_url_declares_who_may_reach_it``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

from atencion import services as atencion_services
from atencion.tests.conftest import api_de, pdf_subido, presentar, sesion_de
from buzon.tests.ayudas import manage_en_produccion
from cuentas.middleware import SESSION_INICIO
from cuentas.models import IntentoAcceso, Sesion, TokenApi
from limites.models import Marca
from promociones.consultas import olvidar_asuntos
from promociones.models import ConsultaInstitucional, Evento, Solicitud
from promociones.tests.conftest import (
    iniciar_sesion,
    token_para,
    zip_subido,
)
from tests.personas import (
    ANALISTA,
    ANALISTA_OTRA_AREA,
    CLAVE_PERSONAL,
    CONTRIBUYENTE,
    OTRO_CONTRIBUYENTE,
    SUPERVISOR,
    crear_personal,
    entrar_personal,
    sembrar_catalogo,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# Who may reach each named URL. "publico": anyone; "contribuyente": a taxpayer's
# browser session; "contribuyente_api": a taxpayer's bearer token; "personal": a staff
# session; "personal_api": a staff bearer token. The Django admin (admin:*) is its own
# class, checked separately.
ACCESO = {
    "inicio": "publico",
    "soporte": "publico",
    "acceso_admin": "publico",
    "cuentas:login": "publico",
    "cuentas:reto": "publico",
    "cuentas:logout": "publico",
    "cuentas:api_reto": "publico",
    "cuentas:api_sesion": "publico",
    "promociones:api_catalogo": "publico",
    "promociones:api_openapi": "publico",
    "acuses:verificar_archivo": "publico",
    "acuses:verificar": "publico",
    "acuses:api_verificar": "publico",
    "atencion:acceso": "publico",
    # The sign-in's second step and enrolment: only after a right password (pending in
    # the session), anyone else is sent back to the password.
    "atencion:acceso_codigo": "publico",
    "atencion:acceso_alta": "publico",
    # The gateway's signed delivery receipts: the HMAC is the credential.
    "avisos:api_entregas": "publico",
    # For load balancers (no login, no session); the metrics need their own bearer token
    # (BUZON_METRICAS_TOKEN) and without one configured the route answers 404.
    "operacion:salud": "publico",
    "operacion:salud_lista": "publico",
    "operacion:metricas": "publico",
    "promociones:tablero": "contribuyente",
    "promociones:servicio": "contribuyente",
    "promociones:nueva": "contribuyente",
    "promociones:borrador": "contribuyente",
    "cuentas:renovar_sesion": "contribuyente",
    "promociones:detalle": "contribuyente",
    "promociones:registrada": "contribuyente",
    "promociones:evidencia": "contribuyente",
    "promociones:respuesta": "contribuyente",
    "promociones:acuse": "contribuyente",
    "promociones:api_solicitudes": "contribuyente_api",
    "promociones:api_solicitud": "contribuyente_api",
    "promociones:api_evidencia": "contribuyente_api",
    "promociones:api_respuesta_documento": "contribuyente_api",
    "promociones:api_acuse": "contribuyente_api",
    "atencion:lista": "personal",
    "atencion:exportar": "personal",
    "atencion:asignacion_masiva": "personal",
    "atencion:detalle": "personal",
    "atencion:prorroga": "personal",
    "atencion:canalizacion": "personal",
    "atencion:respuesta": "personal",
    "atencion:nota": "personal",
    "atencion:asignacion": "personal",
    "atencion:evidencia": "personal",
    "atencion:documento": "personal",
    "atencion:acuse": "personal",
    "atencion:api_solicitudes": "personal_api",
    "atencion:api_solicitudes_csv": "personal_api",
    "atencion:api_prorroga": "personal_api",
    "atencion:api_canalizacion": "personal_api",
    "atencion:api_respuesta": "personal_api",
    "atencion:api_asignacion": "personal_api",
    "atencion:api_avisos": "personal_api",
    "atencion:api_detalle": "personal_api",
    "atencion:avisos": "personal",
    "atencion:reintentar_aviso": "personal",
    "atencion:codigos_recuperacion": "personal",
    "atencion:supervision": "personal",
    "atencion:api_indicadores": "personal_api",
    "contacto:medios": "contribuyente",
    "contacto:telefono": "contribuyente",
    "contacto:confirmar_telefono": "contribuyente",
    "contacto:correo": "contribuyente",
    "contacto:confirmar_correo": "contribuyente",
    "contacto:reenviar": "contribuyente",
    "contacto:quitar": "contribuyente",
    "contacto:recordatorio": "contribuyente",
    "contacto:posponer": "contribuyente",
    "contacto:api_medios": "contribuyente_api",
    "contacto:api_telefono": "contribuyente_api",
    "contacto:api_confirmar_telefono": "contribuyente_api",
    "contacto:api_correos": "contribuyente_api",
    "contacto:api_confirmar_correo": "contribuyente_api",
    "contacto:api_correo": "contribuyente_api",
}

# URLs whose views change state: reached with POST, everything else with GET.
POST = {
    "promociones:borrador",
    "cuentas:renovar_sesion",
    "atencion:asignacion_masiva",
    "atencion:prorroga",
    "atencion:canalizacion",
    "atencion:respuesta",
    "atencion:nota",
    "atencion:asignacion",
    "atencion:api_prorroga",
    "atencion:api_canalizacion",
    "atencion:api_respuesta",
    "atencion:api_asignacion",
    "atencion:reintentar_aviso",
    "contacto:telefono",
    "contacto:confirmar_telefono",
    "contacto:correo",
    "contacto:confirmar_correo",
    "contacto:reenviar",
    "contacto:quitar",
    "contacto:posponer",
    "contacto:api_confirmar_telefono",
    "contacto:api_correos",
    "contacto:api_confirmar_correo",
}

# The test client's response (django-stubs types it as a private class).
Respuesta = Any

# Values for the URL parameters other than the folio.
PARAMETROS = {
    "servicio": "aclaracion",
    "tipo": "recepcion",
    "codigo": "ABCDEFGH",
    "medio_id": "1",
    "aviso_id": "1",
    "direccion": "nadie@dominio.mx",
}


def _rutas(patrones: list[Any], prefijo: str = "", espacio: str = "") -> list[tuple[str, str]]:
    """(qualified name, route) of every named pattern reachable from ``patrones``."""
    rutas = []
    for p in patrones:
        if isinstance(p, URLResolver):
            ns = f"{espacio}{p.namespace}:" if p.namespace else espacio
            rutas += _rutas(p.url_patterns, prefijo + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            rutas.append((f"{espacio}{p.name or ''}", prefijo + str(p.pattern)))
    return rutas


def todas_las_rutas() -> list[tuple[str, str]]:
    return _rutas(get_resolver().url_patterns)


def url(nombre: str, folio: str | None = None) -> str:
    ruta = dict(todas_las_rutas())[nombre]
    kwargs = {k: v for k, v in PARAMETROS.items() if f"<slug:{k}>" in ruta or f"<{k}>" in ruta}
    if "folio>" in ruta:
        assert folio is not None
        kwargs["folio"] = folio
    return reverse(nombre, kwargs=kwargs)


def con_folio(clase: str) -> list[str]:
    rutas = dict(todas_las_rutas())
    return sorted(n for n, c in ACCESO.items() if c == clase and "folio>" in rutas[n])


def pedir(cliente: Client, nombre: str, folio: str | None = None) -> Respuesta:
    direccion = url(nombre, folio)
    if nombre in POST:
        return cliente.post(direccion, {})
    return cliente.get(direccion)


def cuerpo(respuesta: Respuesta) -> bytes:
    """The whole body, streamed or not."""
    if respuesta.streaming:
        return b"".join(respuesta.streaming_content)
    return bytes(respuesta.content)


@dataclass
class Escenario:
    solicitud: Solicitud
    desconocido: str
    contribuyente: Any
    otro: Any
    analista: Any
    analista_otra: Any
    supervisor: Any


@pytest.fixture(autouse=True)
def almacen_temporal(settings, tmp_path):
    olvidar_asuntos()
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.AVISOS_EN_PROCESO = False
    return carpeta


@pytest.fixture
def escenario(db) -> Escenario:
    """A taxpayer's request in the area «emisiones», answered with a PDF (so every
    download exists for its owner), another taxpayer, and staff in and out of the area."""
    sembrar_catalogo()
    contribuyente = CONTRIBUYENTE.crear()
    otro = OTRO_CONTRIBUYENTE.crear()
    analista = ANALISTA.crear()
    analista_otra = ANALISTA_OTRA_AREA.crear()
    # Supervisor of «emisiones» only: no role in the other areas this scenario checks.
    supervisor = crear_personal(SUPERVISOR.username, {"emisiones": "supervisor"})
    solicitud = presentar(contribuyente)
    atencion_services.responder(
        solicitud=solicitud, actor=analista, texto="Pago aplicado.", documento=pdf_subido()
    )
    # A folio of the same shape that names no request.
    desconocido = solicitud.folio[:-1] + ("1" if solicitud.folio[-1] != "1" else "2")
    assert not Solicitud.objects.filter(folio=desconocido).exists()
    return Escenario(
        Solicitud.objects.get(pk=solicitud.pk),
        desconocido,
        contribuyente,
        otro,
        analista,
        analista_otra,
        supervisor,
    )


def test_every_url_declares_who_may_reach_it():
    nombres = {n for n, _ in todas_las_rutas() if not n.startswith("admin:")}
    assert "" not in nombres and not any(n.endswith(":") for n in nombres), "unnamed URL"
    assert nombres == set(ACCESO), "a URL was added or removed: say who may reach it in ACCESO"


def test_anonymous_visitors_get_the_login_redirect_on_pages_and_401_json_on_the_api(escenario):
    anonimo = Client()
    folio = escenario.solicitud.folio
    for nombre, clase in ACCESO.items():
        if clase == "publico":
            continue
        r = pedir(anonimo, nombre, folio)
        if clase == "contribuyente":
            assert r.status_code == 302, nombre
            assert r["Location"].startswith(reverse("cuentas:login") + "?next="), nombre
        elif clase == "personal":
            assert r.status_code == 302, nombre
            assert r["Location"].startswith(reverse("atencion:acceso") + "?next="), nombre
        else:
            assert r.status_code == 401, nombre
            assert r.json()["codigo"] == "no_autenticado", nombre
            assert folio.encode() not in r.content


def test_another_taxpayers_folio_answers_exactly_like_an_unknown_folio(escenario):
    e = escenario
    nombres = con_folio("contribuyente") + con_folio("contribuyente_api")
    assert len(nombres) == 9
    sesiones = {"contribuyente": iniciar_sesion(Client(), e.contribuyente)}
    sesiones["otro"] = iniciar_sesion(Client(), e.otro)
    tokens = {
        "contribuyente": Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}"),
        "otro": Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.otro)}"),
    }
    for nombre in nombres:
        clientes = tokens if ACCESO[nombre].endswith("_api") else sesiones
        propio = pedir(clientes["contribuyente"], nombre, e.solicitud.folio)
        assert propio.status_code == 200, nombre  # the owner reaches it: the URL is real
        ajeno = pedir(clientes["otro"], nombre, e.solicitud.folio)
        inexistente = pedir(clientes["otro"], nombre, e.desconocido)
        assert ajeno.status_code == inexistente.status_code == 404, nombre
        assert cuerpo(ajeno) == cuerpo(inexistente), nombre
        assert e.solicitud.folio.encode() not in cuerpo(ajeno), nombre


def test_a_folio_outside_the_staff_members_areas_answers_exactly_like_an_unknown_folio(escenario):
    e = escenario
    nombres = con_folio("personal") + con_folio("personal_api")
    assert len(nombres) == 15
    for nombre in nombres:
        api = ACCESO[nombre].endswith("_api")
        de_area = api_de(e.analista) if api else sesion_de(e.analista)
        fuera = api_de(e.analista_otra) if api else sesion_de(e.analista_otra)
        # Staff of the area reach it (200, or a rule's refusal of the empty form).
        assert pedir(de_area, nombre, e.solicitud.folio).status_code != 404, nombre
        ajeno = pedir(fuera, nombre, e.solicitud.folio)
        inexistente = pedir(fuera, nombre, e.desconocido)
        assert ajeno.status_code == inexistente.status_code == 404, nombre
        assert cuerpo(ajeno) == cuerpo(inexistente), nombre
        assert e.solicitud.folio.encode() not in cuerpo(ajeno), nombre
    assert Evento.objects.filter(actor=e.analista_otra).count() == 0
    # Nor is any of it a view in the request's audit (the taxpayer would see it).
    assert not ConsultaInstitucional.objects.filter(usuario=e.analista_otra).exists()


def test_only_the_areas_supervisor_extends_reroutes_and_assigns(escenario):
    e = escenario
    solicitud = presentar(e.contribuyente)
    pasos = {
        "asignacion": {"usuario": "analista"},
        "prorroga": {"dias_habiles": "2", "nota": "Falta el comprobante."},
        # Last: it moves the request out of the supervisor's area.
        "canalizacion": {"servicio": "orientacion", "asunto": "icsoe", "nota": "ICSOE"},
    }
    pagina, api = sesion_de(e.analista), api_de(e.analista)
    for accion, datos in pasos.items():
        r = pagina.post(f"/atencion/{solicitud.folio}/{accion}", datos)
        assert r.status_code == 403, accion
        r = api.post(
            f"/api/v1/atencion/solicitudes/{solicitud.folio}/{accion}",
            datos,
            content_type="application/json",
        )
        assert (r.status_code, r.json()["codigo"]) == (403, "sin_permiso"), accion
    assert list(solicitud.eventos.values_list("tipo", flat=True)) == [Evento.Tipo.RECIBIDA]
    assert Solicitud.objects.get(pk=solicitud.pk).estatus == solicitud.estatus
    # The same steps by the area's supervisor go through.
    for accion, datos in pasos.items():
        r = sesion_de(e.supervisor).post(f"/atencion/{solicitud.folio}/{accion}", datos)
        assert r.status_code == 302, accion


def test_staff_notes_never_reach_the_taxpayer(escenario):
    e = escenario
    solicitud = presentar(e.contribuyente)
    staff = sesion_de(e.supervisor)
    staff.post(f"/atencion/{solicitud.folio}/nota", {"nota": "Secreto interno uno."})
    staff.post(
        f"/atencion/{solicitud.folio}/prorroga",
        {"dias_habiles": "2", "nota": "Secreto interno dos."},
    )
    assert b"Secreto interno dos." in staff.get(f"/atencion/{solicitud.folio}/").content
    pagina = iniciar_sesion(Client(), e.contribuyente)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}")
    vistas = [
        pagina.get(f"/solicitudes/{solicitud.folio}/"),
        pagina.get("/tablero/"),
        api.get(f"/api/v1/solicitudes/{solicitud.folio}"),
        api.get("/api/v1/solicitudes"),
    ]
    for r in vistas:
        assert r.status_code == 200
        assert b"Secreto interno" not in r.content
    assert b"prorroga" in vistas[2].content  # the extension itself is public


def test_taxpayers_cannot_reach_staff_urls_and_staff_cannot_use_taxpayer_urls(escenario):
    e = escenario
    folio = e.solicitud.folio
    secreto = e.solicitud.descripcion.encode()
    contribuyente = {
        "pagina": iniciar_sesion(Client(), e.contribuyente),
        "api": Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}"),
    }
    personal = {"pagina": sesion_de(e.supervisor), "api": api_de(e.supervisor)}
    eventos = Evento.objects.count()
    for nombre, clase in ACCESO.items():
        if clase.startswith("personal"):
            cliente = contribuyente["api" if clase.endswith("_api") else "pagina"]
        elif clase.startswith("contribuyente"):
            cliente = personal["api" if clase.endswith("_api") else "pagina"]
        else:
            continue
        r = pedir(cliente, nombre, folio)
        assert r.status_code in (403, 404), nombre
        assert secreto not in cuerpo(r), nombre
        if clase.endswith("_api"):
            assert set(r.json()) == {"codigo", "mensaje"}, nombre
    assert Evento.objects.count() == eventos
    # The Django admin is for is_staff accounts only; neither persona has it.
    for cliente in (contribuyente["pagina"], personal["pagina"]):
        r = cliente.get("/admin/")
        assert r.status_code == 302
        assert r["Location"].startswith("/admin/login/")


def test_every_html_form_view_refuses_a_post_without_the_csrf_token(escenario):
    e = escenario
    clientes = {
        "publico": Client(enforce_csrf_checks=True),
        "contribuyente": iniciar_sesion(Client(enforce_csrf_checks=True), e.contribuyente),
        "personal": sesion_de(e.supervisor),
    }
    clientes["personal"].handler.enforce_csrf_checks = True
    antes = (Solicitud.objects.count(), Evento.objects.count(), IntentoAcceso.objects.count())
    for nombre, clase in ACCESO.items():
        direccion = url(nombre, e.solicitud.folio)
        if clase not in clientes or direccion.startswith("/api/"):
            continue
        r = clientes[clase].post(direccion, {"nota": "x", "texto": "x"})
        assert r.status_code == 403, nombre
        assert "Solicitud no válida" in r.content.decode(), nombre
    despues = (Solicitud.objects.count(), Evento.objects.count(), IntentoAcceso.objects.count())
    assert despues == antes
    # With the token the same form goes through: the refusal above was the CSRF check.
    staff = clientes["personal"]
    pagina = staff.get(url("atencion:detalle", e.solicitud.folio)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pagina)
    assert token is not None
    r = staff.post(
        url("atencion:nota", e.solicitud.folio),
        {"nota": "Con token.", "csrfmiddlewaretoken": token.group(1)},
    )
    assert r.status_code == 302


def test_the_api_ignores_browser_session_cookies_so_skipping_csrf_gives_a_forgery_nothing(
    escenario,
):
    e = escenario
    navegador = iniciar_sesion(Client(enforce_csrf_checks=True), e.contribuyente)
    antes = Solicitud.objects.count()
    r = navegador.post(
        "/api/v1/solicitudes",
        {
            "servicio": "aclaracion",
            "asunto": "emisiones",
            "descripcion": "Enviada por otro sitio con la cookie de la víctima.",
            "telefono": "55 1234 5678",
            "evidencia": zip_subido(),
        },
    )
    assert r.status_code == 401
    assert r.json()["codigo"] == "no_autenticado"
    assert Solicitud.objects.count() == antes
    # Every API URL behind a token answers 401 to a browser session alone.
    personal = sesion_de(e.supervisor)
    for nombre, clase in ACCESO.items():
        if clase == "contribuyente_api":
            r = pedir(navegador, nombre, e.solicitud.folio)
        elif clase == "personal_api":
            r = pedir(personal, nombre, e.solicitud.folio)
        else:
            continue
        assert r.status_code == 401, nombre
    # DELETE sesion with a cookie alone revokes nothing.
    assert navegador.delete("/api/v1/sesion").status_code == 401


class _Inline(HTMLParser):
    """Collects what a strict CSP blocks: inline scripts, on* handlers, style attributes
    and <style> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.problemas: list[str] = []
        self._script_sin_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        nombres = {n.lower() for n, _ in attrs}
        if tag == "script" and "src" not in nombres:
            self._script_sin_src = True
            self.problemas.append("<script> sin src")
        if tag == "style":
            self.problemas.append("<style>")
        for n in nombres:
            if n.startswith("on"):
                self.problemas.append(f"<{tag} {n}=>")
            if n == "style":
                self.problemas.append(f"<{tag} style=>")
        for n, v in attrs:
            if n in ("href", "src", "action") and v and v.strip().lower().startswith("javascript:"):
                self.problemas.append(f"<{tag} {n}=javascript:>")


def problemas_inline(html: str) -> list[str]:
    analizador = _Inline()
    analizador.feed(html)
    return analizador.problemas


def revisar_csp(r: Respuesta, donde: str) -> None:
    politica = r.headers.get("Content-Security-Policy", "")
    directivas = dict([*d.strip().split(" ", 1), ""][:2] for d in politica.split(";") if d.strip())
    assert directivas.get("script-src") == "'self'", donde
    assert directivas.get("style-src") == "'self'", donde
    assert directivas.get("object-src") == "'none'", donde
    assert directivas.get("frame-ancestors") == "'none'", donde
    assert "unsafe" not in politica, donde


def test_every_html_page_carries_the_csp_and_has_no_inline_script_handler_or_style(escenario):
    e = escenario
    clientes = {
        "publico": Client(),
        "contribuyente": iniciar_sesion(Client(), e.contribuyente),
        "personal": sesion_de(e.supervisor),
    }
    vistas = 0
    for nombre, clase in ACCESO.items():
        if clase not in clientes or nombre in POST:
            continue
        r = clientes[clase].get(url(nombre, e.solicitud.folio), follow=True)
        if not r["Content-Type"].startswith("text/html"):
            continue
        vistas += 1
        revisar_csp(r, nombre)
        assert problemas_inline(r.content.decode()) == [], nombre
    # Also the pages behind query strings and the error pages.
    for cliente, ruta in [
        (clientes["contribuyente"], "/promociones/aclaracion/nueva/?asunto=emisiones"),
        (
            clientes["contribuyente"],
            "/promociones/aclaracion/nueva/?asunto=emisiones&paso=registro",
        ),
        (clientes["contribuyente"], "/no-existe/"),
        (clientes["contribuyente"], "/atencion/"),
        (clientes["publico"], "/verificar/NOEXISTE"),
    ]:
        r = cliente.get(ruta)
        vistas += 1
        revisar_csp(r, ruta)
        assert problemas_inline(r.content.decode()) == [], ruta
    assert vistas >= 20


def test_no_template_has_inline_script_handler_attributes_or_style():
    plantillas = [
        p
        for app in ("buzon", "cuentas", "promociones", "acuses", "atencion", "avisos", "efirma")
        for p in (ROOT / app).rglob("jinja2/**/*.html")
    ]
    assert len(plantillas) >= 15
    for plantilla in plantillas:
        texto = plantilla.read_text(encoding="utf-8")
        # Template tags could hide attributes from the parser: look at the raw text too.
        assert not re.search(r"\son[a-z]+\s*=", texto, re.IGNORECASE), plantilla
        assert not re.search(r"\sstyle\s*=", texto, re.IGNORECASE), plantilla
        assert problemas_inline(texto) == [], plantilla


def _cookies_de_sesion_y_csrf(r: Respuesta) -> dict[str, Any]:
    return {n: c for n, c in r.cookies.items() if n in ("sesion", "csrftoken")}


def test_cookies_are_httponly_and_samesite_strict(escenario):
    cliente = Client()
    r = cliente.get("/atencion/acceso/")
    r = cliente.post(
        "/atencion/acceso/", {"username": ANALISTA.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 302
    cookies = _cookies_de_sesion_y_csrf(r)
    assert set(cookies) == {"sesion", "csrftoken"}  # login rotates both
    for nombre, cookie in cookies.items():
        assert cookie["httponly"] is True, nombre
        assert cookie["samesite"] == "Strict", nombre
        assert cookie["path"] == "/", nombre
        assert not cookie["domain"], nombre
        # Ends with the browser; the server-side expiry is the 15-minute idle limit.
        assert not cookie["max-age"] or nombre == "csrftoken", nombre
    assert settings.SESSION_COOKIE_AGE == 15 * 60


def _ajustes_de_produccion(tmp_path: Path) -> dict[str, Any]:
    codigo = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_NAME',"
        "'CSRF_COOKIE_NAME','SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_HTTPONLY',"
        "'SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SAMESITE','SESSION_COOKIE_PATH',"
        "'CSRF_COOKIE_PATH','SESSION_COOKIE_DOMAIN','CSRF_COOKIE_DOMAIN',"
        "'SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS','SECURE_SSL_REDIRECT',"
        "'SECURE_CONTENT_TYPE_NOSNIFF','SECURE_REFERRER_POLICY','X_FRAME_OPTIONS',"
        "'WHITENOISE_ROOT','MEDIA_URL','MEDIA_ROOT']}, default=str))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "buzon.settings",
        "BUZON_PRODUCTION": "1",
        "BUZON_DEBUG": "1",  # must not win over production
        "BUZON_SECRET_KEY": "s" * 64,
        "BUZON_ALLOWED_HOSTS": "buzon.example.mx",
        "BUZON_PUBLIC_BASE_URL": "https://buzon.example.mx",
        "BUZON_DATA_DIR": str(tmp_path),
    }
    salida = subprocess.run(
        [sys.executable, "-c", codigo],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(salida.stdout.strip().splitlines()[-1]))


def test_production_cookies_are_secure_with_the_host_prefix_and_hsts_is_on(tmp_path):
    s = _ajustes_de_produccion(tmp_path)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    # __Host- cookies must be Secure, Path=/ and carry no Domain, or browsers drop them.
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert s["SESSION_COOKIE_PATH"] == s["CSRF_COOKIE_PATH"] == "/"
    assert s["SESSION_COOKIE_DOMAIN"] is None and s["CSRF_COOKIE_DOMAIN"] is None
    assert s["SESSION_COOKIE_HTTPONLY"] is True and s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Strict"
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    # Nothing on disk is served outside the static files.
    assert s["WHITENOISE_ROOT"] is None
    assert s["MEDIA_URL"] in ("", "/") and s["MEDIA_ROOT"] == ""


def test_security_headers_on_pages_downloads_and_the_api(escenario):
    e = escenario
    cliente = iniciar_sesion(Client(), e.contribuyente)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}")
    for r in (
        cliente.get("/tablero/"),
        cliente.get(f"/solicitudes/{e.solicitud.folio}/evidencia"),
        Client().get("/acceso/"),
        api.get("/api/v1/solicitudes"),
        Client().get("/api/v1/no-existe"),
    ):
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"
        assert r["X-Frame-Options"] == "DENY"
        assert r["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in r["Content-Security-Policy"]


def test_pages_and_api_answers_with_personal_data_are_never_cached(escenario):
    e = escenario
    folio = e.solicitud.folio
    sesion = iniciar_sesion(Client(), e.contribuyente)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}")
    for cliente, ruta in [
        (sesion, "/tablero/"),
        (sesion, f"/solicitudes/{folio}/"),
        (sesion, "/soporte/"),
        (api, "/api/v1/solicitudes"),
        (api, f"/api/v1/solicitudes/{folio}"),
        (sesion_de(e.analista), f"/atencion/{folio}/"),
        (api_de(e.analista), "/api/v1/atencion/solicitudes"),
    ]:
        r = cliente.get(ruta)
        assert r.status_code == 200, ruta
        assert r["Cache-Control"] == "private, no-store", ruta
    # Public pages stay cacheable.
    assert "Cache-Control" not in Client().get("/soporte/")


def test_text_a_person_typed_is_escaped_on_every_page_that_shows_it(escenario):
    e = escenario
    ataque = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    solicitud = presentar(e.contribuyente, descripcion=f"Pago no reflejado. {ataque}")
    staff = sesion_de(e.analista)
    staff.post(f"/atencion/{solicitud.folio}/nota", {"nota": ataque})
    paginas = [
        iniciar_sesion(Client(), e.contribuyente).get(f"/solicitudes/{solicitud.folio}/"),
        iniciar_sesion(Client(), e.contribuyente).get("/tablero/?folio=" + ataque),
        staff.get(f"/atencion/{solicitud.folio}/"),
        staff.get("/atencion/?q=" + ataque),
    ]
    for r in paginas:
        html = r.content.decode()
        assert "<script>alert" not in html
        assert problemas_inline(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in paginas[0].content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in paginas[2].content.decode()


def test_lists_show_only_the_persons_own_requests(escenario):
    e = escenario
    folio = e.solicitud.folio.encode()
    assert folio in iniciar_sesion(Client(), e.contribuyente).get("/tablero/").content
    assert folio not in iniciar_sesion(Client(), e.otro).get("/tablero/").content
    otro_api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.otro)}")
    assert otro_api.get("/api/v1/solicitudes").json()["total"] == 0
    # Every estatus (the page shows the open ones unless asked; this one is answered).
    assert folio in sesion_de(e.analista).get("/atencion/?estatus=").content
    assert folio not in sesion_de(e.analista_otra).get("/atencion/?estatus=").content
    assert api_de(e.analista_otra).get("/api/v1/atencion/solicitudes").json()["total"] == 0
    assert api_de(e.analista).get("/api/v1/atencion/solicitudes").json()["total"] == 1


def test_sign_in_never_redirects_to_another_site(escenario):
    contribuyente = iniciar_sesion(Client(), escenario.contribuyente)
    for siguiente in (
        "https://malicioso.example/",
        "//malicioso.example/",
        "/\\\\malicioso.example",
    ):
        # Through both steps: password, then the authenticator's code.
        r = entrar_personal(Client(), escenario.analista, siguiente=siguiente)
        assert r.status_code == 302
        assert r["Location"] == "/atencion/", siguiente
        r = contribuyente.get("/acceso/?next=" + siguiente)
        assert r["Location"] == "/tablero/", siguiente


def test_uploaded_files_are_never_under_a_public_url_and_download_as_no_store_attachments(
    escenario, almacen_temporal
):
    e = escenario
    guardados = [p for p in almacen_temporal.rglob("*") if p.is_file()]
    assert len(guardados) == 2  # the evidence zip and the answer PDF
    # Settings as configured, not as this test overrides them: nowhere near static files.
    archivos = Path(settings.DATA_DIR) / "archivos"
    servidos = [Path(settings.STATIC_ROOT)] + [Path(d[1]) for d in settings.STATICFILES_DIRS]
    for carpeta in servidos:
        assert not archivos.resolve().is_relative_to(carpeta.resolve())
        assert not carpeta.resolve().is_relative_to(archivos.resolve())
    assert getattr(settings, "WHITENOISE_ROOT", None) is None
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    # No URL reaches a stored file by its name, even with the owner's session.
    duena = iniciar_sesion(Client(), e.contribuyente)
    for archivo in guardados:
        relativa = archivo.relative_to(almacen_temporal).as_posix()
        for ruta in (
            default_storage.url(relativa),
            f"/{relativa}",
            f"/archivos/{relativa}",
            f"/media/{relativa}",
            f"/static/{relativa}",
            f"/static/../archivos/{relativa}",
            f"/static/%2e%2e/archivos/{relativa}",
        ):
            r = duena.get(ruta)
            assert r.status_code == 404, ruta
            assert archivo.read_bytes()[:16] not in cuerpo(r), ruta
    # The views that do serve them: attachments, never sniffed, never stored by caches.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_para(e.contribuyente)}")
    staff = sesion_de(e.analista)
    folio = e.solicitud.folio
    for cliente, ruta in [
        (duena, f"/solicitudes/{folio}/evidencia"),
        (duena, f"/solicitudes/{folio}/respuesta.pdf"),
        (duena, f"/solicitudes/{folio}/acuses/recepcion.pdf"),
        (api, f"/api/v1/solicitudes/{folio}/evidencia"),
        (api, f"/api/v1/solicitudes/{folio}/respuesta/documento"),
        (api, f"/api/v1/solicitudes/{folio}/acuses/respuesta"),
        (staff, f"/atencion/{folio}/evidencia"),
        (staff, f"/atencion/{folio}/respuesta.pdf"),
    ]:
        r = cliente.get(ruta)
        assert r.status_code == 200, ruta
        assert r["Content-Disposition"].startswith("attachment;"), ruta
        assert r["X-Content-Type-Options"] == "nosniff", ruta
        assert "no-store" in r["Cache-Control"], ruta
        assert r["Content-Type"] in ("application/zip", "application/pdf"), ruta


def _fallar_api(cliente: Client, rfc: str) -> Respuesta:
    return cliente.post(
        "/api/v1/sesion",
        {"rfc": rfc, "certificado": "AAAA", "reto_id": "no-existe", "firma": "AAAA"},
        content_type="application/json",
    )


def _pasar_la_ventana() -> None:
    """Moves every counted attempt 16 minutes into the past (the window is 15)."""
    Marca.objects.update(creado=F("creado") - timedelta(minutes=16))


def test_efirma_login_by_api_locks_per_address_and_rfc_pair_and_per_address_never_per_rfc(
    db, settings
):
    assert settings.ACCESO_MAX_FALLOS == 10
    assert settings.ACCESO_VENTANA_SEGUNDOS == 15 * 60
    # Failures naming a victim's RFC from ten addresses do not lock the victim out: an
    # attacker needs no certificate to name an RFC.
    for i in range(10):
        r = _fallar_api(Client(REMOTE_ADDR=f"10.0.0.{i}"), "PENM800101AB1")
        assert r.status_code == 400 and r.json()["codigo"] == "reto_invalido"
    assert _fallar_api(Client(REMOTE_ADDR="10.0.1.1"), "PENM800101AB1").status_code == 400
    # Per address and RFC: ten failures lock that pair.
    for _ in range(10):
        assert _fallar_api(Client(REMOTE_ADDR="10.9.9.8"), "BBB010101BBB").status_code == 400
    r = _fallar_api(Client(REMOTE_ADDR="10.9.9.8"), "BBB010101BBB")
    assert (r.status_code, r.json()["codigo"]) == (429, "demasiados_intentos")
    # Per address: ACCESO_MAX_FALLOS_DIRECCION failures over many RFCs lock the address.
    settings.ACCESO_MAX_FALLOS_DIRECCION = 12
    for i in range(12):
        assert _fallar_api(Client(REMOTE_ADDR="10.9.9.9"), f"AAA0101{i:02d}AAA").status_code == 400
    r = _fallar_api(Client(REMOTE_ADDR="10.9.9.9"), "CCC010101CCC")
    assert (r.status_code, r.json()["codigo"]) == (429, "demasiados_intentos")
    # Once the window has passed, the pair may try again.
    _pasar_la_ventana()
    assert _fallar_api(Client(REMOTE_ADDR="10.9.9.8"), "BBB010101BBB").status_code == 400


def test_behind_the_balancer_the_limit_and_audit_see_each_clients_own_address(db, settings):
    settings.PROXIES_CONFIABLES = 1
    balanceador = "10.0.0.2"
    # Ten failures from one client who writes a different X-Forwarded-For each time: the
    # balancer appends her real address, and that is what counts.
    for i in range(10):
        cliente = Client(REMOTE_ADDR=balanceador, HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 198.51.100.7")
        assert _fallar_api(cliente, "BBB010101BBB").status_code == 400
    atacante = Client(REMOTE_ADDR=balanceador, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    assert _fallar_api(atacante, "BBB010101BBB").status_code == 429
    # Another client behind the same balancer is not locked out by her.
    vecina = Client(REMOTE_ADDR=balanceador, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _fallar_api(vecina, "BBB010101BBB").status_code == 400
    direcciones = set(IntentoAcceso.objects.values_list("direccion", flat=True))
    assert direcciones == {"198.51.100.7", "198.51.100.8"}


def test_efirma_login_page_locks_after_ten_failures(db):
    navegador = Client(REMOTE_ADDR="10.1.2.3")
    for i in range(11):
        reto = navegador.post("/acceso/reto")
        assert reto.status_code == 201
        r = navegador.post(
            "/acceso/",
            {
                "rfc": "PENM800101AB1",
                "certificado": "AAAA",
                "reto_id": reto.json()["reto_id"] + "x",
                "firma": "AAAA",
            },
            content_type="application/json",
        )
        esperado = ("reto_invalido", 400) if i < 10 else ("demasiados_intentos", 429)
        assert (r.json()["codigo"], r.status_code) == esperado
    assert "_auth_user_id" not in navegador.session


def test_staff_password_login_locks_per_address_and_user_and_per_address(escenario, settings):
    # Ten wrong passwords for «supervisor» from many addresses lock nobody out.
    for i in range(10):
        r = Client(REMOTE_ADDR=f"10.2.0.{i}").post(
            "/atencion/acceso/", {"username": "supervisor", "password": "mala"}
        )
        assert r.status_code == 200
    # Ten from one address lock that address for that user, even the right password...
    cliente = Client(REMOTE_ADDR="10.2.1.1")
    for _ in range(10):
        cliente.post("/atencion/acceso/", {"username": "supervisor", "password": "mala"})
    r = cliente.post(
        "/atencion/acceso/", {"username": SUPERVISOR.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 429
    assert "Demasiados intentos" in r.content.decode()
    assert "_auth_user_id" not in cliente.session
    # ...while the supervisor, from her own desk, still signs in.
    r = Client(REMOTE_ADDR="10.2.2.2").post(
        "/atencion/acceso/", {"username": SUPERVISOR.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 302
    settings.ACCESO_MAX_FALLOS_DIRECCION = 12
    for i in range(12):
        Client(REMOTE_ADDR="10.3.3.3").post(
            "/atencion/acceso/", {"username": f"nadie{i}", "password": "mala"}
        )
    r = Client(REMOTE_ADDR="10.3.3.3").post(
        "/atencion/acceso/", {"username": ANALISTA.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 429
    # The lock ends 15 minutes after the failures, however often it was retried meanwhile.
    for _ in range(10):
        r = cliente.post("/atencion/acceso/", {"username": "supervisor", "password": "mala"})
        assert r.status_code == 429
    _pasar_la_ventana()
    r = cliente.post(
        "/atencion/acceso/", {"username": SUPERVISOR.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 302


def test_staff_login_limit_counts_a_username_however_it_is_spelled(escenario):
    # The form strips and NFKC-normalizes the username: each of these is «supervisor».
    variantes = ["supervisor ", " supervisor", "ｓｕｐｅｒｖｉｓｏｒ", "supervisor\t"]
    for i in range(10):
        r = Client(REMOTE_ADDR="10.5.0.1").post(
            "/atencion/acceso/", {"username": variantes[i % 4], "password": "mala"}
        )
        assert r.status_code == 200
    r = Client(REMOTE_ADDR="10.5.0.1").post(
        "/atencion/acceso/", {"username": SUPERVISOR.username, "password": CLAVE_PERSONAL}
    )
    assert r.status_code == 429
    assert set(IntentoAcceso.objects.values_list("rfc", flat=True)) == {"supervisor"}


def test_a_login_post_without_a_challenge_is_audited_and_limited(db):
    navegador = Client(REMOTE_ADDR="10.6.0.1")  # never asked for a reto
    datos = {"rfc": "PENM800101AB1", "certificado": "AAAA", "reto_id": "x", "firma": "AAAA"}
    for _ in range(10):
        r = navegador.post("/acceso/", datos, content_type="application/json")
        assert r.json()["codigo"] == "reto_invalido"
    r = navegador.post("/acceso/", datos, content_type="application/json")
    assert (r.status_code, r.json()["codigo"]) == (429, "demasiados_intentos")
    assert IntentoAcceso.objects.filter(canal="web", direccion="10.6.0.1").count() == 11


def test_the_django_admin_login_goes_through_the_limited_staff_sign_in(escenario):
    get_user_model().objects.create_superuser("raiz", "raiz@example.mx", "clave-raiz-123")
    cliente = Client()
    r = cliente.get("/admin/")
    assert r.status_code == 302
    r = cliente.get(r["Location"])
    assert r.status_code == 302
    assert r["Location"] == "/atencion/acceso/?next=%2Fadmin%2F"
    # The admin's own form is gone: posting right credentials to it logs no one in.
    r = cliente.post("/admin/login/", {"username": "raiz", "password": "clave-raiz-123"})
    assert r.status_code == 302
    assert "_auth_user_id" not in cliente.session
    # Through the staff sign-in, password and then code, the administrator reaches the
    # admin, audited; the password alone opens nothing.
    raiz = get_user_model().objects.get(username="raiz")
    r = cliente.post(
        "/atencion/acceso/?next=/admin/", {"username": "raiz", "password": "clave-raiz-123"}
    )
    assert r.status_code == 302 and r["Location"] == "/atencion/acceso/alta/"
    assert cliente.get("/admin/")["Location"].startswith("/admin/login/")
    r = entrar_personal(cliente, raiz, "clave-raiz-123", siguiente="/admin/")
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert cliente.get("/admin/").status_code == 200
    assert IntentoAcceso.objects.filter(rfc="raiz", resultado="ok", canal="pers").count() == 1


def test_every_login_attempt_leaves_an_audit_row(escenario):
    antes = timezone.now()
    _fallar_api(Client(REMOTE_ADDR="10.4.0.1"), "PENM800101AB1")
    navegador = Client(REMOTE_ADDR="10.4.0.2")
    reto = navegador.post("/acceso/reto").json()["reto_id"]
    navegador.post(
        "/acceso/",
        {"rfc": "AAA010101AAA", "certificado": "AAAA", "reto_id": reto + "x", "firma": "AAAA"},
        content_type="application/json",
    )
    Client(REMOTE_ADDR="10.4.0.3").post(
        "/atencion/acceso/", {"username": "analista", "password": "mala"}
    )
    Client(REMOTE_ADDR="10.4.0.4").post(
        "/atencion/acceso/", {"username": ANALISTA.username, "password": CLAVE_PERSONAL}
    )
    filas = list(
        IntentoAcceso.objects.order_by("id").values_list("rfc", "direccion", "canal", "resultado")
    )
    assert filas == [
        ("PENM800101AB1", "10.4.0.1", "api", "reto_invalido"),
        ("AAA010101AAA", "10.4.0.2", "web", "reto_invalido"),
        ("analista", "10.4.0.3", "pers", "credenciales_invalidas"),
        ("analista", "10.4.0.4", "pers", "contrasena_correcta"),
    ]
    assert all(i.creado >= antes for i in IntentoAcceso.objects.all())


def test_every_staff_action_leaves_an_event_with_actor_and_time(escenario):
    e = escenario
    antes = timezone.now()
    staff = sesion_de(e.supervisor)
    s1 = presentar(e.contribuyente)
    s2 = presentar(e.contribuyente)
    pasos = [
        (s1, "asignacion", {"usuario": "analista"}, Evento.Tipo.ASIGNADA),
        (s1, "nota", {"nota": "Revisar el pago."}, Evento.Tipo.NOTA),
        (s1, "prorroga", {"dias_habiles": "2", "nota": "Falta el comprobante."}, "prorroga"),
        (s1, "respuesta", {"texto": "Pago aplicado.", "documento": pdf_subido()}, "atendida"),
        (s2, "canalizacion", {"servicio": "orientacion", "asunto": "icsoe", "nota": "ICSOE"}, ""),
    ]
    for solicitud, accion, datos, _tipo in pasos:
        r = staff.post(f"/atencion/{solicitud.folio}/{accion}", datos)
        assert r.status_code == 302, (accion, r.content[:300])
    for solicitud, accion, _datos, tipo in pasos:
        tipo = tipo or Evento.Tipo.CANALIZADA
        evento = Evento.objects.get(solicitud=solicitud, tipo=tipo)
        assert evento.actor == e.supervisor, accion
        assert antes <= evento.creado <= timezone.now(), accion
    # And through the API, with the token's owner as actor.
    s3 = presentar(e.contribuyente)
    r = api_de(e.analista).post(
        f"/api/v1/atencion/solicitudes/{s3.folio}/respuesta",
        {"texto": "Respuesta por API.", "documento": pdf_subido()},
    )
    assert r.status_code == 200, r.content
    assert Evento.objects.get(solicitud=s3, tipo=Evento.Tipo.ATENDIDA).actor == e.analista


def test_sessions_expire_after_15_idle_minutes_and_8_hours_in_all(escenario):
    e = escenario
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    cliente = iniciar_sesion(Client(), e.contribuyente)
    assert cliente.get("/tablero/").status_code == 200
    # Idle: the server-side row expires 15 minutes after the last renewal.
    fila = Sesion.objects.get(session_key=cliente.session.session_key)
    restante = fila.expire_date - timezone.now()
    assert timedelta(minutes=14) < restante <= timedelta(minutes=15)
    Sesion.objects.filter(pk=fila.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert cliente.get("/tablero/").status_code == 302
    # Absolute: 8 hours after login, however active.
    cliente = iniciar_sesion(Client(), e.contribuyente)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time() - 8 * 3600 - 1
    sesion.save()
    r = cliente.get("/tablero/")
    assert r.status_code == 302 and r["Location"].startswith("/acceso/")
    # A session without a recorded login time (not made by our login views) is refused.
    cliente = Client()
    cliente.force_login(e.contribuyente.usuario)
    assert cliente.get("/tablero/").status_code == 302
    # Logging out deletes the session on the server: a copied cookie is worthless after.
    cliente = iniciar_sesion(Client(), e.contribuyente)
    copia = Client()
    copia.cookies["sesion"] = cliente.cookies["sesion"].value
    assert copia.get("/tablero/").status_code == 200
    assert cliente.post("/salir/").status_code == 302
    assert copia.get("/tablero/").status_code == 302
    # API session tokens follow the same idle limit.
    clave = token_para(e.contribuyente)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {clave}")
    assert api.get("/api/v1/solicitudes").status_code == 200
    TokenApi.objects.filter(clave_sha256=TokenApi.hash_de(clave)).update(
        ultimo_uso=timezone.now() - timedelta(minutes=15, seconds=1)
    )
    assert api.get("/api/v1/solicitudes").status_code == 401


def test_a_deactivated_account_loses_its_session_and_its_tokens_at_once(escenario):
    e = escenario
    pagina, api = sesion_de(e.analista), api_de(e.analista)
    folio = e.solicitud.folio
    assert pagina.get(f"/atencion/{folio}/").status_code == 200
    assert api.get("/api/v1/atencion/solicitudes").status_code == 200
    get_user_model().objects.filter(pk=e.analista.pk).update(is_active=False)
    assert pagina.get(f"/atencion/{folio}/").status_code == 302
    assert api.get("/api/v1/atencion/solicitudes").status_code == 401


# Views that fail on purpose, under this module's URLconf (which is the project's plus
# these two), so the project's own error handlers answer.
def _falla(request: Any) -> NoReturn:
    raise RuntimeError("detalle interno que nadie debe ver")


from buzon.urls import handler400, handler403, handler404, handler500  # noqa: E402
from buzon.urls import urlpatterns as _proyecto  # noqa: E402

urlpatterns = [path("falla/", _falla), path("api/v1/falla", _falla), *_proyecto]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def _es_pagina_en_espanol_sin_detalles(r: Respuesta, titulo: str) -> None:
    html = r.content.decode()
    assert r["Content-Type"].startswith("text/html")
    assert titulo in html
    assert '<html lang="es-MX">' in html
    for rastro in ("Traceback", "detalle interno", "Not Found", "Forbidden", "Server Error"):
        assert rastro not in html


def test_error_pages_are_spanish_without_details_and_the_api_answers_json(settings, escenario):
    assert settings.DEBUG is False
    settings.ROOT_URLCONF = __name__
    cliente = Client(raise_request_exception=False)
    r = cliente.get("/no-existe/")
    assert r.status_code == 404
    _es_pagina_en_espanol_sin_detalles(r, "Página no encontrada")
    assert "/no-existe/" not in r.content.decode()
    r = cliente.get("/falla/")
    assert r.status_code == 500
    _es_pagina_en_espanol_sin_detalles(r, "Ocurrió un error en el servidor")
    r = iniciar_sesion(Client(), escenario.contribuyente).get("/atencion/")
    assert r.status_code == 403
    _es_pagina_en_espanol_sin_detalles(r, "Acceso no permitido")
    r = cliente.get("/soporte/", HTTP_HOST="malicioso.example.com")
    assert r.status_code == 400
    _es_pagina_en_espanol_sin_detalles(r, "Solicitud incorrecta")
    r = Client(enforce_csrf_checks=True).post("/atencion/acceso/", {})
    assert r.status_code == 403
    _es_pagina_en_espanol_sin_detalles(r, "Solicitud no válida")
    for metodo, ruta, status, codigo in [
        ("get", "/api/v1/no-existe", 404, "no_encontrado"),
        ("get", "/api/v1/falla", 500, "error_interno"),
        ("get", "/api/v1/sesion", 405, "metodo_no_permitido"),
        ("delete", "/api/v1/catalogo", 405, "metodo_no_permitido"),
        ("put", "/api/v1/solicitudes", 405, "metodo_no_permitido"),
        ("post", "/api/v1/atencion/solicitudes", 405, "metodo_no_permitido"),
    ]:
        r = getattr(cliente, metodo)(ruta)
        assert r.status_code == status, ruta
        assert r["Content-Type"] == "application/json", ruta
        datos = r.json()
        assert set(datos) == {"codigo", "mensaje"}, ruta
        assert datos["codigo"] == codigo, ruta
        assert "detalle interno" not in datos["mensaje"]
        if status == 405:
            assert r["Allow"], ruta


def test_every_api_url_refuses_an_unsupported_method_with_json(escenario):
    """Every /api/ view is an ``endpoint``: CSRF-exempt (the token is the credential) and
    answering a refused method with the contract's JSON, not an HTML page."""
    api = [n for n, c in ACCESO.items() if url(n, escenario.solicitud.folio).startswith("/api/")]
    assert len(api) == 26
    cliente = Client(enforce_csrf_checks=True)
    for nombre in api:
        r = cliente.patch(url(nombre, escenario.solicitud.folio))
        assert r.status_code == 405, nombre
        assert r["Content-Type"] == "application/json", nombre
        assert r.json()["codigo"] == "metodo_no_permitido", nombre
        assert r["Allow"], nombre


def test_check_deploy_is_clean_under_production_settings_with_debug_requested(tmp_path):
    # Fails unless the check exits 0 with no warning.
    manage_en_produccion(tmp_path, "check", "--deploy", "--fail-level", "WARNING", BUZON_DEBUG="1")
