"""verificar_acceso: the login decision and the order of its checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pytest_django.fixtures import Settings

from efirma import confianza
from efirma.confianza import AlmacenConfianza
from efirma.emision import AutoridadCertificadora, a_pem, crear_crl
from efirma.errores import CODIGOS, ErrorEfirma
from efirma.revocacion import RevocacionCRL, SinRevocacion
from efirma.tests.ayudas import AHORA, Emitido, alterar_firma, hace
from efirma.verificacion import verificar_acceso

RETO = "Buzón IMSS · reto 7f3a9c · 2026-11-28T10:00:00-06:00".encode()


def acceso(emitido: Emitido, rfc: str, almacen: AlmacenConfianza, **cambios: Any) -> str | None:
    """verificar_acceso with a correct signature unless ``cambios`` says otherwise."""
    argumentos: dict[str, Any] = {
        "rfc": rfc,
        "certificado_der": emitido.der,
        "mensaje": RETO,
        "firma": emitido.firmar(RETO),
        "almacen": almacen,
        "revocacion": SinRevocacion(),
        **cambios,
    }
    try:
        verificar_acceso(**argumentos)
    except ErrorEfirma as error:
        assert error.codigo in CODIGOS
        return error.codigo
    return None


def test_persona_fisica_opens_a_session(fisica: Emitido, almacen: AlmacenConfianza) -> None:
    cert = verificar_acceso(
        rfc="PEÑM800101AB9",
        certificado_der=fisica.der,
        mensaje=RETO,
        firma=fisica.firmar(RETO),
        almacen=almacen,
        revocacion=SinRevocacion(),
    )
    assert (cert.rfc, cert.nombre, cert.tipo) == ("PEÑM800101AB9", "MARÍA PEÑA NÚÑEZ", "fisica")


def test_persona_moral_opens_a_session_with_the_companys_rfc(
    moral: Emitido, almacen: AlmacenConfianza
) -> None:
    assert acceso(moral, " h&e951128469 ", almacen) is None


def test_representatives_own_rfc_does_not_open_the_companys_session(
    moral: Emitido, almacen: AlmacenConfianza
) -> None:
    assert acceso(moral, "GODE561231GR8", almacen) == "rfc_no_coincide"


def test_another_rfc_is_rfc_no_coincide(fisica: Emitido, almacen: AlmacenConfianza) -> None:
    assert acceso(fisica, "GODE561231GR8", almacen) == "rfc_no_coincide"


def test_pem_certificate_is_accepted(fisica: Emitido, almacen: AlmacenConfianza) -> None:
    assert acceso(fisica, "PEÑM800101AB9", almacen, certificado_der=a_pem(fisica.der)) is None


@pytest.mark.parametrize(
    "firma",
    [
        "otra_llave",
        "otro_mensaje",
        "sha1",
        "pss",
        "vacia",
        "alterada",
    ],
)
def test_signature_that_is_not_pkcs1_sha256_of_the_challenge_is_firma_invalida(
    fisica: Emitido, moral: Emitido, almacen: AlmacenConfianza, firma: str
) -> None:
    buena = fisica.firmar(RETO)
    firmas = {
        "otra_llave": moral.firmar(RETO),
        "otro_mensaje": fisica.firmar(RETO + b"!"),
        "sha1": fisica.llave.sign(RETO, padding.PKCS1v15(), hashes.SHA1()),  # noqa: S303
        "pss": fisica.llave.sign(
            RETO,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        ),
        "vacia": b"",
        "alterada": buena[:-1] + bytes([buena[-1] ^ 1]),
    }
    assert acceso(fisica, "PEÑM800101AB9", almacen, firma=firmas[firma]) == "firma_invalida"


def test_csd_is_no_es_efirma(csd: Emitido, almacen: AlmacenConfianza) -> None:
    assert acceso(csd, "H&E951128469", almacen) == "no_es_efirma"


def test_garbage_certificate_is_certificado_invalido(
    almacen: AlmacenConfianza, fisica: Emitido
) -> None:
    basura = Emitido(b"\x30\x03\x02\x01\x00", fisica.llave)
    assert acceso(basura, "PEÑM800101AB9", almacen, firma=b"x") == "certificado_invalido"


@pytest.fixture(scope="module")
def vencido_ajeno(emitir: Callable[..., Emitido], ca_ajena: AutoridadCertificadora) -> Emitido:
    return emitir(
        ca=ca_ajena, rfc="GODE561231GR8", nombre="X", valido_desde=hace(9), valido_hasta=hace(1)
    )


@pytest.fixture(scope="module")
def vencido(emitir: Callable[..., Emitido]) -> Emitido:
    return emitir(
        llave="vencido",
        rfc="GODE561231GR8",
        nombre="X",
        valido_desde=hace(9),
        valido_hasta=hace(1),
        numero="30001000000500000777",
    )


def test_checks_come_in_the_documented_order(
    tmp_path: Path,
    almacen: AlmacenConfianza,
    ca_raiz: AutoridadCertificadora,
    csd: Emitido,
    fisica: Emitido,
    vencido: Emitido,
    vencido_ajeno: Emitido,
) -> None:
    malo = {"firma": b"mala"}
    # Each line breaks two rules; the earlier one in the order is reported.
    basura = Emitido(b"no es certificado", fisica.llave)
    assert acceso(basura, "RFC MAL", almacen, **malo) == "certificado_invalido"
    assert acceso(csd, "RFC MAL", almacen, **malo) == "rfc_invalido"
    assert acceso(csd, "H&E951128469", AlmacenConfianza([]), **malo) == "no_es_efirma"
    assert acceso(vencido_ajeno, "GODE561231GR8", almacen, **malo) == ("certificado_no_confiable")
    crl = tmp_path / "ac.crl"
    crl.write_bytes(
        crear_crl(
            ca_raiz,
            [
                int.from_bytes(b"30001000000500000777", "big"),
                int.from_bytes(b"30001000000500001234", "big"),
            ],
        )
    )
    revocacion = RevocacionCRL(crl)
    assert acceso(vencido, "XAXX010101000", almacen, revocacion=revocacion, **malo) == (
        "certificado_vencido"
    )
    assert acceso(fisica, "XAXX010101000", almacen, revocacion=revocacion, **malo) == (
        "certificado_revocado"
    )
    assert acceso(fisica, "XAXX010101000", almacen, **malo) == "rfc_no_coincide"
    assert acceso(fisica, "PEÑM800101AB9", almacen, **malo) == "firma_invalida"


def test_tampered_certificate_is_no_confiable(fisica: Emitido, almacen: AlmacenConfianza) -> None:
    alterado = Emitido(alterar_firma(fisica.der), fisica.llave)
    assert acceso(alterado, "PEÑM800101AB9", almacen) == "certificado_no_confiable"


def test_revocation_is_asked_about_the_issuer_found_in_the_store(
    fisica: Emitido, almacen: AlmacenConfianza, ca_raiz: AutoridadCertificadora
) -> None:
    preguntas: list[tuple[str, bytes]] = []

    class Anotadora:
        def verificar(self, cert: Any, emisor_der: bytes, momento: Any) -> None:
            preguntas.append((cert.rfc, emisor_der))

    assert acceso(fisica, "PEÑM800101AB9", almacen, revocacion=Anotadora()) is None
    assert preguntas == [("PEÑM800101AB9", ca_raiz.certificado_der)]


def test_revocation_unknown_blocks_the_session(
    fisica: Emitido, almacen: AlmacenConfianza, tmp_path: Path
) -> None:
    sin_crl = RevocacionCRL(tmp_path / "no-existe.crl")
    assert acceso(fisica, "PEÑM800101AB9", almacen, revocacion=sin_crl) == (
        "revocacion_no_disponible"
    )


def test_defaults_come_from_settings(
    settings: Settings, tmp_path: Path, fisica: Emitido, ca_raiz: AutoridadCertificadora
) -> None:
    (tmp_path / "ca.cer").write_bytes(ca_raiz.certificado_der)
    settings.EFIRMA_CA_DIR = tmp_path
    settings.EFIRMA_REVOCACION = "none"
    try:
        cert = verificar_acceso(
            rfc="PEÑM800101AB9",
            certificado_der=fisica.der,
            mensaje=RETO,
            firma=fisica.firmar(RETO),
        )
        assert cert.rfc == "PEÑM800101AB9"
        settings.EFIRMA_CA_DIR = tmp_path / "vacia"
        with pytest.raises(ErrorEfirma) as error:
            verificar_acceso(
                rfc="PEÑM800101AB9",
                certificado_der=fisica.der,
                mensaje=RETO,
                firma=fisica.firmar(RETO),
            )
        assert error.value.codigo == "certificado_no_confiable"
    finally:
        confianza._cache.clear()


def test_moment_must_be_timezone_aware(fisica: Emitido, almacen: AlmacenConfianza) -> None:
    with pytest.raises(ValueError, match="zona horaria"):
        acceso(fisica, "PEÑM800101AB9", almacen, momento=AHORA.replace(tzinfo=None))


def test_every_verdict_has_a_spanish_message_and_no_field_or_status() -> None:
    # Fields and statuses are the web's (buzon.errores, cuentas.services.error_de_efirma).
    for codigo in CODIGOS:
        error = ErrorEfirma(codigo)
        assert error.mensaje.endswith("."), codigo
        assert len(error.mensaje) > 40, codigo
        assert not hasattr(error, "campo") and not hasattr(error, "status"), codigo
    with pytest.raises(ValueError):
        ErrorEfirma("codigo_inventado")
