from datetime import UTC, date, datetime

import pytest

from buzon.errores import ErrorDominio
from promociones.models import Asunto, Evento, Evidencia, Solicitud
from promociones.services import ErroresSolicitud, registrar_solicitud
from promociones.tests.conftest import (
    DESCRIPCION_3999,
    DESCRIPCION_4000,
    archivos_guardados,
    zip_subido,
)

pytestmark = pytest.mark.django_db


def registrar(contribuyente, **cambios):
    datos = {
        "contribuyente": contribuyente,
        "servicio": "aclaracion",
        "asunto": "emisiones",
        "descripcion": "No se refleja mi pago del periodo 2026-02.",
        "telefono": "55 1234 5678",
        "evidencia": zip_subido(),
    }
    datos.update(cambios)
    return registrar_solicitud(**datos)


def codigo_de(contribuyente, **cambios):
    with pytest.raises(ErrorDominio) as exc:
        registrar(contribuyente, **cambios)
    return exc.value.codigo


def test_aclaracion_is_recorded_with_folio_area_dates_evidence_event_and_acuse(
    contribuyente, almacen_temporal
):
    momento = datetime(2025, 11, 14, 18, 0, tzinfo=UTC)
    solicitud = registrar(contribuyente, momento=momento)
    assert solicitud.folio == "A-2025-000001"
    assert solicitud.area.clave == "emisiones"
    assert solicitud.telefono == "5512345678"
    assert solicitud.computo_desde == date(2025, 11, 14)
    assert solicitud.respuesta_a_partir_del == date(2025, 12, 1)
    assert solicitud.estatus == "recibido"
    evidencia = Evidencia.objects.get(solicitud=solicitud)
    assert evidencia.nombre_original == "evidencia.zip"
    assert len(evidencia.sha256) == 64
    assert archivos_guardados(almacen_temporal) == [almacen_temporal / evidencia.archivo.name]
    assert list(solicitud.eventos.values_list("tipo", flat=True)) == [Evento.Tipo.RECIBIDA]
    assert list(solicitud.acuses.values_list("tipo", flat=True)) == ["recepcion"]


def test_orientacion_needs_neither_phone_nor_evidence(contribuyente):
    solicitud = registrar(contribuyente, servicio="orientacion", telefono="", evidencia=None)
    assert solicitud.folio.startswith("O-")
    assert not Evidencia.objects.filter(solicitud=solicitud).exists()


def test_asunto_own_term_overrides_the_service_term(contribuyente):
    Asunto.objects.filter(clave="icsoe").update(plazo_dias_habiles=3)
    solicitud = registrar(
        contribuyente,
        asunto="icsoe",
        momento=datetime(2026, 3, 13, 17, 0, tzinfo=UTC),
    )
    assert solicitud.respuesta_a_partir_del == date(2026, 3, 19)


def test_folios_grow_per_service_and_restart_with_the_mexico_city_year(contribuyente):
    primero = registrar(contribuyente, momento=datetime(2025, 12, 31, 12, tzinfo=UTC))
    segundo = registrar(contribuyente, momento=datetime(2025, 12, 31, 13, tzinfo=UTC))
    orientacion = registrar(
        contribuyente, servicio="orientacion", momento=datetime(2025, 12, 31, 14, tzinfo=UTC)
    )
    # 1 Jan 2026 03:00 UTC is still 31 Dec 2025 in Mexico City.
    tarde = registrar(contribuyente, momento=datetime(2026, 1, 1, 3, tzinfo=UTC))
    nuevo_anio = registrar(contribuyente, momento=datetime(2026, 1, 1, 7, tzinfo=UTC))
    assert [s.folio for s in (primero, segundo, orientacion, tarde, nuevo_anio)] == [
        "A-2025-000001",
        "A-2025-000002",
        "O-2025-000001",
        "A-2025-000003",
        "A-2026-000001",
    ]


@pytest.mark.parametrize(
    ("cambios", "codigo"),
    [
        ({"servicio": "queja"}, "servicio_invalido"),
        ({"asunto": "inexistente"}, "asunto_invalido"),
        ({"descripcion": ""}, "descripcion_requerida"),
        ({"descripcion": " \r\n\t "}, "descripcion_requerida"),
        ({"descripcion": DESCRIPCION_4000}, "descripcion_muy_larga"),
        ({"telefono": ""}, "telefono_requerido"),
        ({"telefono": "55 1234 567"}, "telefono_invalido"),
        ({"telefono": "55 1234 56789"}, "telefono_invalido"),
        ({"evidencia": None}, "evidencia_requerida"),
    ],
)
def test_each_rule_has_its_code_and_a_failed_filing_stores_nothing(
    contribuyente, almacen_temporal, cambios, codigo
):
    assert codigo_de(contribuyente, **cambios) == codigo
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_description_of_3999_graphemes_with_crlf_and_emoji_is_accepted(contribuyente):
    solicitud = registrar(contribuyente, descripcion=DESCRIPCION_3999)
    # Stored with LF newlines, as the page shows it.
    assert "\r" not in solicitud.descripcion
    assert solicitud.descripcion == DESCRIPCION_3999.replace("\r\n", "\n")


def test_inactive_asunto_is_invalid(contribuyente):
    Asunto.objects.filter(clave="emisiones").update(activo=False)
    assert codigo_de(contribuyente) == "asunto_invalido"


def test_asunto_not_offered_in_the_service_is_invalid(contribuyente):
    Asunto.objects.get(clave="emisiones").servicios.remove(
        *Asunto.objects.get(clave="emisiones").servicios.filter(clave="aclaracion")
    )
    assert codigo_de(contribuyente) == "asunto_invalido"
    assert registrar(contribuyente, servicio="orientacion").asunto.clave == "emisiones"


def test_orientacion_with_a_wrong_phone_is_refused(contribuyente):
    assert codigo_de(contribuyente, servicio="orientacion", telefono="123") == "telefono_invalido"


def test_every_broken_rule_is_reported_in_form_order(contribuyente):
    with pytest.raises(ErroresSolicitud) as exc:
        registrar(contribuyente, descripcion="", telefono="12", evidencia=None)
    assert [e.codigo for e in exc.value.errores] == [
        "descripcion_requerida",
        "telefono_invalido",
        "evidencia_requerida",
    ]
    assert exc.value.codigo == "descripcion_requerida"
    assert set(exc.value.por_campo()) == {"descripcion", "telefono", "evidencia"}


def test_a_renamed_file_is_not_a_zip_and_leaves_nothing(contribuyente, almacen_temporal):
    falso = zip_subido("evidencia.zip", b"%PDF-1.7 no soy un zip")
    assert codigo_de(contribuyente, evidencia=falso) == "evidencia_no_zip"
    assert Solicitud.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_failure_after_storing_the_file_removes_it_and_rolls_back(
    contribuyente, almacen_temporal, monkeypatch
):
    def falla(**_kwargs):
        raise RuntimeError("el sellado falló")

    monkeypatch.setattr("promociones.pipeline.emitir_acuse", falla)
    with pytest.raises(RuntimeError):
        registrar(contribuyente)
    assert Solicitud.objects.count() == 0
    assert Evidencia.objects.count() == 0
    assert Evento.objects.count() == 0
    assert archivos_guardados(almacen_temporal) == []


def test_same_idempotency_key_returns_the_first_request(contribuyente, almacen_temporal):
    primera = registrar(contribuyente, clave_idempotencia="clave-1")
    segunda = registrar(contribuyente, clave_idempotencia="clave-1", evidencia=zip_subido())
    assert segunda.pk == primera.pk
    assert Solicitud.objects.count() == 1
    assert len(archivos_guardados(almacen_temporal)) == 1


def test_idempotency_keys_are_per_taxpayer(contribuyente, otro_contribuyente):
    uno = registrar(contribuyente, clave_idempotencia="misma")
    otro = registrar(otro_contribuyente, clave_idempotencia="misma")
    assert uno.pk != otro.pk


def test_idempotency_race_returns_the_committed_request(contribuyente, monkeypatch):
    primera = registrar(contribuyente, clave_idempotencia="carrera")
    # The second submitter checked before the first committed: it finds nothing at first.
    llamadas = []
    original = __import__("promociones.services", fromlist=["x"])._solicitud_con_clave

    def sin_ver_la_primera(contrib, clave):
        llamadas.append(clave)
        return None if len(llamadas) == 1 else original(contrib, clave)

    monkeypatch.setattr("promociones.services._solicitud_con_clave", sin_ver_la_primera)
    segunda = registrar(contribuyente, clave_idempotencia="carrera")
    assert segunda.pk == primera.pk
    assert Solicitud.objects.count() == 1


def test_too_long_idempotency_key_is_refused(contribuyente):
    assert codigo_de(contribuyente, clave_idempotencia="x" * 101) == "idempotencia_invalida"
