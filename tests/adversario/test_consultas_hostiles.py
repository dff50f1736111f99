"""Hostile query strings on the list endpoints and hostile files on verification.

Filters come from anyone holding a token (or from nobody, for verification): every
value that cannot be understood is a 4xx with a code, never a 500.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from atencion.tests.conftest import api_contribuyente, api_de, presentar
from tests.personas import CONTRIBUYENTE, SUPERVISOR

VALORES_HOSTILES = [
    "",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e9",
    "NaN",
    "x" * 5000,
    "\x00",
    "\u202e2026-01-01",
    "%",
    "' OR 1=1 --",
    "A-2026-000001",
    "A-\uff12\uff10\uff12\uff16-000001",
]
PARAMETROS_CONTRIBUYENTE = ["asunto", "estatus", "recibida_desde", "recibida_hasta", "pagina"]
PARAMETROS_PERSONAL = [
    *PARAMETROS_CONTRIBUYENTE,
    "servicio",
    "area",
    "asignacion",
    "vencidas",
    "vence_en",
    "q",
]


@pytest.fixture
def clientes(catalogo: None) -> dict[str, Client]:
    dueno = CONTRIBUYENTE.crear()
    presentar(dueno)
    return {
        "/api/v1/solicitudes": api_contribuyente(dueno),
        "/api/v1/atencion/solicitudes": api_de(SUPERVISOR.crear()),
    }


def _revisar(r: Any, donde: str) -> None:
    assert r.status_code < 500, f"{donde}: {r.status_code}"
    if r.status_code >= 400:
        assert r["Content-Type"].startswith("application/json"), donde
        assert isinstance(r.json().get("codigo"), str), donde


@pytest.mark.django_db
def test_filtros_hostiles_nunca_son_un_500(clientes: dict[str, Client]) -> None:
    fallas = []
    for ruta, parametros in (
        ("/api/v1/solicitudes", PARAMETROS_CONTRIBUYENTE),
        ("/api/v1/atencion/solicitudes", PARAMETROS_PERSONAL),
    ):
        for parametro in parametros:
            for valor in VALORES_HOSTILES:
                try:
                    r = clientes[ruta].get(ruta, {parametro: valor})
                    _revisar(r, f"GET {ruta}?{parametro}={valor[:30]!r}")
                except Exception as exc:  # a 500 raises in the test client
                    fallas.append(f"GET {ruta}?{parametro}={valor[:30]!r}: {exc!r}")
    assert not fallas, "\n".join(fallas)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", b"a")
    return buffer.getvalue()


ACUSES_HOSTILES = {
    "vacio": b"",
    "basura": b"\x00\xff" * 500,
    "pdf_truncado": b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R",
    "pdf_xref_circular": b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 1 0 R>>endobj\n"
    b"xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer<</Root 1 0 R/Size 2"
    b"/Prev 9>>\nstartxref\n60\n%%EOF\n",
    "pdf_flujo_enorme_declarado": b"%PDF-1.7\n1 0 obj<</Length 99999999999>>stream\nxx\n"
    b"endstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "zip": _zip(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("caso", sorted(ACUSES_HOSTILES))
def test_verificar_un_pdf_hostil_responde_sin_500(caso: str, catalogo: None) -> None:
    c = Client(REMOTE_ADDR=f"10.7.{sorted(ACUSES_HOSTILES).index(caso)}.1")
    r = c.post(
        "/api/v1/verificar",
        {"acuse": SimpleUploadedFile("acuse.pdf", ACUSES_HOSTILES[caso], "application/pdf")},
    )
    assert r.status_code < 500, r.content[:300]
    if r.status_code == 200:
        assert r.json()["valido"] is False
    else:
        _revisar(r, caso)
    pagina = c.post(
        "/verificar/",
        {"acuse": SimpleUploadedFile("acuse.pdf", ACUSES_HOSTILES[caso], "application/pdf")},
    )
    assert pagina.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("codigo", ["x" * 5000, "..", "%00", "ABCD\u202e1234", "0" * 64, "-", "_"])
def test_verificar_un_codigo_hostil_es_404(codigo: str, catalogo: None) -> None:
    r = Client().get(f"/verificar/{codigo}", HTTP_ACCEPT="application/json")
    assert r.status_code == 404, r.status_code
    if r["Content-Type"].startswith("application/json"):
        # A code that is not a slug never reaches the route: Django's 404 answers.
        assert r.json().get("valido") is False or "codigo" in r.json()
