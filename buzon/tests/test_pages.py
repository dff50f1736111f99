import pytest
from django.conf import settings
from django.test import Client

from acuses.tests.conftest import iniciar_sesion
from tests.personas import CONTRIBUYENTE


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_strict_content_security_policy():
    """Pages, redirects, JSON answers and every error the views or Django itself give:
    the policy comes from a middleware, so a response made before or around it (a
    handler, a decorator, the CSRF check) is where it would go missing. Static files are
    WhiteNoise's and buzon/tests/test_estaticos.py's business."""
    contribuyente = iniciar_sesion(Client(), CONTRIBUYENTE.crear())
    publico = Client()
    respuestas = {
        "página pública": (publico.get("/soporte/"), 200),
        "página con sesión": (contribuyente.get("/tablero/"), 200),
        "redirección al acceso": (publico.get("/tablero/"), 302),
        "404 de página": (publico.get("/no-existe/"), 404),
        "403 de CSRF": (Client(enforce_csrf_checks=True).post("/acceso/", {}), 403),
        "JSON 200": (publico.get("/api/v1/catalogo"), 200),
        "JSON 201": (publico.post("/api/v1/sesion/reto"), 201),
        "JSON 401": (publico.get("/api/v1/solicitudes"), 401),
        "JSON 404": (publico.get("/api/v1/no-existe"), 404),
        "JSON 405": (publico.put("/api/v1/catalogo"), 405),
        "verificación JSON 404": (
            publico.get("/verificar/NOEXISTE", HTTP_ACCEPT="application/json"),
            404,
        ),
    }
    for nombre, (r, status) in respuestas.items():
        assert r.status_code == status, (nombre, r.status_code)
        csp = r.headers.get("Content-Security-Policy")
        assert csp == settings.CONTENT_SECURITY_POLICY, nombre
    assert "script-src 'self'" in settings.CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in settings.CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_support_page_gives_the_imss_phone(client):
    response = client.get("/soporte/")
    assert response.status_code == 200
    assert "800 623 23 23" in response.content.decode()


@pytest.mark.django_db
def test_the_landing_page_says_what_to_have_at_hand_and_where_to_go(client):
    """``/`` for anyone not signed in as a taxpayer: the e.firma's three parts, the way
    in, the verification of acuses and the support channel."""
    html = client.get("/").content.decode()
    assert "<h1" in html and "Ingresa a Buzón IMSS</h1>" in html
    for parte in (".cer", ".key", "contraseña", "e.firma vigente"):
        assert parte in html, parte
    assert 'href="/acceso/" data-testid="ingresar"' in html
    assert 'href="/verificar/" data-testid="inicio-verificar"' in html
    assert 'href="/soporte/" data-testid="inicio-soporte"' in html
    assert "800 623 23 23" in html


@pytest.mark.django_db
def test_a_signed_in_taxpayer_goes_on_to_the_tablero():
    cliente = iniciar_sesion(Client(), CONTRIBUYENTE.crear())
    r = cliente.get("/")
    assert r.status_code == 302 and r["Location"] == "/tablero/"


@pytest.mark.django_db
def test_every_page_has_the_institution_bar_the_skip_link_and_the_favicon(client):
    for ruta, status in (("/", 200), ("/soporte/", 200), ("/no-existe/", 404)):
        r = client.get(ruta)
        assert r.status_code == status
        html = r.content.decode()
        assert '<a class="salto" href="#contenido">Saltar al contenido principal</a>' in html
        assert '<main id="contenido" tabindex="-1">' in html
        assert "Gobierno de México" in html and 'class="barra-institucional"' in html
        assert 'rel="icon" href="/static/buzon/favicon.svg" type="image/svg+xml"' in html


@pytest.mark.django_db
def test_a_persona_morals_pages_name_the_representative_who_signed_in():
    """The session keeps the representative of its own login (the taxpayer's row holds
    the last one's); a persona física's header names nobody else."""
    from cuentas.context_processors import REPRESENTANTE_SESION
    from cuentas.models import Contribuyente
    from tests.personas import crear_contribuyente

    empresa = crear_contribuyente("CSB050315K7A", "CONSTRUCCIONES DEL BAJÍO SA DE CV", "moral")
    Contribuyente.objects.filter(pk=empresa.pk).update(rfc_representante="GOAL750620QR8")
    cliente = iniciar_sesion(Client(), empresa)
    html = cliente.get("/tablero/").content.decode()
    assert "Representante: RFC GOAL750620QR8" in html
    sesion = cliente.session
    sesion[REPRESENTANTE_SESION] = "ROSA7001017X2"  # this session's own login
    sesion.save()
    html = cliente.get("/tablero/").content.decode()
    assert "Representante: RFC ROSA7001017X2" in html and "GOAL750620QR8" not in html
    fisica = iniciar_sesion(Client(), CONTRIBUYENTE.crear())
    assert "Representante:" not in fisica.get("/tablero/").content.decode()
