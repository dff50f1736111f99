"""One filing per intention through the Nueva Solicitud page: the form's key is its
draft's, so a resent form, a reload or a second tab is the request it already filed
(shown with its folio); Back into a page with a fresh key and the same content is that
request too; other content under a filed key is asked to be checked and sent again.
The script's calls (JSON) answer the same way."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cuentas.models import Contribuyente
from promociones.models import Borrador, Solicitud
from promociones.services import VENTANA_REPETIDA, presentar_desde_formulario
from promociones.tests.conftest import iniciar_sesion, zip_bytes, zip_subido
from promociones.tests.test_borradores import BORRADOR, TEXTO, Pagina

pytestmark = pytest.mark.django_db

NUEVA = "/promociones/aclaracion/nueva/"


@pytest.fixture
def navegador(contribuyente: Contribuyente) -> Client:
    return iniciar_sesion(Client(enforce_csrf_checks=True), contribuyente)


def test_the_same_form_sent_twice_files_once_and_shows_the_first_folio(navegador: Client):
    pagina = Pagina(navegador)
    primera = pagina.enviar()
    segunda = pagina.enviar()  # a resent POST, a reload of the result, a double click
    solicitud = Solicitud.objects.get()
    assert primera["Location"] == f"/solicitudes/{solicitud.folio}/registrada/"
    assert segunda["Location"] == f"/solicitudes/{solicitud.folio}/registrada/?repetida=1"
    html = " ".join(navegador.get(segunda["Location"]).content.decode().split())
    assert (
        "Ya registramos esta solicitud con el folio "
        f'<strong data-testid="folio">{solicitud.folio}</strong>'
    ) in html
    assert "no se registró otra vez" in html
    assert "registrado exitosamente" not in html


def test_a_second_tab_of_the_same_form_is_the_same_request(navegador: Client):
    una, otra = Pagina(navegador), Pagina(navegador)
    assert una.clave == otra.clave
    una.enviar()
    assert otra.enviar()["Location"].endswith("?repetida=1")
    assert Solicitud.objects.count() == 1


def test_back_into_a_fresh_form_with_the_same_content_is_the_same_request(navegador: Client):
    # The browser restored the text but the page got a new key (no script to keep it).
    Pagina(navegador).enviar()
    despues = Pagina(navegador)
    r = despues.enviar()
    assert r["Location"].endswith("?repetida=1")
    assert Solicitud.objects.count() == 1
    assert not Borrador.objects.exists()
    # Other content in that fresh form is another request.
    assert not Pagina(navegador).enviar(descripcion="Otra cosa.")["Location"].endswith("=1")
    assert Solicitud.objects.count() == 2


def test_other_content_under_a_filed_key_asks_to_check_and_send_again(navegador: Client):
    pagina = Pagina(navegador)
    pagina.enviar()
    folio = Solicitud.objects.get().folio
    r = pagina.enviar(descripcion="Escrito en la otra pestaña, distinto.")
    assert r.status_code == 409
    html = r.content.decode()
    assert f"ya registramos la solicitud con el folio {folio}, con otros datos" in html
    assert "Escrito en la otra pestaña, distinto.</textarea>" in html
    nueva = Pagina.__new__(Pagina)
    nueva.cliente, nueva.html = navegador, html
    nueva.clave = Borrador.objects.get().clave_idempotencia
    nueva.propietario, nueva.csrf = pagina.propietario, pagina.csrf
    assert f'name="clave_idempotencia" value="{nueva.clave}"' in html
    assert nueva.clave != pagina.clave
    assert Borrador.objects.get().descripcion == "Escrito en la otra pestaña, distinto."
    r = nueva.enviar(descripcion="Escrito en la otra pestaña, distinto.")
    assert r.status_code == 302 and not r["Location"].endswith("=1")
    assert Solicitud.objects.count() == 2


def test_the_same_content_after_the_window_is_a_new_request(contribuyente: Contribuyente):
    antes = timezone.now() - VENTANA_REPETIDA - timedelta(minutes=1)
    datos: dict[str, Any] = {
        "contribuyente": contribuyente,
        "servicio": "orientacion",
        "asunto": "icsoe",
        "descripcion": "¿Cómo presento la ICSOE?",
        "telefono": "",
        "evidencia": None,
    }
    primera = presentar_desde_formulario(**datos, clave_idempotencia="uno", momento=antes)
    dentro = presentar_desde_formulario(
        **datos, clave_idempotencia="dos", momento=antes + timedelta(hours=1)
    )
    assert (primera.repetida, dentro.repetida) == (False, True)
    assert dentro.solicitud == primera.solicitud
    fuera = presentar_desde_formulario(**datos, clave_idempotencia="tres")
    assert not fuera.repetida and fuera.solicitud != primera.solicitud


def test_the_same_content_with_other_evidence_is_another_request(navegador: Client):
    Pagina(navegador).enviar()
    otra = zip_subido("otra.zip", zip_bytes(b"Otro comprobante.\n"))
    assert not Pagina(navegador).enviar(evidencia=otra)["Location"].endswith("=1")
    assert Solicitud.objects.count() == 2


def test_the_api_keeps_its_own_idempotency(api: Client):
    # Page rules only: a program that sends the same body with two keys files two.
    datos = {
        "servicio": "orientacion",
        "asunto": "icsoe",
        "descripcion": "Pregunta por la API.",
        "telefono": "",
    }
    for clave in ("k1", "k2"):
        r = api.post("/api/v1/solicitudes", datos, HTTP_IDEMPOTENCY_KEY=clave)
        assert r.status_code == 201, r.content
    assert Solicitud.objects.count() == 2


# --- The page's script: JSON ----------------------------------------------------------------


def _enviar_json(pagina: Pagina, **campos: Any) -> Any:
    datos = {
        "csrfmiddlewaretoken": pagina.csrf,
        "asunto": "emisiones",
        "descripcion": TEXTO,
        "telefono": "55 1234 5678",
        "evidencia": zip_subido(),
        "clave_idempotencia": pagina.clave,
        "propietario": pagina.propietario,
        **campos,
    }
    datos = {k: v for k, v in datos.items() if v is not None}
    return pagina.cliente.post(NUEVA, datos, HTTP_ACCEPT="application/json")


def test_the_script_gets_json_errors_per_field_and_the_folio_to_go_to(navegador: Client):
    pagina = Pagina(navegador)
    r = _enviar_json(pagina, descripcion="", telefono="123")
    assert r.status_code == 400
    assert r.json()["errores"] == {
        "descripcion": "Describe tu planteamiento.",
        "telefono": "El teléfono debe tener exactamente 10 dígitos.",
    }
    assert not Solicitud.objects.exists()
    r = _enviar_json(pagina, evidencia=zip_subido("e.zip", b"no es un zip"))
    assert r.status_code == 400 and set(r.json()["errores"]) == {"evidencia"}
    r = _enviar_json(pagina)
    folio = Solicitud.objects.get().folio
    assert r.json() == {"redirigir": f"/solicitudes/{folio}/registrada/"}
    assert _enviar_json(pagina).json() == {
        "redirigir": f"/solicitudes/{folio}/registrada/?repetida=1"
    }


def test_checking_the_fields_first_reports_every_rule_without_the_file(navegador: Client):
    pagina = Pagina(navegador)
    r = pagina.guardar(descripcion=" ", telefono="", validar=True, hay_evidencia=False)
    assert r.status_code == 200
    assert set(r.json()["errores"]) == {"descripcion", "telefono", "evidencia"}
    r = pagina.guardar(validar=True, hay_evidencia=True)
    assert r.json()["errores"] == {} and r.json()["guardado"] is True
    assert not Solicitud.objects.exists()


def test_a_page_left_from_before_its_filing_saves_no_draft_and_names_the_folio(
    navegador: Client,
):
    pagina = Pagina(navegador)
    pagina.enviar()
    folio = Solicitud.objects.get().folio
    r = pagina.guardar(descripcion="Lo mismo, tras Regresar.")
    assert r.json()["presentada"] == folio and r.json()["guardado"] is False
    assert r.json()["clave"] == pagina.clave  # the page keeps the key it was filed with
    assert not Borrador.objects.exists()


def test_a_draft_save_is_json_only(navegador: Client):
    pagina = Pagina(navegador)
    r = navegador.post(
        BORRADOR, "no es json", content_type="application/json", HTTP_X_CSRFTOKEN=pagina.csrf
    )
    assert (r.status_code, r.json()["codigo"]) == (400, "json_invalido")
    r = navegador.post(
        BORRADOR, json.dumps([1]), content_type="application/json", HTTP_X_CSRFTOKEN=pagina.csrf
    )
    assert r.status_code == 400
    assert navegador.get(BORRADOR).status_code == 405
