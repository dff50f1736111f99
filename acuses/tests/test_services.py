from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from django.db import IntegrityError, transaction

from acuses import sello
from acuses.models import Acuse, AcuseInmutable
from acuses.tests.conftest import DESCRIPCION, EVIDENCIA_SHA256, MX
from buzon.lib import cadena as cadena_lib
from promociones.hechos import emitir_acuse
from tests.personas import CONTRIBUYENTE


def test_recepcion_states_the_filing_facts_with_mexico_city_times(recepcion):
    h = recepcion.hechos
    assert h["tipo"] == "recepcion"
    assert h["folio"] == "A-2026-000123"
    assert h["rfc"] == CONTRIBUYENTE.rfc
    assert h["nombre"] == CONTRIBUYENTE.nombre
    assert h["servicio"] == "Aclaración"
    assert h["asunto"] == "Emisiones"
    assert h["recibida"] == "2026-11-28T10:15:03-06:00"
    assert h["computo_desde"] == "2026-11-30"
    assert h["respuesta_a_partir_del"] == "2026-12-14"
    assert h["descripcion"] == DESCRIPCION
    assert h["descripcion_sha256"] == hashlib.sha256(DESCRIPCION.encode()).hexdigest()
    assert h["evidencias"] == [
        {"nombre": "evidencias emisión.zip", "bytes": 9, "sha256": EVIDENCIA_SHA256}
    ]
    assert h["codigo_verificacion"] == recepcion.codigo_verificacion
    assert h["numero_certificado_sello"] == recepcion.numero_certificado_sello


def test_cadena_rebuilt_from_stored_facts_verifies_with_the_certificate_alone(
    acuses_de_todos_los_tipos, sello_de_prueba: Path
):
    certificado = x509.load_der_x509_certificate((sello_de_prueba / "sello.cer").read_bytes())
    for acuse in acuses_de_todos_los_tipos.values():
        guardado = Acuse.objects.get(pk=acuse.pk)
        reconstruida = cadena_lib.construir(guardado.hechos)
        assert reconstruida == guardado.cadena_original
        assert sello.sello_valido(reconstruida, guardado.sello, certificado)
        assert sello.numero_certificado(certificado) == guardado.numero_certificado_sello
        assert not sello.sello_valido(
            reconstruida.replace("2026", "2027", 1), guardado.sello, certificado
        )


def test_staff_kinds_state_their_own_facts(acuses_de_todos_los_tipos):
    prorroga = acuses_de_todos_los_tipos["prorroga"].hechos
    assert prorroga["fecha_anterior"] == "2026-12-14"
    assert prorroga["nueva_fecha"] == prorroga["respuesta_a_partir_del"] == "2026-12-28"

    canalizacion = acuses_de_todos_los_tipos["canalizacion"].hechos
    assert (canalizacion["servicio_anterior"], canalizacion["asunto_anterior"]) == (
        "Aclaración",
        "Emisiones",
    )
    assert (canalizacion["servicio"], canalizacion["asunto"]) == ("Orientación", "ICSOE")
    assert canalizacion["canalizada"] == "2026-12-02"
    assert canalizacion["nueva_fecha"] == "2026-12-09"

    respuesta = acuses_de_todos_los_tipos["respuesta"].hechos
    assert respuesta["atendida"] == "2026-12-08T17:45:10-06:00"
    assert respuesta["respuesta_sha256"] == cadena_lib.sha256_texto(respuesta["respuesta"])
    assert respuesta["documentos"][0]["nombre"] == "respuesta señalada.pdf"
    assert "respuesta señalada.pdf|1234|" in acuses_de_todos_los_tipos["respuesta"].cadena_original


def test_verification_codes_are_random_urlsafe_and_unrelated_to_the_folio(
    acuses_de_todos_los_tipos,
):
    codigos = [a.codigo_verificacion for a in acuses_de_todos_los_tipos.values()]
    assert len(set(codigos)) == 4
    for codigo in codigos:
        assert len(codigo) >= 32  # 24 random bytes = 192 bits
        assert set(codigo) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_issued_acuse_cannot_be_changed_or_deleted(recepcion):
    recepcion.hechos["folio"] = "A-2026-999999"
    with pytest.raises(AcuseInmutable):
        recepcion.save()
    with pytest.raises(AcuseInmutable):
        Acuse.objects.filter(pk=recepcion.pk).update(sello="x")
    with pytest.raises(AcuseInmutable):
        recepcion.delete()
    with pytest.raises(AcuseInmutable):
        Acuse.objects.filter(pk=recepcion.pk).delete()
    guardado = Acuse.objects.get(pk=recepcion.pk)
    assert guardado.hechos["folio"] == "A-2026-000123"


def test_facts_stay_as_issued_when_the_solicitud_changes_later(recepcion, solicitud):
    solicitud.contribuyente.nombre = "OTRO NOMBRE"
    solicitud.contribuyente.save()
    solicitud.respuesta_a_partir_del = date(2027, 1, 15)
    solicitud.save()
    guardado = Acuse.objects.get(pk=recepcion.pk)
    assert guardado.hechos["nombre"] == CONTRIBUYENTE.nombre
    assert guardado.hechos["respuesta_a_partir_del"] == "2026-12-14"
    assert cadena_lib.construir(guardado.hechos) == guardado.cadena_original


def test_second_recepcion_for_the_same_solicitud_is_refused(recepcion, solicitud):
    with pytest.raises(IntegrityError), transaction.atomic():
        emitir_acuse(solicitud=solicitud, tipo="recepcion", momento=solicitud.recibida)


def test_staff_kinds_without_their_extra_facts_are_a_programming_error(solicitud):
    momento = datetime(2026, 12, 1, tzinfo=MX)
    with pytest.raises(ValueError, match="nueva_fecha"):
        emitir_acuse(solicitud=solicitud, tipo="prorroga", momento=momento)
    with pytest.raises(ValueError, match="texto"):
        emitir_acuse(solicitud=solicitud, tipo="respuesta", momento=momento, extra={})
    with pytest.raises(ValueError, match="servicio_anterior"):
        emitir_acuse(
            solicitud=solicitud,
            tipo="canalizacion",
            momento=momento,
            extra={
                "servicio": solicitud.servicio,
                "asunto": solicitud.asunto,
                "nueva_fecha": date(2026, 12, 9),
            },
        )
    with pytest.raises(ValueError, match="tipo"):
        emitir_acuse(solicitud=solicitud, tipo="desconocido", momento=momento)
    assert not Acuse.objects.exists()
