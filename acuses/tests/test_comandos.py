from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acuses import pdf, sello
from acuses.models import Acuse, nuevo_codigo_verificacion
from acuses.services import sellar_hechos
from buzon.lib import cadena


@pytest.fixture(autouse=True)
def _silencio(caplog):
    caplog.set_level(logging.WARNING, logger="acuses.verificacion")


def acuse_en_memoria() -> Acuse:
    """A sealed acuse that exists only in memory: these tests have no database at all."""
    material = sello.material()
    codigo = nuevo_codigo_verificacion()
    emitido = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    hechos = {
        "version": cadena.VERSION,
        "tipo": "recepcion",
        "codigo_verificacion": codigo,
        "numero_certificado_sello": material.numero,
        "emitido": cadena.momento(emitido),
        "folio": "O-2026-000007",
        "rfc": "EKU9003173C9",
        "nombre": "ESCUELA KEMPER URGATE SA DE CV",
        "servicio": "Orientación",
        "asunto": "ICSOE",
        "recibida": cadena.momento(emitido),
        "computo_desde": "2026-11-30",
        "respuesta_a_partir_del": "2026-12-07",
        "descripcion_sha256": cadena.sha256_texto("¿Cómo registro un contrato?"),
        "evidencias": [],
        "descripcion": "¿Cómo registro un contrato?",
    }
    return sellar_hechos(hechos, material, emitido=emitido)


def correr(*argumentos: str) -> tuple[int, list[dict]]:
    salida = StringIO()
    try:
        call_command("verificar_acuse", *argumentos, stdout=salida)
        codigo = 0
    except SystemExit as salida_sistema:
        codigo = int(salida_sistema.code or 0)
    return codigo, [json.loads(linea) for linea in salida.getvalue().splitlines()]


def test_verificar_acuse_accepts_a_genuine_pdf_offline(tmp_path):
    acuse = acuse_en_memoria()
    archivo = tmp_path / "acuse.pdf"
    archivo.write_bytes(pdf.pdf_de(acuse))
    codigo, (linea,) = correr(str(archivo))
    assert codigo == 0
    assert linea["valido"] is True
    assert linea["archivo"] == str(archivo)
    assert linea["hechos"]["folio"] == "O-2026-000007"
    assert linea["hechos"]["codigo_verificacion"] == acuse.codigo_verificacion


def test_verificar_acuse_refuses_one_changed_byte_and_exits_1(tmp_path):
    datos = bytearray(pdf.pdf_de(acuse_en_memoria()))
    datos[len(datos) // 3] ^= 0x01
    bueno = tmp_path / "bueno.pdf"
    bueno.write_bytes(pdf.pdf_de(acuse_en_memoria()))
    malo = tmp_path / "malo.pdf"
    malo.write_bytes(bytes(datos))
    codigo, lineas = correr(str(bueno), str(malo), str(tmp_path / "no-existe.pdf"))
    assert codigo == 1
    assert [linea["valido"] for linea in lineas] == [True, False, False]
    assert lineas[1]["motivo"] in ("pdf_alterado", "pdf_ilegible")
    assert lineas[2]["motivo"] == "archivo_no_legible"
    assert "hechos" not in lineas[1]


@pytest.fixture
def datos_demo(settings, tmp_path) -> Path:
    carpeta = tmp_path / "demo" / "sello"
    settings.DATA_DIR = tmp_path
    settings.ACUSE_SELLO_CERT = carpeta / "sello.cer"
    settings.ACUSE_SELLO_KEY = carpeta / "sello.key"
    settings.ACUSE_SELLO_PASSWORD = ""
    settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR = carpeta / "anteriores"
    return carpeta


def test_sello_demo_creates_the_pair_once(datos_demo):
    call_command("sello_demo", stdout=StringIO())
    certificado = (datos_demo / "sello.cer").read_bytes()
    assert (datos_demo / "sello.key").exists() and (datos_demo / "sello.password").exists()
    assert "(DEMO)" in sello.material().certificado.subject.rfc4514_string()

    salida = StringIO()
    call_command("sello_demo", stdout=salida)
    assert "ya existe" in salida.getvalue()
    assert (datos_demo / "sello.cer").read_bytes() == certificado


def test_sello_demo_rotar_retires_the_certificate_and_keeps_it_known(datos_demo):
    call_command("sello_demo", stdout=StringIO())
    anterior = sello.material().numero
    call_command("sello_demo", "--rotar", stdout=StringIO())
    nuevo = sello.material().numero
    assert nuevo != anterior
    assert (datos_demo / "anteriores" / f"{anterior}.cer").exists()
    assert set(sello.certificados()) == {anterior, nuevo}


def test_sello_demo_never_touches_a_configured_production_pair(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ACUSE_SELLO_CERT = tmp_path / "produccion" / "imss.cer"
    settings.ACUSE_SELLO_KEY = tmp_path / "produccion" / "imss.key"
    with pytest.raises(CommandError, match="fuera de la carpeta de demostración"):
        call_command("sello_demo", stdout=StringIO())
    assert not (tmp_path / "produccion").exists()
