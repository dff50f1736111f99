"""Nueva Solicitud through the real pages: steps, every rule next to its field, idempotency."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from promociones.models import Solicitud
from promociones.tests.conftest import (
    DESCRIPCION_3999,
    DESCRIPCION_4000,
    archivos_guardados,
    iniciar_sesion,
    zip_de_tamano,
    zip_que_escapa,
    zip_subido,
)

pytestmark = pytest.mark.django_db

NUEVA = "/promociones/aclaracion/nueva/"


def clave_del_formulario(cliente, servicio="aclaracion", asunto="emisiones"):
    r = cliente.get(f"/promociones/{servicio}/nueva/", {"asunto": asunto, "paso": "registro"})
    assert r.status_code == 200
    clave = re.search(r'name="clave_idempotencia" value="([^"]+)"', r.content.decode())
    assert clave is not None
    return clave.group(1)


def enviar(cliente, servicio="aclaracion", **cambios):
    datos = {
        "asunto": "emisiones",
        "descripcion": "No se refleja mi pago del periodo 2026-02.",
        "telefono": "(55) 1234-5678",
        "evidencia": zip_subido(),
        "clave_idempotencia": clave_del_formulario(cliente, servicio),
    }
    datos.update(cambios)
    datos = {k: v for k, v in datos.items() if v is not None}
    return cliente.post(f"/promociones/{servicio}/nueva/", datos)


def test_menu_service_pages_offer_nueva_solicitud(cliente):
    r = cliente.get("/promociones/aclaracion/")
    html = r.content.decode()
    assert "Aclaraciones" in html and "Nueva Solicitud" in html
    assert 'href="/promociones/orientacion/"' in html  # the menu


def test_asunto_choice_then_recommendations_then_continuar_registro(cliente):
    eleccion = cliente.get(NUEVA).content.decode()
    for nombre in (
        "32D Opinión Pública",
        "32D Terceros autorizados",
        "Activación Buzón IMSS",
        "Emisiones",
        "ICSOE",
        "Notificación Electrónica",
    ):
        assert nombre in eleccion
    recomendaciones = cliente.get(NUEVA, {"asunto": "icsoe"}).content.decode()
    assert "REPSE" in recomendaciones and "Continuar registro" in recomendaciones
    formulario = cliente.get(NUEVA, {"asunto": "icsoe", "paso": "registro"}).content.decode()
    assert 'name="descripcion"' in formulario
    assert 'accept=".zip' in formulario
    assert 'enctype="multipart/form-data"' in formulario
    assert "Seleccionar archivo" in formulario or 'type="file"' in formulario


def test_filing_shows_the_folio_and_regresar_goes_to_the_tablero(cliente):
    r = enviar(cliente)
    assert r.status_code == 302
    solicitud = Solicitud.objects.get()
    assert r["Location"] == reverse("promociones:registrada", args=[solicitud.folio])
    pagina = cliente.get(r["Location"]).content.decode()
    assert "registrado exitosamente" in pagina
    assert solicitud.folio in pagina
    assert f'href="{reverse("promociones:tablero")}"' in pagina and "Regresar" in pagina


def test_double_submission_with_the_same_form_key_creates_one_request(cliente):
    clave = clave_del_formulario(cliente)
    primera = enviar(cliente, clave_idempotencia=clave)
    segunda = enviar(cliente, clave_idempotencia=clave)
    # The second submission shows the first request, saying it was already filed.
    assert segunda["Location"] == primera["Location"] + "?repetida=1"
    assert Solicitud.objects.count() == 1


def test_the_form_keeps_its_key_until_it_is_filed(cliente):
    # A reload (or a second tab) is the same form; after filing, the next one is new.
    clave = clave_del_formulario(cliente)
    assert clave_del_formulario(cliente) == clave
    enviar(cliente, clave_idempotencia=clave)
    assert clave_del_formulario(cliente) != clave


def test_post_without_csrf_token_is_refused(contribuyente):
    c = iniciar_sesion(Client(enforce_csrf_checks=True), contribuyente)
    r = c.post(NUEVA, {"asunto": "emisiones", "descripcion": "x", "telefono": "5512345678"})
    assert r.status_code == 403
    assert Solicitud.objects.count() == 0


@pytest.mark.parametrize(
    ("cambios", "campo", "mensaje"),
    [
        ({"descripcion": ""}, "descripcion", "Describe tu planteamiento."),
        ({"descripcion": DESCRIPCION_4000}, "descripcion", "menor a 4,000 caracteres"),
        ({"telefono": ""}, "telefono", "obligatorio"),
        ({"telefono": "55 1234 567"}, "telefono", "exactamente 10 dígitos"),
        ({"telefono": "55 1234 56789"}, "telefono", "exactamente 10 dígitos"),
        ({"evidencia": None}, "evidencia", "Adjunta un archivo .zip"),
        ({"evidencia": zip_subido("evidencia.zip", b"no soy zip")}, "evidencia", ".zip"),
        ({"evidencia": zip_subido("e.zip", zip_que_escapa())}, "evidencia", "podría dañar"),
    ],
)
def test_each_rule_shows_its_message_next_to_its_field_and_keeps_what_was_typed(
    cliente, almacen_temporal, cambios, campo, mensaje
):
    r = enviar(cliente, **cambios)
    assert r.status_code == 400
    html = r.content.decode()
    error = re.search(rf'<p class="error" id="error-{campo}"[^>]*>([^<]*)</p>', html)
    assert error is not None and mensaje in error.group(1)
    if "telefono" not in cambios:
        assert 'value="(55) 1234-5678"' in html
    assert "vuelve a seleccionarlo" in html
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_description_kept_on_error_is_the_typed_text(cliente):
    r = enviar(cliente, descripcion="Mi pago <b>no</b> aparece", telefono="1")
    assert "Mi pago &lt;b&gt;no&lt;/b&gt; aparece</textarea>" in r.content.decode()


def test_3999_characters_with_crlf_and_emoji_are_accepted_by_the_page(cliente):
    assert enviar(cliente, descripcion=DESCRIPCION_3999).status_code == 302


def test_ten_digit_phone_with_separators_is_accepted_and_stored_as_digits(cliente):
    assert enviar(cliente, telefono="55.1234.5678").status_code == 302
    assert Solicitud.objects.get().telefono == "5512345678"


def test_orientacion_page_needs_neither_phone_nor_evidence(cliente):
    r = enviar(cliente, servicio="orientacion", telefono="", evidencia=None)
    assert r.status_code == 302
    assert Solicitud.objects.get().folio.startswith("O-")


def test_evidence_of_10485759_bytes_is_accepted(cliente):
    archivo = zip_subido("grande.zip", zip_de_tamano(10_485_759))
    assert enviar(cliente, evidencia=archivo).status_code == 302
    assert Solicitud.objects.get().evidencia.bytes == 10_485_759


def test_evidence_of_10485760_bytes_is_refused_next_to_the_field(cliente, almacen_temporal):
    archivo = zip_subido("grande.zip", zip_de_tamano(10_485_760))
    r = enviar(cliente, evidencia=archivo)
    assert r.status_code == 413
    assert 'id="error-evidencia"' in r.content.decode()
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_unknown_service_is_404(cliente):
    assert cliente.get("/promociones/queja/").status_code == 404
    assert cliente.get("/promociones/queja/nueva/").status_code == 404


def test_pages_require_login(client):
    r = client.get(NUEVA)
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("cuentas:login"))


@pytest.mark.parametrize("ruta", ["/tablero/", "/promociones/aclaracion/nueva/", "/medios/"])
def test_every_taxpayer_page_warns_before_the_idle_session_ends(cliente, settings, ruta):
    html = cliente.get(ruta, follow=True).content.decode()
    assert html.count('<dialog id="aviso-sesion"') == 1, ruta  # once, also on the form
    encontrado = re.search(r'data-segundos-restantes="(\d+)"', html)
    assert encontrado is not None, ruta
    segundos = int(encontrado.group(1))
    assert 0 < segundos <= settings.SESSION_COOKIE_AGE
    assert "buzon/sesion" in html


def test_pages_without_a_taxpayer_session_carry_no_session_warning(client):
    assert '<dialog id="aviso-sesion"' not in client.get("/acceso/").content.decode()
