"""Drafts of the Nueva Solicitud form (promociones.borradores) and the session around
them: one per taxpayer and service, bounded like the fields, deleted when filed, the
owner's only, kept through an expired session and restored after logging in again;
the session's renewal (POST /sesion/renovar) and what the login page says."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from atencion.tests.conftest import sesion_de
from cuentas.middleware import SESSION_RENOVADA
from cuentas.models import Contribuyente, Sesion
from cuentas.tests.conftest import Efirma, b64
from cuentas.tests.test_pagina import entrar_pagina
from efirma import emision
from promociones import borradores
from promociones.models import Borrador, Servicio, Solicitud
from promociones.tests.conftest import DESCRIPCION_4000, iniciar_sesion, zip_subido
from tests.personas import sembrar_catalogo

pytestmark = pytest.mark.django_db

FORMULARIO = "/promociones/aclaracion/nueva/?asunto=emisiones&paso=registro"
BORRADOR = "/promociones/aclaracion/borrador"
TEXTO = "El pago del bimestre 2026-01 no aparece en mi estado de cuenta."


def _atributo(html: str, nombre: str, campo: str = "") -> str:
    """The value of ``nombre``: the input named so, or the data-attribute so called."""
    if campo:
        m = re.search(rf'name="{campo}" value="([^"]*)"', html)
    else:
        m = re.search(rf'{nombre}="([^"]*)"', html)
    assert m is not None, nombre or campo
    return m.group(1)


class Pagina:
    """A browser of the form: the page's key, owner signature and CSRF token, and the
    draft saves its script makes (JSON with X-CSRFToken)."""

    def __init__(self, cliente: Client, url: str = FORMULARIO) -> None:
        self.cliente = cliente
        r = cliente.get(url)
        assert r.status_code == 200
        self.html = r.content.decode()
        self.clave = _atributo(self.html, "", "clave_idempotencia")
        self.propietario = _atributo(self.html, "", "propietario")
        self.csrf = _atributo(self.html, "", "csrfmiddlewaretoken")

    def guardar(self, url: str = BORRADOR, **campos: Any) -> Any:
        datos = {
            "asunto": "emisiones",
            "descripcion": TEXTO,
            "telefono": "55 1234 5678",
            "clave_idempotencia": self.clave,
            "propietario": self.propietario,
            **campos,
        }
        return self.cliente.post(
            url,
            json.dumps(datos),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            HTTP_X_CSRFTOKEN=self.csrf,
        )

    def enviar(self, **campos: Any) -> Any:
        datos = {
            "csrfmiddlewaretoken": self.csrf,
            "asunto": "emisiones",
            "descripcion": TEXTO,
            "telefono": "55 1234 5678",
            "evidencia": zip_subido(),
            "clave_idempotencia": self.clave,
            "propietario": self.propietario,
            **campos,
        }
        return self.cliente.post("/promociones/aclaracion/nueva/", datos)


def _csrf_client(contribuyente: Contribuyente) -> Client:
    return iniciar_sesion(Client(enforce_csrf_checks=True), contribuyente)


def _vencer(cliente: Client) -> None:
    """The idle limit passes: the session's row expires (the cookie stays)."""
    Sesion.objects.filter(session_key=cliente.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


# --- One draft per taxpayer and service -------------------------------------------------


def test_the_form_makes_one_draft_per_taxpayer_and_service_and_a_reload_reuses_it(
    contribuyente: Contribuyente,
):
    c = _csrf_client(contribuyente)
    primera = Pagina(c)
    assert Pagina(c).clave == primera.clave
    Pagina(c, "/promociones/orientacion/nueva/?asunto=icsoe&paso=registro")
    assert Borrador.objects.filter(contribuyente=contribuyente).count() == 2
    aclaracion = Servicio.objects.get(clave="aclaracion")
    with pytest.raises(IntegrityError), transaction.atomic():
        Borrador.objects.create(
            contribuyente=contribuyente,
            servicio=aclaracion,
            clave_idempotencia="otra",
            creado=timezone.now(),
            actualizado=timezone.now(),
        )


def test_the_script_saves_the_draft_with_csrf_and_a_reload_shows_it(
    contribuyente: Contribuyente,
):
    c = _csrf_client(contribuyente)
    pagina = Pagina(c)
    r = pagina.guardar(descripcion="Línea uno\r\nLínea dos\u202e", telefono="(55) 1234-5678")
    assert r.status_code == 200, r.content
    datos = r.json()
    assert datos["guardado"] is True and datos["clave"] == pagina.clave
    assert datos["errores"] == {}
    assert 0 < datos["segundos_restantes"] <= 15 * 60
    borrador = Borrador.objects.get()
    # Cleaned as filing cleans: CRLF is LF, the bidirectional override is gone.
    assert borrador.descripcion == "Línea uno\nLínea dos"
    assert borrador.asunto is not None and borrador.asunto.clave == "emisiones"
    assert borrador.telefono == "(55) 1234-5678"
    html = Pagina(c).html
    assert "Línea uno\nLínea dos</textarea>" in html
    assert 'value="(55) 1234-5678"' in html
    assert "Recuperamos lo que escribiste" in html
    assert "El archivo de evidencia no se guarda en el borrador" in html


def test_a_save_without_the_csrf_token_is_refused(contribuyente: Contribuyente):
    c = _csrf_client(contribuyente)
    pagina = Pagina(c)
    pagina.csrf = "x" * 64
    assert pagina.guardar().status_code == 403
    assert Borrador.objects.get().descripcion == ""


@pytest.mark.parametrize(
    ("campos", "campo", "mensaje"),
    [
        ({"descripcion": DESCRIPCION_4000}, "descripcion", "menor a 4,000 caracteres"),
        ({"descripcion": "a" + "\u0301" * 40}, "descripcion", "acentos o marcas"),
        ({"descripcion": "x" * 20_000}, "descripcion", "menor a 4,000 caracteres"),
        ({"telefono": "5" * 21}, "telefono", "10 dígitos"),
    ],
)
def test_a_draft_is_bounded_like_the_fields_and_keeps_the_last_good_one(
    contribuyente: Contribuyente, campos: dict[str, str], campo: str, mensaje: str
):
    c = _csrf_client(contribuyente)
    pagina = Pagina(c)
    assert pagina.guardar(descripcion="Lo primero que escribí.").json()["guardado"] is True
    r = pagina.guardar(**campos)
    assert r.status_code == 200
    assert r.json()["guardado"] is False
    assert mensaje in r.json()["errores"][campo]
    borrador = Borrador.objects.get()
    assert borrador.descripcion == "Lo primero que escribí."
    assert borrador.telefono == "55 1234 5678"


def test_an_asunto_the_service_does_not_offer_is_not_kept(contribuyente: Contribuyente):
    pagina = Pagina(_csrf_client(contribuyente))
    assert pagina.guardar(asunto="no-existe").json()["guardado"] is True
    assert Borrador.objects.get().asunto is None


def test_filing_deletes_the_draft_and_the_next_form_has_a_new_key(contribuyente: Contribuyente):
    c = _csrf_client(contribuyente)
    pagina = Pagina(c)
    pagina.guardar()
    r = pagina.enviar()
    assert r.status_code == 302, r.content
    assert Solicitud.objects.get().clave_idempotencia == pagina.clave
    assert not Borrador.objects.exists()
    nueva = Pagina(c)
    assert nueva.clave != pagina.clave
    assert TEXTO not in nueva.html


def test_a_refused_filing_keeps_what_was_written_as_the_draft(contribuyente: Contribuyente):
    c = _csrf_client(contribuyente)
    r = Pagina(c).enviar(telefono="55 1234 567")
    assert r.status_code == 400
    assert Borrador.objects.get().telefono == "55 1234 567"
    assert Borrador.objects.get().descripcion == TEXTO


# --- The owner's only ---------------------------------------------------------------------


def test_another_taxpayer_neither_reads_nor_overwrites_the_draft(
    contribuyente: Contribuyente, otro_contribuyente: Contribuyente
):
    propia = Pagina(_csrf_client(contribuyente))
    propia.guardar(descripcion="Texto privado del titular.")
    ajena = Pagina(_csrf_client(otro_contribuyente))
    assert "Texto privado del titular." not in ajena.html
    assert ajena.clave != propia.clave
    # The owner's signature (copied from the owner's page) is not the other's: refused.
    ajena.propietario = propia.propietario
    r = ajena.guardar(descripcion="Sobrescrito por otro.")
    assert (r.status_code, r.json()["codigo"]) == (409, "formulario_ajeno")
    r = ajena.enviar(descripcion="Sobrescrito por otro.")
    assert r.status_code == 409 and "otra cuenta" in r.content.decode()
    # Nor does the owner's key reach the owner's draft: the other writes only their own.
    r = ajena.guardar(propietario="", clave_idempotencia=propia.clave, descripcion="Mío.")
    assert r.json()["guardado"] is True and r.json()["clave"] == ajena.clave
    assert Borrador.objects.get(contribuyente=contribuyente).descripcion == (
        "Texto privado del titular."
    )
    assert Borrador.objects.get(contribuyente=otro_contribuyente).descripcion == "Mío."
    assert not Solicitud.objects.exists()


def test_staff_cannot_use_the_drafts(contribuyente: Contribuyente, analista: Any):
    c = sesion_de(analista)
    r = c.post(BORRADOR, "{}", content_type="application/json")
    assert r.status_code == 403


def test_a_signature_is_for_one_taxpayer_and_service(
    contribuyente: Contribuyente, otro_contribuyente: Contribuyente
):
    aclaracion = Servicio.objects.get(clave="aclaracion")
    orientacion = Servicio.objects.get(clave="orientacion")
    firma = borradores.firma_de(contribuyente, aclaracion)
    assert borradores.dueno_de(firma, aclaracion) == contribuyente.pk
    assert borradores.dueno_de(firma, orientacion) is None
    assert borradores.dueno_de(firma[:-2] + "xx", aclaracion) is None
    assert borradores.dueno_de(None, aclaracion) is None


# --- Through an expired session -------------------------------------------------------------


@pytest.fixture(scope="module")
def _emitidos() -> tuple[bytes, Efirma]:
    ca = emision.crear_ca("AC de pruebas de borradores")
    der, llave = emision.emitir_certificado(
        ca, rfc="PEÑJ800101LM6", nombre="MARÍA JOSÉ PEÑA NÚÑEZ", curp="PENJ800101MGTXXR05"
    )
    return ca.certificado_der, Efirma(der, llave, "PEÑJ800101LM6")


@pytest.fixture
def fisica(_emitidos: tuple[bytes, Efirma], settings: Any, tmp_path: Any) -> Efirma:
    """A persona física's e.firma, its CA the only one trusted for the test."""
    carpeta = tmp_path / "ca"
    carpeta.mkdir()
    (carpeta / "ca.cer").write_bytes(_emitidos[0])
    settings.EFIRMA_CA_DIR = carpeta
    settings.EFIRMA_REVOCACION = "none"
    return _emitidos[1]


@pytest.fixture
def titular(fisica: Efirma) -> Client:
    """A browser logged in through the real login page (e.firma, CSRF)."""
    sembrar_catalogo()
    c = Client(enforce_csrf_checks=True)
    c.get("/acceso/")
    csrf = c.cookies["csrftoken"].value
    r = entrar_pagina(c, fisica, HTTP_X_CSRFTOKEN=csrf)
    assert r.status_code == 200, r.content
    return c


def _volver_a_entrar(c: Client, fisica: Efirma, siguiente: str) -> str:
    c.get("/acceso/")
    csrf = c.cookies["csrftoken"].value
    reto = c.post("/acceso/reto", HTTP_X_CSRFTOKEN=csrf).json()
    r = c.post(
        "/acceso/",
        json.dumps(
            {
                "rfc": fisica.rfc,
                "certificado": b64(fisica.der),
                "reto_id": reto["reto_id"],
                "firma": b64(fisica.firmar(reto["reto"])),
                "siguiente": siguiente,
            }
        ),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert r.status_code == 200, r.content
    return str(r.json()["redirigir"])


def test_enviar_after_the_session_expired_logs_in_again_and_finds_the_draft(
    titular: Client, fisica: Efirma
):
    pagina = Pagina(titular)
    pagina.guardar(descripcion="Lo que llevaba escrito.")
    _vencer(titular)
    # Enviar lands without a session; what it carried is newer than the last save.
    r = pagina.enviar(descripcion="Lo que llevaba escrito, y un poco más.")
    assert r.status_code == 302
    assert r["Location"].startswith("/acceso/?next=")
    assert not Solicitud.objects.exists()
    acceso = titular.get(r["Location"]).content.decode()
    assert "Tu sesión terminó por inactividad; guardamos lo que escribiste." in acceso
    destino = _volver_a_entrar(titular, fisica, FORMULARIO)
    assert destino == FORMULARIO
    html = titular.get(destino).content.decode()
    assert "Lo que llevaba escrito, y un poco más.</textarea>" in html
    assert "Tu sesión terminó por inactividad; guardamos lo que escribiste" in html
    # The same key: sending it now files it once.
    assert _atributo(html, "", "clave_idempotencia") == pagina.clave
    assert Borrador.objects.get().descripcion == "Lo que llevaba escrito, y un poco más."


def test_a_save_after_the_session_expired_answers_401_and_keeps_it_for_the_owner(
    titular: Client, fisica: Efirma
):
    pagina = Pagina(titular)
    _vencer(titular)
    r = pagina.guardar(descripcion="Escrito tras el fin de la sesión.")
    assert r.status_code == 401
    assert r.json()["codigo"] == "sesion_terminada"
    assert "guardamos lo que escribiste" in r.json()["mensaje"]
    assert r.json()["redirigir"].startswith("/acceso/?next=")
    _volver_a_entrar(titular, fisica, FORMULARIO)
    assert (
        "Escrito tras el fin de la sesión.</textarea>" in titular.get(FORMULARIO).content.decode()
    )


def test_a_forged_owner_keeps_nothing(titular: Client):
    pagina = Pagina(titular)
    _vencer(titular)
    pagina.propietario = "no-es-una-firma"
    r = pagina.guardar()
    assert r.status_code == 401 and "guardamos" not in r.json()["mensaje"]
    assert borradores.PENDIENTE not in titular.session


def test_another_taxpayer_logging_in_on_that_browser_never_sees_it(
    titular: Client, otro_contribuyente: Contribuyente
):
    pagina = Pagina(titular)
    _vencer(titular)
    pagina.enviar(descripcion="Solo para la titular.")
    iniciar_sesion(titular, otro_contribuyente)  # keeps the anonymous session's data
    html = titular.get(FORMULARIO).content.decode()
    assert "Solo para la titular." not in html
    assert not Borrador.objects.filter(descripcion__contains="Solo para la titular.").exists()
    assert borradores.PENDIENTE not in titular.session


def test_a_later_visit_after_the_session_expired_restores_the_draft(
    titular: Client, fisica: Efirma
):
    Pagina(titular).guardar(descripcion="Borrador de ayer.")
    _vencer(titular)
    r = titular.get(FORMULARIO)
    assert r.status_code == 302
    acceso = titular.get(r["Location"]).content.decode()
    assert "Tu sesión terminó por inactividad." in acceso
    _volver_a_entrar(titular, fisica, FORMULARIO)
    html = titular.get(FORMULARIO).content.decode()
    assert "Borrador de ayer.</textarea>" in html
    assert "Tu sesión terminó por inactividad; guardamos lo que escribiste" in html


def test_a_form_already_filed_and_resent_after_expiry_shows_its_folio(
    titular: Client, fisica: Efirma
):
    pagina = Pagina(titular)
    assert pagina.enviar().status_code == 302
    folio = Solicitud.objects.get().folio
    _vencer(titular)
    pagina.enviar()  # Back, then Enviar, after the session expired
    _volver_a_entrar(titular, fisica, FORMULARIO)
    r = titular.get(FORMULARIO)
    assert r["Location"] == f"/solicitudes/{folio}/registrada/?repetida=1"
    assert Solicitud.objects.count() == 1


# --- The login page says why ----------------------------------------------------------------


def test_logging_out_says_so_once(titular: Client):
    csrf = titular.cookies["csrftoken"].value
    r = titular.post("/salir/", HTTP_X_CSRFTOKEN=csrf)
    assert r["Location"] == "/acceso/"
    assert "Cerraste tu sesión." in titular.get("/acceso/").content.decode()
    assert "Cerraste tu sesión." not in titular.get("/acceso/").content.decode()
    assert titular.get("/tablero/").status_code == 302


def test_a_first_visit_to_the_login_page_gives_no_reason(client: Client):
    assert 'data-testid="motivo-acceso"' not in client.get("/acceso/").content.decode()


# --- The session's renewal ------------------------------------------------------------------


def test_seguir_conectado_renews_the_session_whatever_the_once_a_minute_rule(
    contribuyente: Contribuyente,
):
    c = _csrf_client(contribuyente)
    html = Pagina(c).html
    csrf = _atributo(html, "", "csrfmiddlewaretoken")
    sesion = c.session
    # Renewed 30 s ago: the middleware would not renew it again for another 30 s.
    sesion[SESSION_RENOVADA] = time.time() - 30
    sesion.save()
    clave = sesion.session_key
    Sesion.objects.filter(session_key=clave).update(
        expire_date=timezone.now() + timedelta(seconds=15 * 60 - 30)
    )
    restantes = int(_atributo(c.get(FORMULARIO).content.decode(), "data-segundos-restantes"))
    assert 15 * 60 - 32 <= restantes <= 15 * 60 - 29
    assert c.post("/sesion/renovar", HTTP_ACCEPT="application/json").status_code == 403
    r = c.post("/sesion/renovar", HTTP_ACCEPT="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert r.status_code == 200
    assert r.json() == {"segundos_restantes": 15 * 60}
    vence = Sesion.objects.get(session_key=clave).expire_date
    assert abs((vence - timezone.now()).total_seconds() - 15 * 60) < 5


def test_the_idle_limit_and_the_warning_come_from_the_settings(
    contribuyente: Contribuyente, settings: Any
):
    settings.SESSION_COOKIE_AGE = 40
    settings.SESSION_WARNING_SECONDS = 15
    c = iniciar_sesion(Client(), contribuyente)
    html = c.get(FORMULARIO).content.decode()
    assert _atributo(html, "data-segundos-restantes") == "40"
    assert _atributo(html, "data-aviso-segundos") == "15"
    assert 'role="alertdialog"' in html and "Seguir conectado" in html


def test_renewing_without_a_session(client: Client):
    r = client.post("/sesion/renovar", HTTP_ACCEPT="application/json")
    assert (r.status_code, r.json()["codigo"]) == (401, "sesion_terminada")
    r = client.post("/sesion/renovar")
    assert r.status_code == 302 and r["Location"].startswith("/acceso/?next=")
