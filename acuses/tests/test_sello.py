from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured

from acuses import pdf, sello
from acuses.verificacion import verificar_pdf
from conftest import skip_or_fail
from promociones.hechos import emitir_acuse


@pytest.fixture(autouse=True)
def _silencio(caplog):
    caplog.set_level(logging.WARNING, logger="acuses.verificacion")


def rotar(settings, sello_de_prueba: Path, destino: Path) -> Path:
    """Retire the session's certificate to an 'anteriores' folder and install a new pair."""
    anteriores = destino / "anteriores"
    anteriores.mkdir(parents=True)
    shutil.copy(sello_de_prueba / "sello.cer", anteriores / "retirado.cer")
    cer, key, _ = sello.generar_par(destino / "nuevo", nombre="IMSS Buzón — sello 2027")
    settings.ACUSE_SELLO_CERT = cer
    settings.ACUSE_SELLO_KEY = key
    settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR = anteriores
    return anteriores


def test_rotated_key_keeps_older_acuses_verifiable(
    recepcion, solicitud, settings, sello_de_prueba, tmp_path
):
    descargado_antes = pdf.pdf_de(recepcion)
    numero_anterior = recepcion.numero_certificado_sello
    anteriores = rotar(settings, sello_de_prueba, tmp_path)

    prorroga = emitir_acuse(
        solicitud=solicitud,
        tipo="prorroga",
        momento=recepcion.emitido,
        extra={"nueva_fecha": solicitud.respuesta_a_partir_del},
    )
    assert prorroga.numero_certificado_sello != numero_anterior
    assert set(sello.certificados()) == {prorroga.numero_certificado_sello, numero_anterior}

    # The PDF downloaded before the rotation, signed by the retired key.
    assert verificar_pdf(descargado_antes).valido
    # The same acuse downloaded now: the PDF signed by the new key, the sello by the old.
    assert verificar_pdf(pdf.pdf_de(recepcion)).valido
    assert verificar_pdf(pdf.pdf_de(prorroga)).valido

    # Drop the retired certificate and both old PDFs stop verifying.
    shutil.rmtree(anteriores)
    assert verificar_pdf(descargado_antes).motivo == "firmante_desconocido"
    assert verificar_pdf(pdf.pdf_de(recepcion)).motivo == "sello_invalido"


def test_certificates_are_read_from_der_and_pem_in_the_anteriores_folder(
    settings, sello_de_prueba, tmp_path
):
    anteriores = tmp_path / "anteriores"
    anteriores.mkdir()
    otro, _, _ = sello.generar_par(tmp_path / "otro", nombre="Otro")
    certificado = x509.load_der_x509_certificate(otro.read_bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    (anteriores / "otro.pem").write_bytes(certificado.public_bytes(Encoding.PEM))
    (anteriores / "LEEME.txt").write_text("no es un certificado")
    settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR = anteriores
    numeros = list(sello.certificados())
    assert numeros[0] == sello.material().numero  # the current one first
    assert sello.numero_certificado(certificado) in numeros
    assert len(numeros) == 2


def test_password_comes_from_settings_before_the_file(settings, tmp_path):
    cer, key, archivo = sello.generar_par(tmp_path, password="contraseña-del-entorno")
    assert archivo is None
    settings.ACUSE_SELLO_CERT, settings.ACUSE_SELLO_KEY = cer, key
    settings.ACUSE_SELLO_PASSWORD = "contraseña-del-entorno"
    assert sello.material().certificado.serial_number > 0
    settings.ACUSE_SELLO_PASSWORD = "otra"
    with pytest.raises(ImproperlyConfigured, match="BUZON_SELLO_PASSWORD"):
        sello.material()


def test_key_not_matching_its_certificate_is_refused(settings, tmp_path):
    cer_a, _, _ = sello.generar_par(tmp_path / "a")
    _, key_b, _ = sello.generar_par(tmp_path / "b")
    settings.ACUSE_SELLO_CERT, settings.ACUSE_SELLO_KEY = cer_a, key_b
    with pytest.raises(ImproperlyConfigured, match="no corresponde"):
        sello.material()


def test_missing_sealing_files_say_how_to_fix_it(settings, tmp_path):
    settings.ACUSE_SELLO_CERT = tmp_path / "no.cer"
    with pytest.raises(ImproperlyConfigured, match="sello_demo"):
        sello.material()


def test_generated_key_is_encrypted_and_private(sello_de_prueba):
    llave = sello_de_prueba / "sello.key"
    assert llave.stat().st_mode & 0o077 == 0
    assert (sello_de_prueba / "sello.password").stat().st_mode & 0o077 == 0
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    with pytest.raises(TypeError):  # a password is required
        load_der_private_key(llave.read_bytes(), password=None)


def openssl(*argumentos: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *map(str, argumentos)], capture_output=True, text=True, check=False
    )


def test_openssl_verifies_the_sello_as_docs_describe(recepcion, sello_de_prueba, tmp_path):
    if shutil.which("openssl") is None:
        skip_or_fail("OPENSSL", "openssl CLI not found")
    cadena, firma, publica = tmp_path / "cadena.txt", tmp_path / "sello.bin", tmp_path / "pub"
    cadena.write_bytes(recepcion.cadena_original.encode("utf-8"))
    (tmp_path / "sello.b64").write_text(recepcion.sello)
    certificado = sello_de_prueba / "sello.cer"
    assert (
        openssl(
            "x509", "-inform", "DER", "-in", certificado, "-pubkey", "-noout", "-out", publica
        ).returncode
        == 0
    )
    assert (
        openssl("base64", "-d", "-A", "-in", tmp_path / "sello.b64", "-out", firma).returncode == 0
    )

    resultado = openssl("dgst", "-sha256", "-verify", publica, "-signature", firma, cadena)
    assert resultado.stdout.strip() == "Verified OK", resultado.stderr

    cadena.write_bytes(recepcion.cadena_original.replace("|1|", "|2|", 1).encode("utf-8"))
    alterada = openssl("dgst", "-sha256", "-verify", publica, "-signature", firma, cadena)
    assert alterada.returncode != 0
