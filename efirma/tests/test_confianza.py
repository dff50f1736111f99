"""The trust store: chains, signatures, validity, folders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from efirma import confianza, emision
from efirma.certificados import leer_certificado
from efirma.confianza import AlmacenConfianza, almacen_configurado
from efirma.emision import AutoridadCertificadora, a_pem
from efirma.errores import ErrorEfirma
from efirma.tests.ayudas import AHORA, Emitido, alterar_firma, en, hace
from efirma.tests.conftest import PoolLlaves


def codigo(almacen: AlmacenConfianza, der: bytes, momento: datetime = AHORA) -> str | None:
    try:
        almacen.verificar(leer_certificado(der), momento)
    except ErrorEfirma as error:
        return error.codigo
    return None


def test_certificate_issued_by_a_trusted_root_is_trusted(
    almacen: AlmacenConfianza, fisica: Emitido, ca_raiz: AutoridadCertificadora
) -> None:
    assert codigo(almacen, fisica.der) is None
    assert almacen.cadena(leer_certificado(fisica.der), AHORA) == [ca_raiz.certificado_der]


def test_certificate_from_an_unknown_issuer_is_no_confiable(
    almacen: AlmacenConfianza, emitir: Callable[..., Emitido], ca_ajena: AutoridadCertificadora
) -> None:
    ajeno = emitir(ca=ca_ajena, rfc="GODE561231GR8", nombre="DEMETRIO GÓMEZ")
    assert codigo(almacen, ajeno.der) == "certificado_no_confiable"
    assert codigo(AlmacenConfianza([]), ajeno.der) == "certificado_no_confiable"


def test_same_issuer_name_with_another_key_is_no_confiable(
    llaves: PoolLlaves, almacen: AlmacenConfianza, emitir: Callable[..., Emitido]
) -> None:
    # An impostor CA that copies the trusted root's name but holds its own key.
    impostora = emision.crear_ca("AC Raíz de Pruebas", llave=llaves("impostora"))
    falso = emitir(ca=impostora, rfc="GODE561231GR8", nombre="DEMETRIO GÓMEZ")
    assert codigo(almacen, falso.der) == "certificado_no_confiable"


def test_tampered_issuer_signature_is_no_confiable(
    almacen: AlmacenConfianza, fisica: Emitido
) -> None:
    alterado = alterar_firma(fisica.der)
    assert leer_certificado(alterado).rfc == "PEÑM800101AB9"  # still readable
    assert codigo(almacen, alterado) == "certificado_no_confiable"


def test_expired_certificate_is_vencido(
    almacen: AlmacenConfianza, emitir: Callable[..., Emitido]
) -> None:
    vencido = emitir(rfc="GODE561231GR8", nombre="X", valido_desde=hace(400), valido_hasta=hace(1))
    with pytest.raises(ErrorEfirma) as error:
        almacen.verificar(leer_certificado(vencido.der), AHORA)
    assert error.value.codigo == "certificado_vencido"
    assert "venció el" in error.value.mensaje


def test_not_yet_valid_certificate_is_vencido(
    almacen: AlmacenConfianza, emitir: Callable[..., Emitido]
) -> None:
    futuro = emitir(rfc="GODE561231GR8", nombre="X", valido_desde=en(2), valido_hasta=en(400))
    with pytest.raises(ErrorEfirma) as error:
        almacen.verificar(leer_certificado(futuro.der), AHORA)
    assert error.value.codigo == "certificado_vencido"
    assert "aún no es vigente" in error.value.mensaje


def test_validity_is_judged_at_the_given_moment(almacen: AlmacenConfianza, fisica: Emitido) -> None:
    cert = leer_certificado(fisica.der)
    assert codigo(almacen, fisica.der, cert.valido_hasta) is None
    assert codigo(almacen, fisica.der, en(5 * 365)) == "certificado_vencido"


def test_untrusted_and_expired_is_no_confiable_first(
    almacen: AlmacenConfianza, emitir: Callable[..., Emitido], ca_ajena: AutoridadCertificadora
) -> None:
    ambos = emitir(
        ca=ca_ajena, rfc="GODE561231GR8", nombre="X", valido_desde=hace(9), valido_hasta=hace(1)
    )
    assert codigo(almacen, ambos.der) == "certificado_no_confiable"


def test_intermediate_in_the_store_is_trusted_on_its_own(
    emitir: Callable[..., Emitido], ca_intermedia: AutoridadCertificadora
) -> None:
    hoja = emitir(ca=ca_intermedia, rfc="GODE561231GR8", nombre="X")
    assert codigo(AlmacenConfianza([ca_intermedia.certificado_der]), hoja.der) is None


def test_chain_through_intermediate_to_root_is_built(
    emitir: Callable[..., Emitido],
    ca_raiz: AutoridadCertificadora,
    ca_intermedia: AutoridadCertificadora,
) -> None:
    hoja = emitir(ca=ca_intermedia, rfc="GODE561231GR8", nombre="X")
    almacen = AlmacenConfianza([ca_raiz.certificado_der, ca_intermedia.certificado_der])
    assert almacen.cadena(leer_certificado(hoja.der), AHORA) == [
        ca_intermedia.certificado_der,
        ca_raiz.certificado_der,
    ]


def test_root_alone_does_not_vouch_for_an_intermediate_it_never_saw(
    almacen: AlmacenConfianza, emitir: Callable[..., Emitido], ca_intermedia: AutoridadCertificadora
) -> None:
    # The chain is built only from the store: the client cannot bring intermediates.
    hoja = emitir(ca=ca_intermedia, rfc="GODE561231GR8", nombre="X")
    assert codigo(almacen, hoja.der) == "certificado_no_confiable"


def test_expired_ca_in_the_chain_makes_the_certificate_vencido(
    llaves: PoolLlaves, ca_raiz: AutoridadCertificadora, emitir: Callable[..., Emitido]
) -> None:
    intermedia_vencida = emision.crear_ca(
        "AC Intermedia Vencida",
        emisor=ca_raiz,
        llave=llaves("intermedia-vencida"),
        valido_desde=hace(30),
        valido_hasta=hace(1),
    )
    hoja = emitir(ca=intermedia_vencida, rfc="GODE561231GR8", nombre="X", valido_desde=hace(10))
    almacen = AlmacenConfianza([ca_raiz.certificado_der, intermedia_vencida.certificado_der])
    with pytest.raises(ErrorEfirma) as error:
        almacen.verificar(leer_certificado(hoja.der), AHORA)
    assert error.value.codigo == "certificado_vencido"
    assert "AC Intermedia Vencida" in error.value.mensaje


def test_a_leaf_certificate_cannot_act_as_a_ca(
    almacen: AlmacenConfianza, fisica: Emitido, emitir: Callable[..., Emitido]
) -> None:
    # A taxpayer's own e.firma, even if someone put it in the folder, issues nothing.
    falsa_ca = AutoridadCertificadora(certificado_der=fisica.der, llave=fisica.llave)
    hija = emitir(ca=falsa_ca, rfc="GODE561231GR8", nombre="X")
    assert codigo(AlmacenConfianza([fisica.der]), hija.der) == "certificado_no_confiable"


def test_folder_reads_der_and_pem_files_of_any_extension(
    tmp_path: Path,
    ca_raiz: AutoridadCertificadora,
    ca_intermedia: AutoridadCertificadora,
    ca_ajena: AutoridadCertificadora,
) -> None:
    (tmp_path / "raiz.cer").write_bytes(ca_raiz.certificado_der)
    # Two PEM blocks in one file, with text around them as OpenSSL bundles have.
    (tmp_path / "cadena").write_bytes(
        b"AC intermedia\n" + ca_intermedia.certificado_pem + b"\n" + ca_ajena.certificado_pem
    )
    (tmp_path / "LEEME.txt").write_text("No es un certificado.", encoding="utf-8")
    (tmp_path / "subcarpeta").mkdir()
    almacen = AlmacenConfianza.desde_directorio(tmp_path)
    assert sorted(almacen.autoridades) == sorted(
        [ca_raiz.certificado_der, ca_intermedia.certificado_der, ca_ajena.certificado_der]
    )


def test_missing_folder_trusts_nobody(tmp_path: Path, fisica: Emitido) -> None:
    almacen = AlmacenConfianza.desde_directorio(tmp_path / "no-existe")
    assert almacen.autoridades == ()
    assert codigo(almacen, fisica.der) == "certificado_no_confiable"


def test_configured_store_is_cached_until_the_folder_changes(
    tmp_path: Path,
    settings: Settings,
    ca_raiz: AutoridadCertificadora,
    ca_ajena: AutoridadCertificadora,
) -> None:
    settings.EFIRMA_CA_DIR = tmp_path
    (tmp_path / "raiz.pem").write_bytes(a_pem(ca_raiz.certificado_der))
    primero = almacen_configurado()
    assert primero.autoridades == (ca_raiz.certificado_der,)
    assert almacen_configurado() is primero
    (tmp_path / "ajena.cer").write_bytes(ca_ajena.certificado_der)
    segundo = almacen_configurado()
    assert segundo is not primero
    assert len(segundo.autoridades) == 2
    confianza._cache.clear()
