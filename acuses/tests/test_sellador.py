"""The sealing key behind an interface: another Sellador (a hardware module, a signing
service) seals acuses and signs their PDFs without the key file in the process."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from acuses import pdf, sello
from acuses.services import sellar_hechos
from acuses.verificacion import verificar_pdf

LLAMADAS: list[int] = []


class SelladorExterno:
    """Signs with a key only it holds, as an HSM would; counts what it signs."""

    def __init__(self) -> None:
        archivo = sello.material_de_archivo()
        self.certificado = archivo.certificado
        self.numero = archivo.numero
        self._llave: rsa.RSAPrivateKey = archivo.llave

    def firmar(self, datos: bytes) -> bytes:
        LLAMADAS.append(len(datos))
        return sello.MaterialSello(self._llave, self.certificado, self.numero).firmar(datos)


_UNICO = None


def sellador_externo() -> SelladorExterno:
    global _UNICO
    if _UNICO is None:
        _UNICO = SelladorExterno()
    return _UNICO


@pytest.fixture
def externo(settings):
    settings.ACUSE_SELLADOR = f"{__name__}.sellador_externo"
    LLAMADAS.clear()
    yield
    sello._sellador_configurado.cache_clear()


def test_the_file_key_is_one_sellador():
    material = sello.material()
    assert isinstance(material, sello.MaterialSello)
    firma = material.firmar(b"hola")
    assert sello.sello_valido("hola", base64.b64encode(firma).decode(), material.certificado)


@pytest.mark.django_db
def test_a_configured_sellador_seals_the_cadena_and_signs_the_pdf(externo, recepcion):
    assert isinstance(sello.material(), SelladorExterno)
    assert len(LLAMADAS) == 1  # issuing the fixture's acuse went through it too
    LLAMADAS.clear()
    hechos = dict(recepcion.hechos)
    acuse = sellar_hechos(hechos, sello.material(), emitido=recepcion.emitido)
    assert len(LLAMADAS) == 1  # the sello of the cadena
    datos = pdf.firmar(pdf.renderizar(recepcion), recepcion)
    assert len(LLAMADAS) == 2  # and the PDF's signature
    assert verificar_pdf(datos).valido
    # PKCS#1 v1.5 is deterministic: the same key over the same cadena, the same sello.
    assert acuse.sello == recepcion.sello
