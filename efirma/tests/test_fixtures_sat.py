"""SAT's own test credentials (../shared/fixtures/sat): what SAT really issues reads right."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from efirma.certificados import leer_certificado
from efirma.confianza import AlmacenConfianza
from efirma.errores import ErrorEfirma
from efirma.llaves import firmar, leer_llave_privada, verificar_par
from efirma.revocacion import SinRevocacion
from efirma.verificacion import verificar_acceso

CONTRASENA = "12345678a"

# folder -> what the fixtures README and the certificates themselves say.
ESPERADO: dict[str, dict[str, object]] = {
    "fiel-EKU9003173C9": {
        "rfc": "EKU9003173C9",
        "rfc_representante": "VADA800927DJ3",
        "curp": "VADA800927HSRSRL05",
        "nombre": "ESCUELA KEMPER URGATE SA DE CV",
        "tipo": "moral",
        "es_efirma": True,
        "numero_certificado": "30001000000500003415",
        "emisor": "AC UAT",
        "valido_desde": "2023-05-18T04:37:14+00:00",
        "valido_hasta": "2027-05-17T04:37:14+00:00",
    },
    "fiel-CACX7605101P8": {
        "rfc": "CACX7605101P8",
        "rfc_representante": None,
        "curp": "CACX760510MGTSHC04",
        "nombre": "XOCHILT CASAS CHAVEZ",
        "tipo": "fisica",
        "es_efirma": True,
        "numero_certificado": "30001000000400002300",
        "emisor": "AC UAT",
        "valido_desde": "2019-05-28T21:49:54+00:00",
        "valido_hasta": "2023-05-27T21:49:54+00:00",
    },
    "fiel-AAA010101AAA": {
        "rfc": "AAA010101AAA",
        "rfc_representante": "HEGT7610034S2",
        "curp": "HEGT761003MDFRNN09",
        "nombre": "ACCEM SERVICIOS EMPRESARIALES SC",
        "tipo": "moral",
        "es_efirma": True,
        "numero_certificado": "30001000000300023685",
        "emisor": "A.C. 2 de pruebas(4096)",
        "valido_desde": "2017-05-16T23:29:17+00:00",
        "valido_hasta": "2021-05-15T23:29:17+00:00",
    },
    "csd-EKU9003173C9": {
        "rfc": "EKU9003173C9",
        "rfc_representante": "VADA800927DJ3",
        "curp": "VADA800927HSRSRL05",
        "nombre": "ESCUELA KEMPER URGATE SA DE CV",
        "tipo": "moral",
        "es_efirma": False,
        "numero_certificado": "30001000000500003416",
        "emisor": "AC UAT",
        "valido_desde": "2023-05-18T11:43:51+00:00",
        "valido_hasta": "2027-05-18T11:43:51+00:00",
    },
    "csd-AAA010101AAA": {
        "rfc": "AAA010101AAA",
        "rfc_representante": "HEGT7610034S2",
        "curp": "HEGT761003MDFRNN09",
        "nombre": "ACCEM SERVICIOS EMPRESARIALES SC",
        "tipo": "moral",
        "es_efirma": False,
        "numero_certificado": "30001000000300023708",
        "emisor": "A.C. 2 de pruebas(4096)",
        "valido_desde": "2017-05-18T03:54:56+00:00",
        "valido_hasta": "2021-05-18T03:54:56+00:00",
    },
    "csd-SMA0112284B2": {
        "rfc": "SMA0112284B2",
        "rfc_representante": "GOCA741120HY0",
        "curp": "GOCA741120HVZMNR00",
        "nombre": "COMPAÑIA SANTA MARIA SA DE CV",
        "tipo": "moral",
        "es_efirma": False,
        "numero_certificado": "00001000000413053762",
        "emisor": "A.C. del Servicio de Administración Tributaria",
        "valido_desde": "2018-12-26T22:23:47+00:00",
        "valido_hasta": "2022-12-26T22:23:47+00:00",
    },
}
VENCIDOS = {"fiel-CACX7605101P8", "fiel-AAA010101AAA", "csd-AAA010101AAA", "csd-SMA0112284B2"}
CON_LLAVE = sorted(c for c in ESPERADO if c != "csd-SMA0112284B2")
RETO = b"buzon-imss:reto:0123456789abcdef"


def cer(sat: Path, carpeta: str) -> bytes:
    return (sat / carpeta / "certificate.cer").read_bytes()


def key(sat: Path, carpeta: str) -> bytes:
    return (sat / carpeta / "private_key.key").read_bytes()


@pytest.mark.parametrize("carpeta", sorted(ESPERADO))
def test_fixture_certificate_reads_as_sat_describes_it(sat_fixtures: Path, carpeta: str) -> None:
    cert = leer_certificado(cer(sat_fixtures, carpeta))
    assert cert.a_dict() == ESPERADO[carpeta]


@pytest.mark.parametrize("carpeta", sorted(ESPERADO))
def test_fixture_validity_matches_the_readme(sat_fixtures: Path, carpeta: str) -> None:
    cert = leer_certificado(cer(sat_fixtures, carpeta))
    # 2026-01-01: after every expiry the README lists, before EKU's 2027 ones.
    assert cert.vigente_en(datetime(2026, 1, 1, tzinfo=UTC)) is (carpeta not in VENCIDOS)


@pytest.mark.parametrize("carpeta", sorted(c for c in ESPERADO if c.startswith("fiel-")))
def test_fixture_efirma_is_not_trusted_without_its_ca(sat_fixtures: Path, carpeta: str) -> None:
    llave = leer_llave_privada(key(sat_fixtures, carpeta), CONTRASENA)
    with pytest.raises(ErrorEfirma) as error:
        verificar_acceso(
            rfc=str(ESPERADO[carpeta]["rfc"]),
            certificado_der=cer(sat_fixtures, carpeta),
            mensaje=RETO,
            firma=firmar(llave, RETO),
            almacen=AlmacenConfianza([]),
            revocacion=SinRevocacion(),
        )
    assert error.value.codigo == "certificado_no_confiable"


@pytest.mark.parametrize("carpeta", sorted(c for c in ESPERADO if c.startswith("csd-")))
def test_fixture_csd_never_opens_a_session(sat_fixtures: Path, carpeta: str) -> None:
    # Even with its own certificate in the store, a CSD is refused before trust.
    der = cer(sat_fixtures, carpeta)
    with pytest.raises(ErrorEfirma) as error:
        verificar_acceso(
            rfc=str(ESPERADO[carpeta]["rfc"]),
            certificado_der=der,
            mensaje=RETO,
            firma=b"\x00" * 256,
            almacen=AlmacenConfianza([der]),
            revocacion=SinRevocacion(),
        )
    assert error.value.codigo == "no_es_efirma"


@pytest.mark.parametrize("carpeta", CON_LLAVE)
def test_fixture_key_decrypts_with_sat_password_and_matches_its_certificate(
    sat_fixtures: Path, carpeta: str
) -> None:
    llave = leer_llave_privada(key(sat_fixtures, carpeta), CONTRASENA)
    cert = leer_certificado(cer(sat_fixtures, carpeta))
    verificar_par(cert, llave)
    assert llave.key_size == 2048


def test_fixture_key_with_wrong_password_is_contrasena_incorrecta(sat_fixtures: Path) -> None:
    for contrasena in ("12345678A", "", "12345678a "):
        with pytest.raises(ErrorEfirma) as error:
            leer_llave_privada(key(sat_fixtures, "fiel-EKU9003173C9"), contrasena)
        assert error.value.codigo == "contrasena_incorrecta"


def test_fixture_key_of_another_certificate_is_llave_no_corresponde(sat_fixtures: Path) -> None:
    # Same taxpayer, e.firma key against the CSD certificate: still another key pair.
    llave = leer_llave_privada(key(sat_fixtures, "fiel-EKU9003173C9"), CONTRASENA)
    for carpeta in ("csd-EKU9003173C9", "fiel-CACX7605101P8"):
        with pytest.raises(ErrorEfirma) as error:
            verificar_par(leer_certificado(cer(sat_fixtures, carpeta)), llave)
        assert error.value.codigo == "llave_no_corresponde"


def test_efirma_inspect_reads_every_fixture_certificate(sat_fixtures: Path) -> None:
    carpetas = sorted(ESPERADO)
    archivos = [str(sat_fixtures / c / "certificate.cer") for c in carpetas]
    salida = io.StringIO()
    call_command("efirma_inspect", *archivos, stdout=salida)
    lineas = salida.getvalue().splitlines()
    assert [json.loads(linea) for linea in lineas] == [
        {"archivo": archivo, **ESPERADO[carpeta]}
        for archivo, carpeta in zip(archivos, carpetas, strict=True)
    ]
    assert "COMPAÑIA SANTA MARIA SA DE CV" in salida.getvalue()  # not \u00d1
