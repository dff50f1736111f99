"""Forms people can use with a screen reader and on any browser language: a refused value
comes back summarised on top (buzon/formularios.html, focused by buzon.js), tied to its
field with aria-describedby and aria-invalid, and the field keeps what was typed; dates
are typed as dd/mm/aaaa; file inputs are «Seleccionar archivo»."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from atencion.tests.conftest import presentar, sesion_de
from tests.personas import (
    ANALISTA,
    CLAVE_PERSONAL,
    CONTRIBUYENTE,
    dispositivo_totp,
    sembrar_catalogo,
)

pytestmark = pytest.mark.django_db


def etiqueta(html: str, id_: str) -> str:
    """The opening tag of the element with that id."""
    encontrada = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{re.escape(id_)}"[^>]*>', html)
    assert encontrada is not None, id_
    return encontrada.group(0)


def resumen(html: str) -> str:
    encontrado = re.search(r'<div class="resumen-errores".*?</div>', html, re.S)
    assert encontrado is not None
    assert "data-enfocar" in encontrado.group(0) and 'tabindex="-1"' in encontrado.group(0)
    return encontrado.group(0)


def test_the_staff_queue_takes_dd_mm_aaaa_and_ties_a_bad_date_to_its_field():
    sembrar_catalogo()
    cliente = sesion_de(ANALISTA.crear())
    html = cliente.get("/atencion/", {"recibida_desde": "2/3/2026"}).content.decode()
    campo = etiqueta(html, "f-desde")
    assert 'value="02/03/2026"' in campo and 'placeholder="dd/mm/aaaa"' in campo
    assert 'inputmode="numeric"' in campo and "aria-invalid" not in campo
    html = cliente.get("/atencion/", {"recibida_desde": "31/02/2026"}).content.decode()
    campo = etiqueta(html, "f-desde")
    assert 'aria-invalid="true"' in campo and "error-filtros" in campo
    assert 'value="31/02/2026"' in campo  # what was typed, to correct it
    assert re.search(
        r'<p class="error" role="alert" id="error-filtros"[^>]*>Escribe la fecha', html
    )


def test_a_refused_staff_action_is_summarised_and_tied_to_its_field():
    sembrar_catalogo()
    analista = ANALISTA.crear()
    solicitud = presentar(CONTRIBUYENTE.crear())
    cliente = sesion_de(analista)
    r = cliente.post(f"/atencion/{solicitud.folio}/nota", {"nota": "   "})
    html = r.content.decode()
    assert 'href="#n-nota"' in resumen(html)
    campo = etiqueta(html, "n-nota")
    assert 'aria-describedby="error-n-nota"' in campo and 'aria-invalid="true"' in campo
    assert 'id="error-n-nota"' in html
    # The other forms are not marked.
    assert "aria-invalid" not in etiqueta(html, "r-texto")


def test_the_staff_answer_and_the_verification_upload_are_seleccionar_archivo():
    sembrar_catalogo()
    solicitud = presentar(CONTRIBUYENTE.crear())
    html = sesion_de(ANALISTA.crear()).get(f"/atencion/{solicitud.folio}/").content.decode()
    for pagina, id_ in (
        (html, "r-documento"),
        (Client().get("/verificar/").content.decode(), "acuse"),
    ):
        caja = re.search(
            rf'<div class="selector-archivo">\s*<input type="file" id="{id_}".*?</div>',
            pagina,
            re.S,
        )
        assert caja is not None, id_
        assert (
            f'<label for="{id_}" class="boton-archivo">Seleccionar archivo</label>' in caja.group(0)
        )
        assert f'aria-describedby="{id_}-nombre' in caja.group(0)


def test_a_refused_verification_upload_is_tied_to_the_file_field(client):
    html = client.post("/verificar/", {}).content.decode()
    assert 'href="#acuse"' in resumen(html)
    campo = etiqueta(html, "acuse")
    assert "acuse-error" in campo and 'aria-invalid="true"' in campo
    assert re.search(r'<p class="error" id="acuse-error"[^>]*>Adjunte el acuse', html)


def test_the_staff_sign_in_ties_its_refusals_to_the_fields():
    sembrar_catalogo()
    usuario = ANALISTA.crear()
    dispositivo_totp(usuario)
    cliente = Client()
    html = cliente.post(
        "/atencion/acceso/", {"username": usuario.username, "password": "otra"}
    ).content.decode()
    assert 'href="#id_username"' in resumen(html)
    for id_ in ("id_username", "id_password"):
        campo = etiqueta(html, id_)
        assert 'aria-describedby="error-acceso"' in campo and 'aria-invalid="true"' in campo
    assert "autofocus" not in etiqueta(html, "id_username")  # the summary takes the focus
    r = cliente.post(
        "/atencion/acceso/", {"username": usuario.username, "password": CLAVE_PERSONAL}
    )
    assert r["Location"] == "/atencion/acceso/codigo/"
    # Not six digits: read as a recovery code, which it is not.
    html = cliente.post("/atencion/acceso/codigo/", {"codigo": "NOESUNCODIGO"}).content.decode()
    assert 'href="#codigo"' in resumen(html)
    campo = etiqueta(html, "codigo")
    assert "error-codigo" in campo and 'aria-invalid="true"' in campo
    assert "autofocus" not in campo
