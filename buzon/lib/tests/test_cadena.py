from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from buzon.lib import cadena


def hechos_recepcion(**cambios):
    hechos = {
        "version": "1",
        "tipo": "recepcion",
        "codigo_verificacion": "c0d1g0",
        "numero_certificado_sello": "ABC123",
        "emitido": "2026-11-28T10:15:03-06:00",
        "folio": "A-2026-000123",
        "rfc": "PENM800101AB1",
        "nombre": "MARÍA JOSÉ PEÑA NÚÑEZ",
        "servicio": "Aclaración",
        "asunto": "Emisiones",
        "recibida": "2026-11-28T10:15:03-06:00",
        "computo_desde": "2026-11-30",
        "respuesta_a_partir_del": "2026-12-14",
        "descripcion_sha256": "aa" * 32,
        "evidencias": [{"nombre": "e.zip", "bytes": 9, "sha256": "bb" * 32}],
        "descripcion": "no entra en la cadena",
    }
    hechos.update(cambios)
    return hechos


def test_recepcion_cadena_lists_the_common_fields_in_documented_order():
    assert cadena.construir(hechos_recepcion()) == (
        "||1|recepcion|c0d1g0|ABC123|2026-11-28T10:15:03-06:00|A-2026-000123|PENM800101AB1|"
        "MARÍA JOSÉ PEÑA NÚÑEZ|Aclaración|Emisiones|2026-11-28T10:15:03-06:00|2026-11-30|"
        f"2026-12-14|{'aa' * 32}|1|e.zip|9|{'bb' * 32}||"
    )


def test_separator_and_backslash_are_escaped_and_parsed_back():
    hechos = hechos_recepcion(nombre="A|B \\ C", evidencias=[])
    texto = cadena.construir(hechos)
    assert "|A\\|B \\\\ C|" in texto
    assert texto.endswith(f"|{'aa' * 32}|0||")
    assert cadena.interpretar(texto)["nombre"] == "A|B \\ C"


def test_values_are_nfc_normalised_and_whitespace_folded():
    descompuesto = "MARI\u0301A  JOSE\u0301\n\tPEÑA "
    texto = cadena.construir(hechos_recepcion(nombre=descompuesto))
    assert "|MARÍA JOSÉ PEÑA|" in texto
    assert "\n" not in texto


def test_missing_field_or_unknown_kind_is_refused():
    hechos = hechos_recepcion()
    del hechos["asunto"]
    with pytest.raises(cadena.CadenaInvalida, match="asunto"):
        cadena.construir(hechos)
    with pytest.raises(cadena.CadenaInvalida, match="desconocido"):
        cadena.construir(hechos_recepcion(tipo="otro"))
    with pytest.raises(cadena.CadenaInvalida, match="sha256"):
        cadena.construir(hechos_recepcion(evidencias=[{"nombre": "x", "bytes": 1}]))


def test_each_kind_appends_its_own_fields_after_the_common_ones():
    comunes = len(cadena.CAMPOS_COMUNES)
    assert cadena.campos("prorroga")[comunes:] == ("fecha_anterior", "nueva_fecha")
    assert cadena.campos("respuesta")[comunes:] == (
        "atendida",
        "respuesta_sha256",
        "documentos",
    )
    hechos = hechos_recepcion(
        tipo="canalizacion",
        servicio_anterior="Aclaración",
        asunto_anterior="Emisiones",
        canalizada="2026-12-02",
        nueva_fecha="2026-12-09",
    )
    assert cadena.construir(hechos).endswith("|Aclaración|Emisiones|2026-12-02|2026-12-09||")


def test_interpretar_is_the_inverse_of_construir():
    hechos = hechos_recepcion(
        tipo="respuesta",
        atendida="2026-12-08T17:45:10-06:00",
        respuesta_sha256="cc" * 32,
        documentos=[{"nombre": "r|1.pdf", "bytes": 10, "sha256": "dd" * 32}],
    )
    texto = cadena.construir(hechos)
    leidos = cadena.interpretar(texto)
    assert leidos["documentos"] == [{"nombre": "r|1.pdf", "bytes": "10", "sha256": "dd" * 32}]
    assert leidos["atendida"] == "2026-12-08T17:45:10-06:00"
    assert cadena.construir(leidos) == texto


@pytest.mark.parametrize(
    "texto",
    [
        "sin barras",
        "||1|recepcion||",  # too few fields for its kind
        "||1|recepcion|a\\xb||",  # invalid escape
        cadena.construir(hechos_recepcion())[:-2] + "|extra||",  # one field too many
    ],
)
def test_interpretar_refuses_malformed_cadenas(texto):
    with pytest.raises(cadena.CadenaInvalida):
        cadena.interpretar(texto)


def test_momento_is_mexico_city_time_with_offset_to_the_second():
    utc = datetime(2026, 11, 28, 16, 15, 3, 999999, tzinfo=UTC)
    assert cadena.momento(utc) == "2026-11-28T10:15:03-06:00"
    mx = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    assert cadena.momento(mx) == "2026-07-01T09:00:00-06:00"
    with pytest.raises(cadena.CadenaInvalida):
        cadena.momento(datetime(2026, 1, 1))  # naive on purpose


def test_fecha_refuses_datetimes_and_allows_none():
    assert cadena.fecha(date(2026, 12, 14)) == "2026-12-14"
    assert cadena.fecha(None) == ""
    with pytest.raises(cadena.CadenaInvalida):
        cadena.fecha(datetime(2026, 12, 14, tzinfo=UTC))


def test_sha256_is_of_the_utf8_bytes_as_stored_without_normalising():
    assert cadena.sha256_texto("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert cadena.sha256_texto("ñ") == (
        "024bb90888ca89a15a19e9bdd8c712bfb070465fce1ef25e43c170ea44fc5e5f"
    )
    assert cadena.sha256_texto("n\u0303") != cadena.sha256_texto("ñ")


def test_rfc_and_name_masks_keep_only_a_few_characters():
    assert cadena.enmascarar_rfc("PENM800101AB1") == "PEN••••••••B1"
    assert cadena.enmascarar_rfc("EKU9003173C9") == "EKU•••••••C9"
    assert cadena.enmascarar_nombre("MARÍA JOSÉ PEÑA") == "M•••• J••• P•••"
