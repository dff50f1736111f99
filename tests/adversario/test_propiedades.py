"""Properties of the pure helpers, checked on generated inputs (hypothesis).

The profile in conftest.py fixes the examples (derandomized), so CI is reproducible.
"""

from __future__ import annotations

import io
import re
import string
import unicodedata
import warnings
import zipfile
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.mx import rfc as stdnum_rfc

from buzon.lib import dias_habiles, folio, telefono, texto
from buzon.lib.zips import ErrorZip, Limites, ResumenZip, inspeccionar_zip
from efirma.certificados import leer_certificado
from efirma.errores import ErrorEfirma
from efirma.nombres import NombreInvalido, leer_partes, texto_de_valor
from efirma.rfc import validar_rfc

LETRAS_RFC = string.ascii_uppercase + "Ñ&"
HOMOCLAVE = string.ascii_uppercase + string.digits


def _fecha_rfc() -> st.SearchStrategy[str]:
    return st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(
        lambda d: d.strftime("%y%m%d")
    )


rfc_fisica = st.builds(
    lambda a, b, c: a + b + c,
    st.text(LETRAS_RFC, min_size=4, max_size=4).filter(
        lambda s: s not in stdnum_rfc._name_blacklist
    ),
    _fecha_rfc(),
    st.text(HOMOCLAVE, min_size=3, max_size=3),
)
rfc_moral = st.builds(
    lambda a, b, c: a + b + c,
    st.text(LETRAS_RFC, min_size=3, max_size=3),
    _fecha_rfc(),
    st.text(HOMOCLAVE, min_size=3, max_size=3),
)
FORMA_RFC = re.compile(r"[A-Z&Ñ]{3,4}[0-9]{6}[A-Z0-9]{3}")


# --- RFC -------------------------------------------------------------------------


@given(rfc_fisica)
def test_un_rfc_de_persona_fisica_bien_formado_se_acepta_tal_cual(rfc: str) -> None:
    info = validar_rfc(f"  {rfc.lower()} ")
    assert (info.rfc, info.tipo) == (rfc, "fisica")


@given(rfc_moral)
def test_un_rfc_de_persona_moral_bien_formado_se_acepta_tal_cual(rfc: str) -> None:
    info = validar_rfc(rfc)
    assert (info.rfc, info.tipo) == (rfc, "moral")


@given(rfc_fisica, st.integers(0, 12), st.sampled_from("-_ /.\u00a0"))
def test_un_rfc_con_separadores_intercalados_no_se_acepta(rfc: str, i: int, sep: str) -> None:
    with pytest.raises(ErrorEfirma):
        validar_rfc(rfc[:i] + sep + rfc[i + 1 :])


@given(st.text(max_size=40))
def test_cualquier_texto_es_rfc_valido_o_rfc_invalido(valor: str) -> None:
    try:
        info = validar_rfc(valor)
    except ErrorEfirma as exc:
        assert exc.codigo == "rfc_invalido"
    else:
        assert FORMA_RFC.fullmatch(info.rfc), info.rfc


# --- certificate names -----------------------------------------------------------

LATINO = string.ascii_letters + string.digits + " .,&'-" + "ÁÉÍÓÚÑÜáéíóúñü"


def _tlv(etiqueta: int, contenido: bytes) -> bytes:
    largo = len(contenido)
    if largo < 0x80:
        return bytes([etiqueta, largo]) + contenido
    octetos = largo.to_bytes((largo.bit_length() + 7) // 8, "big")
    return bytes([etiqueta, 0x80 | len(octetos)]) + octetos + contenido


@given(st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=200))
def test_un_valor_utf8_se_lee_tal_cual(valor: str) -> None:
    assert texto_de_valor(_tlv(0x0C, valor.encode("utf-8"))) == unicodedata.normalize("NFC", valor)


@given(st.text(LATINO, min_size=1, max_size=120))
def test_un_valor_t61_en_latin1_se_lee_con_acentos_y_enie(valor: str) -> None:
    # Latin-1 bytes of these letters are never valid UTF-8 once one is non-ASCII.
    assert texto_de_valor(_tlv(0x14, valor.encode("latin-1"))) == unicodedata.normalize(
        "NFC", valor
    )


@given(st.integers(0, 255), st.binary(max_size=300))
def test_cualquier_valor_de_atributo_da_texto_o_nombre_invalido(
    etiqueta: int, datos: bytes
) -> None:
    try:
        leido = texto_de_valor(_tlv(etiqueta, datos))
    except NombreInvalido:
        return
    leido.encode("utf-8")  # no lone surrogates
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in leido)


@given(st.binary(max_size=2000))
def test_bytes_cualesquiera_no_son_un_certificado_ni_una_excepcion(datos: bytes) -> None:
    with pytest.raises(NombreInvalido):
        leer_partes(datos)
    with pytest.raises(ErrorEfirma):
        leer_certificado(datos)


# --- zips ------------------------------------------------------------------------

LIMITES_PEQUENOS = Limites()


def _veredicto(datos: bytes) -> ResumenZip | ErrorZip:
    try:
        return inspeccionar_zip(io.BytesIO(datos), LIMITES_PEQUENOS)
    except ErrorZip as exc:
        return exc


@given(st.binary(max_size=4000))
def test_bytes_cualesquiera_dan_un_veredicto_de_zip(datos: bytes) -> None:
    assert isinstance(_veredicto(datos), ResumenZip | ErrorZip)


@given(st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b))
def test_bytes_que_empiezan_como_zip_dan_un_veredicto(datos: bytes) -> None:
    assert isinstance(_veredicto(datos), ResumenZip | ErrorZip)


nombres_de_entrada = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)


@given(
    st.lists(
        st.tuples(
            nombres_de_entrada,
            st.binary(max_size=300),
            st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
        ),
        min_size=0,
        max_size=6,
    ),
    st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=4),
)
def test_zips_generados_y_alterados_dan_un_veredicto(
    entradas: list[tuple[str, bytes, int]], cambios: list[tuple[int, int]]
) -> None:
    buffer = io.BytesIO()
    # Duplicate names are part of the attack; zipfile only warns about them.
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as z:
        warnings.simplefilter("ignore", UserWarning)
        for nombre, contenido, metodo in entradas:
            z.writestr(zipfile.ZipInfo(nombre, (2026, 3, 2, 10, 0, 0)), contenido, metodo)
    datos = bytearray(buffer.getvalue())
    for posicion, valor in cambios:
        if datos:
            datos[posicion % len(datos)] = valor
    assert isinstance(_veredicto(bytes(datos)), ResumenZip | ErrorZip)


# --- text ------------------------------------------------------------------------


@given(st.text(max_size=300))
def test_el_conteo_de_caracteres_es_sensato(valor: str) -> None:
    cuenta = texto.contar_caracteres(valor)
    assert 0 <= cuenta <= len(valor)
    assert texto.excede_limite(valor, 10) == (cuenta > 10)


@given(st.text(max_size=300))
def test_normalizar_es_idempotente(valor: str) -> None:
    una = texto.normalizar_saltos(texto.sin_controles(valor))
    assert texto.normalizar_saltos(texto.sin_controles(una)) == una
    assert "\r" not in una


# --- business days ---------------------------------------------------------------

fechas = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(fechas, st.integers(1, 400))
def test_sumar_habiles_cae_en_dia_habil(inicio: date, n: int) -> None:
    fin = dias_habiles.sumar_habiles(inicio, n)
    assert dias_habiles.es_habil(fin)
    assert dias_habiles.habiles_entre(inicio, fin) == n


@given(fechas, st.integers(0, 300), st.integers(0, 300))
def test_sumar_habiles_es_monotona_en_los_dias(inicio: date, a: int, b: int) -> None:
    assume(a != b)
    a, b = sorted((a, b))
    assert dias_habiles.sumar_habiles(inicio, a) < dias_habiles.sumar_habiles(inicio, b)


@given(fechas, st.integers(0, 60), st.integers(0, 300))
def test_sumar_habiles_es_monotona_en_el_inicio(inicio: date, dias: int, n: int) -> None:
    despues = inicio + timedelta(days=dias)
    assert dias_habiles.sumar_habiles(inicio, n) <= dias_habiles.sumar_habiles(despues, n)


@given(fechas, st.sets(fechas, max_size=30), st.integers(1, 100))
def test_los_dias_extra_nunca_son_el_resultado(inicio: date, extras: set[date], n: int) -> None:
    fin = dias_habiles.sumar_habiles(inicio, n, extras)
    assert fin not in extras and dias_habiles.es_habil(fin, extras)


def test_muchos_dias_habiles_se_pueden_sumar() -> None:
    """Ten years of business days: the guard is against impossible calendars, not long terms."""
    fin = dias_habiles.sumar_habiles(date(2026, 1, 1), 2600)
    assert dias_habiles.habiles_entre(date(2026, 1, 1), fin) == 2600


# --- folio and phone -------------------------------------------------------------


@given(st.sampled_from(string.ascii_uppercase), st.integers(1000, 9999), st.integers(1, 10**9 - 1))
def test_un_folio_formateado_se_interpreta_igual(inicial: str, anio: int, numero: int) -> None:
    assert folio.interpretar(folio.formatear(inicial, anio, numero)) == (inicial, anio, numero)


@given(st.text(max_size=30))
def test_un_folio_interpretado_es_ascii_y_se_formatea_igual(valor: str) -> None:
    partes = folio.interpretar(valor)
    if partes is not None:
        assert valor.strip().isascii()
        assert folio.interpretar(folio.formatear(*partes)) == partes


@pytest.mark.parametrize(
    "valor", ["A-\uff12\uff10\uff12\uff16-000001", "A-2026-\u0660\u0660\u0660\u0660\u0660\u0661"]
)
def test_un_folio_con_digitos_de_otra_escritura_no_es_folio(valor: str) -> None:
    assert folio.interpretar(valor) is None


def test_un_plazo_absurdo_se_rechaza_sin_recorrer_siglos() -> None:
    with pytest.raises(ValueError):
        dias_habiles.sumar_habiles(date(2026, 1, 1), 10**9)


@given(st.text(max_size=30))
def test_un_telefono_normalizado_son_diez_digitos_ascii(valor: str) -> None:
    numero = telefono.normalizar(valor)
    assert numero is None or (len(numero) == 10 and numero.isascii() and numero.isdigit())
