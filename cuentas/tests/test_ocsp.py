"""Login through the API with revocation checked by a real `openssl ocsp` responder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cuentas.models import IntentoAcceso
from cuentas.tests.conftest import Efirma, Llaves, entrar_api
from efirma.certificados import leer_certificado
from efirma.emision import AutoridadCertificadora, emitir_respondedor_ocsp
from efirma.tests.ayudas import Emitido
from efirma.tests.test_revocacion import Respondedor, iniciar_respondedor, linea_indice

__all__ = ["iniciar_respondedor"]  # the responder fixture, shared with the efirma tests

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def revocada(emitir: Callable[..., Efirma]) -> Efirma:
    return emitir(llave="revocada", rfc="GOAL750620QR8", nombre="LUIS ÁNGEL GÓMEZ ARAÚJO")


@pytest.fixture(scope="module")
def respondedor(
    iniciar_respondedor: Callable[..., Respondedor],
    llaves: Llaves,
    ca: AutoridadCertificadora,
    fisica: Efirma,
    revocada: Efirma,
) -> Respondedor:
    der, llave = emitir_respondedor_ocsp(ca, llave=llaves("ocsp"))
    indice = linea_indice("V", leer_certificado(fisica.der)) + linea_indice(
        "R", leer_certificado(revocada.der)
    )
    return iniciar_respondedor(ca, Emitido(der, llave), indice)


def test_ocsp_good_logs_in_and_revoked_is_refused(
    client: Client, settings: Any, respondedor: Respondedor, fisica: Efirma, revocada: Efirma
):
    settings.EFIRMA_REVOCACION = "ocsp"
    settings.EFIRMA_OCSP_URL = respondedor.url
    assert entrar_api(client, fisica).status_code == 201
    r = entrar_api(client, revocada)
    assert (r.status_code, r.json()["codigo"]) == (400, "certificado_revocado")
    assert IntentoAcceso.objects.filter(resultado="certificado_revocado").count() == 1


def test_an_unreachable_responder_answers_503_and_lets_nobody_in(
    client: Client, settings: Any, fisica: Efirma
):
    settings.EFIRMA_REVOCACION = "ocsp"
    settings.EFIRMA_OCSP_URL = "http://127.0.0.1:9/"
    r = entrar_api(client, fisica)
    assert (r.status_code, r.json()["codigo"]) == (503, "revocacion_no_disponible")
