"""Text floods and hostile uploads through the filing API and page and the staff API.

Whatever arrives, the answer is never a 500, text is stored bounded and without the
bidirectional controls that make a name read differently from what it is, and a
refused upload leaves neither a row nor a file behind.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from atencion.tests.conftest import api_contribuyente, api_de, presentar, sesion_de
from promociones.models import Evento, Evidencia, Respuesta, Solicitud
from promociones.tests.conftest import iniciar_sesion, zip_bytes
from tests.adversario.conftest import archivos_en
from tests.personas import CONTRIBUYENTE, SUPERVISOR

# Bidirectional controls: embedding, override, isolates and the marks.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Code points a stored text may reach: 4,000 characters a person counts, each with a
# generous handful of code points (an emoji family is 8). Past this, someone is flooding.
MAXIMO_SANO = 4000 * 10
DIEZ_MB = 10 * 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PE = (
    b"MZ\x90\x00"
    + b"\x00" * 56
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x00" * 200
)

INUNDACION_DE_MARCAS = ("a" + "\u0301" * 500) * 40
BIDI_TEXTO = "Factura \u202egpj.exe\u202c pagada \u2066oculto\u2069 \u200fmarca"


def textos_guardados() -> Iterator[tuple[str, str]]:
    """(where, text) of every free text the database holds."""
    for s in Solicitud.objects.all():
        yield f"Solicitud {s.folio}.descripcion", s.descripcion
        yield f"Solicitud {s.folio}.clave_idempotencia", s.clave_idempotencia or ""
    for e in Evidencia.objects.all():
        yield "Evidencia.nombre_original", e.nombre_original
    for ev in Evento.objects.all():
        yield f"Evento {ev.tipo}.datos", json.dumps(ev.datos, ensure_ascii=False)
    for r in Respuesta.objects.all():
        yield "Respuesta.texto", r.texto
        yield "Respuesta.documento_nombre", r.documento_nombre


def revisar_guardado() -> None:
    for donde, texto in textos_guardados():
        assert len(texto) <= MAXIMO_SANO, f"{donde}: {len(texto)} code points guardados"
        assert not BIDI & set(texto), f"{donde}: guardó controles bidireccionales"
        assert "\x00" not in texto, f"{donde}: guardó NUL"
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in texto), f"{donde}: surrogates"
    for s in Solicitud.objects.all():
        assert len(s.clave_idempotencia or "") <= 100, "clave_idempotencia pasa de su columna"


def es_4xx_json(r: Any, *codigos: str) -> str:
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    codigo = r.json()["codigo"]
    if codigos:
        assert codigo in codigos, r.json()
    return str(codigo)


@pytest.fixture
def personas(catalogo: None) -> dict[str, Any]:
    dueno = CONTRIBUYENTE.crear()
    # Staff who may take every step on the owner's requests (emisiones' supervisor).
    analista = SUPERVISOR.crear()
    return {
        "dueno": dueno,
        "api": api_contribuyente(dueno),
        "pagina": iniciar_sesion(Client(), dueno),
        "analista": analista,
        "api_personal": api_de(analista),
        "pagina_personal": sesion_de(analista),
    }


def presentar_api(api: Client, *, extra: dict[str, Any] | None = None, **campos: Any) -> Any:
    datos: dict[str, Any] = {
        "servicio": "aclaracion",
        "asunto": "emisiones",
        "descripcion": "Pago del bimestre no reflejado.",
        "telefono": "5512345678",
        "evidencia": SimpleUploadedFile("evidencia.zip", zip_bytes(), "application/zip"),
    }
    datos.update(campos)
    return api.post("/api/v1/solicitudes", datos, **(extra or {}))


# --- the description -------------------------------------------------------------


@pytest.mark.django_db
def test_una_inundacion_de_marcas_combinantes_se_rechaza(personas: dict[str, Any]) -> None:
    r = presentar_api(personas["api"], descripcion=INUNDACION_DE_MARCAS)
    es_4xx_json(r, "descripcion_muy_larga")
    assert Solicitud.objects.count() == 0


@pytest.mark.django_db
def test_una_descripcion_de_10_mb_se_rechaza_sin_guardar(
    personas: dict[str, Any], entorno: Path
) -> None:
    r = presentar_api(personas["api"], descripcion="x" * DIEZ_MB)
    es_4xx_json(r, "descripcion_muy_larga", "cuerpo_muy_grande")
    assert Solicitud.objects.count() == 0
    assert archivos_en(entorno) == []


@pytest.mark.django_db
def test_los_controles_bidi_y_nul_no_se_guardan(personas: dict[str, Any]) -> None:
    r = presentar_api(personas["api"], descripcion=BIDI_TEXTO + "\x00 fin")
    if r.status_code == 201:
        assert not BIDI & set(r.json()["descripcion"])
    else:
        es_4xx_json(r)
    revisar_guardado()


@pytest.mark.django_db
def test_bytes_invalidos_en_un_formulario_no_son_un_500(personas: dict[str, Any]) -> None:
    frontera = "frontera123"
    partes = [
        (b"servicio", b"aclaracion"),
        (b"asunto", b"emisiones"),
        (b"descripcion", b"Pago \xff\xfe\xed\xa0\x80 incompleto"),
        (b"telefono", b"5512345678"),
    ]
    cuerpo = b"".join(
        b"--"
        + frontera.encode()
        + b'\r\nContent-Disposition: form-data; name="'
        + n
        + b'"\r\n\r\n'
        + v
        + b"\r\n"
        for n, v in partes
    )
    cuerpo += (
        b"--" + frontera.encode() + b'\r\nContent-Disposition: form-data; name="evidencia"; '
        b'filename="ev\xff\xfeidencia.zip"\r\nContent-Type: application/zip\r\n\r\n'
        + zip_bytes()
        + b"\r\n--"
        + frontera.encode()
        + b"--\r\n"
    )
    r = personas["api"].generic(
        "POST",
        "/api/v1/solicitudes",
        cuerpo,
        content_type=f"multipart/form-data; boundary={frontera}",
    )
    assert r.status_code < 500, r.content[:300]
    revisar_guardado()


@pytest.mark.django_db
def test_la_pagina_rechaza_la_inundacion_sin_500(personas: dict[str, Any]) -> None:
    for descripcion in (INUNDACION_DE_MARCAS, BIDI_TEXTO + "\x00", "x" * DIEZ_MB):
        r = personas["pagina"].post(
            "/promociones/aclaracion/nueva/",
            {
                "asunto": "emisiones",
                "descripcion": descripcion,
                "telefono": "5512345678",
                "evidencia": SimpleUploadedFile("e.zip", zip_bytes(), "application/zip"),
            },
        )
        assert r.status_code < 500, (len(descripcion), r.status_code)
        if descripcion is INUNDACION_DE_MARCAS:
            assert 400 <= r.status_code < 500
    revisar_guardado()


@pytest.mark.django_db
def test_una_clave_de_idempotencia_enorme_no_es_un_500(personas: dict[str, Any]) -> None:
    r = presentar_api(personas["api"], extra={"HTTP_IDEMPOTENCY_KEY": "k" * 10_000})
    assert r.status_code < 500
    revisar_guardado()


# --- staff text ------------------------------------------------------------------


@pytest.fixture
def solicitud(personas: dict[str, Any]) -> Solicitud:
    return presentar(personas["dueno"])


def post_json(c: Client, url: str, cuerpo: str) -> Any:
    return c.post(url, cuerpo, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nota",
    [INUNDACION_DE_MARCAS, "x" * DIEZ_MB, BIDI_TEXTO, "nota \x00 con nul"],
    ids=["marcas", "10mb", "bidi", "nul"],
)
def test_la_nota_de_prorroga_por_api(
    personas: dict[str, Any], solicitud: Solicitud, nota: str
) -> None:
    url = f"/api/v1/atencion/solicitudes/{solicitud.folio}/prorroga"
    r = post_json(personas["api_personal"], url, json.dumps({"nota": nota, "dias_habiles": 5}))
    assert r.status_code < 500, r.content[:300]
    if nota in (INUNDACION_DE_MARCAS,):
        es_4xx_json(r)
    revisar_guardado()


@pytest.mark.django_db
def test_un_surrogate_suelto_en_json_no_es_un_500(
    personas: dict[str, Any], solicitud: Solicitud
) -> None:
    url = f"/api/v1/atencion/solicitudes/{solicitud.folio}/prorroga"
    r = post_json(
        personas["api_personal"], url, '{"nota": "motivo \\ud800 roto", "dias_habiles": 5}'
    )
    assert r.status_code < 500, r.content[:300]
    revisar_guardado()


@pytest.mark.django_db
def test_bytes_invalidos_en_json_son_un_4xx(personas: dict[str, Any], solicitud: Solicitud) -> None:
    url = f"/api/v1/atencion/solicitudes/{solicitud.folio}/canalizacion"
    r = personas["api_personal"].generic(
        "POST",
        url,
        b'{"nota": "\xff\xfe", "servicio": "orientacion", "asunto": "emisiones"}',
        content_type="application/json",
    )
    es_4xx_json(r)
    revisar_guardado()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "texto", [INUNDACION_DE_MARCAS, BIDI_TEXTO, "resp\x00uesta"], ids=["marcas", "bidi", "nul"]
)
def test_el_texto_de_la_respuesta_por_api(
    personas: dict[str, Any], solicitud: Solicitud, texto: str
) -> None:
    r = personas["api_personal"].post(
        f"/api/v1/atencion/solicitudes/{solicitud.folio}/respuesta",
        {"texto": texto, "documento": SimpleUploadedFile("r\u202efdp.pdf", PDF, "application/pdf")},
    )
    assert r.status_code < 500, r.content[:300]
    if texto is INUNDACION_DE_MARCAS:
        es_4xx_json(r)
    revisar_guardado()


@pytest.mark.django_db
def test_la_nota_interna_por_la_pagina(personas: dict[str, Any], solicitud: Solicitud) -> None:
    for nota in (INUNDACION_DE_MARCAS, BIDI_TEXTO, "nota\x00", "x" * DIEZ_MB):
        r = personas["pagina_personal"].post(f"/atencion/{solicitud.folio}/nota", {"nota": nota})
        assert r.status_code < 500, (len(nota), r.status_code)
    revisar_guardado()


# --- uploads ---------------------------------------------------------------------


def zip_con(nombre: str, contenido: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo(nombre, (2026, 3, 2, 10, 0, 0)), contenido)
    return buffer.getvalue()


SUBIDAS_MALAS = {
    "ejecutable_renombrado": ("factura.zip", PE, {"evidencia_no_zip"}),
    "pdf_como_zip": ("factura.zip", PDF, {"evidencia_no_zip"}),
    "zip_que_escapa": ("factura.zip", zip_con("../../fuera.txt", b"x"), {"evidencia_peligrosa"}),
    "zip_anidado": ("factura.zip", zip_con("otro.zip", zip_bytes()), {"evidencia_peligrosa"}),
    "zip_de_mas_de_10_mb": (
        "grande.zip",
        b"PK\x03\x04" + b"\x00" * (DIEZ_MB + 1024),
        {"evidencia_muy_grande", "cuerpo_muy_grande"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("caso", sorted(SUBIDAS_MALAS))
def test_una_evidencia_hostil_se_rechaza_sin_dejar_nada(
    personas: dict[str, Any], entorno: Path, caso: str
) -> None:
    nombre, datos, codigos = SUBIDAS_MALAS[caso]
    r = presentar_api(
        personas["api"], evidencia=SimpleUploadedFile(nombre, datos, "application/zip")
    )
    es_4xx_json(r, *codigos)
    assert Solicitud.objects.count() == 0
    assert Evidencia.objects.count() == 0
    assert archivos_en(entorno) == []


@pytest.mark.django_db
def test_muchas_partes_de_archivo_se_rechazan_sin_dejar_nada(
    personas: dict[str, Any], entorno: Path
) -> None:
    r = presentar_api(
        personas["api"],
        evidencia=[
            SimpleUploadedFile(f"e{i}.zip", zip_bytes(), "application/zip") for i in range(50)
        ],
        otro=[SimpleUploadedFile(f"o{i}.zip", zip_bytes(), "application/zip") for i in range(50)],
    )
    es_4xx_json(r)
    assert Evidencia.objects.count() == 0
    assert archivos_en(entorno) == []


@pytest.mark.django_db
def test_un_nombre_de_archivo_hostil_se_guarda_limpio_y_acotado(personas: dict[str, Any]) -> None:
    for nombre in ("fact\u202epiz.exe.zip", "a" * 5000 + ".zip", "nul\x00.zip", "../../x.zip"):
        r = presentar_api(
            personas["api"], evidencia=SimpleUploadedFile(nombre, zip_bytes(), "application/zip")
        )
        assert r.status_code < 500, (nombre[:20], r.status_code)
    for e in Evidencia.objects.all():
        assert len(e.nombre_original) <= 255
        assert "/" not in e.nombre_original
    revisar_guardado()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nombre", "datos"),
    [("respuesta.pdf", zip_bytes()), ("respuesta.pdf", PE), ("respuesta.zip", zip_bytes())],
    ids=["zip_como_pdf", "ejecutable_como_pdf", "zip"],
)
def test_un_documento_de_respuesta_que_no_es_pdf_se_rechaza(
    personas: dict[str, Any], solicitud: Solicitud, entorno: Path, nombre: str, datos: bytes
) -> None:
    antes = archivos_en(entorno)
    r = personas["api_personal"].post(
        f"/api/v1/atencion/solicitudes/{solicitud.folio}/respuesta",
        {"texto": "Respuesta.", "documento": SimpleUploadedFile(nombre, datos, "application/pdf")},
    )
    es_4xx_json(r)
    assert Respuesta.objects.count() == 0
    assert archivos_en(entorno) == antes
