"""Keys, CAs and certificates shared by the e.firma tests.

RSA-2048 generation costs 50-100 ms a key, so keys are made once per session and
handed out by name; CAs and certificates are made once per session from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from efirma import emision
from efirma.confianza import AlmacenConfianza
from efirma.emision import AutoridadCertificadora
from efirma.tests.ayudas import Emitido, PoolLlaves


@pytest.fixture(scope="session")
def llaves() -> PoolLlaves:
    return PoolLlaves()


@pytest.fixture(scope="session")
def ca_raiz(llaves: PoolLlaves) -> AutoridadCertificadora:
    return emision.crear_ca("AC Raíz de Pruebas", llave=llaves("raiz"))


@pytest.fixture(scope="session")
def ca_intermedia(llaves: PoolLlaves, ca_raiz: AutoridadCertificadora) -> AutoridadCertificadora:
    return emision.crear_ca("AC Intermedia de Pruebas", emisor=ca_raiz, llave=llaves("intermedia"))


@pytest.fixture(scope="session")
def ca_ajena(llaves: PoolLlaves) -> AutoridadCertificadora:
    """A CA no store in these tests trusts."""
    return emision.crear_ca("AC Desconocida", llave=llaves("ajena"))


@pytest.fixture(scope="session")
def almacen(ca_raiz: AutoridadCertificadora) -> AlmacenConfianza:
    return AlmacenConfianza([ca_raiz.certificado_der])


@pytest.fixture(scope="session")
def emitir(llaves: PoolLlaves, ca_raiz: AutoridadCertificadora) -> Callable[..., Emitido]:
    """emitir(llave="nombre", ca=..., **emitir_certificado kwargs) with a pooled key."""

    def hacer(
        *, llave: str = "titular", ca: AutoridadCertificadora | None = None, **kwargs: Any
    ) -> Emitido:
        der, privada = emision.emitir_certificado(ca or ca_raiz, llave=llaves(llave), **kwargs)
        return Emitido(der, privada)

    return hacer


@pytest.fixture(scope="session")
def fisica(emitir: Callable[..., Emitido]) -> Emitido:
    """A persona física with Ñ and accents: MARÍA PEÑA NÚÑEZ, RFC PEÑM800101AB9."""
    return emitir(
        llave="fisica",
        rfc="PEÑM800101AB9",
        nombre="MARÍA PEÑA NÚÑEZ",
        curp="PENM800101MDFXXR09",
        numero="30001000000500001234",
    )


# A persona moral whose RFC and name carry & and Ñ, with its representative.
MORAL = {
    "llave": "moral",
    "rfc": "H&E951128469",
    "nombre": "HERNÁNDEZ & ESPAÑA SA DE CV",
    "rfc_representante": "GODE561231GR8",
    "curp_representante": "GODE561231HDFRNN09",
}


@pytest.fixture(scope="session")
def moral(emitir: Callable[..., Emitido]) -> Emitido:
    return emitir(**MORAL)


@pytest.fixture(scope="session")
def csd(emitir: Callable[..., Emitido]) -> Emitido:
    """The same company's sello digital: same names, CSD key usage."""
    return emitir(**MORAL, csd=True)
