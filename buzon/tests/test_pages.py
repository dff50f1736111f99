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
