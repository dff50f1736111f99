"""Every harmful zip here is built by the test itself, byte for byte, in memory."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Sequence

import pytest

from buzon.lib.zips import (
    LIMITES,
    Limites,
    ResumenZip,
    ZipInvalido,
    ZipPeligroso,
    inspeccionar_zip,
)

CSV_REPETITIVO = (
    "fecha,rfc,concepto,importe\n"
    + "2025-11-14,AAA010101AAA,Cuota obrero patronal,1234.56\n" * 60000
).encode()


def construir(
    entradas: Sequence[tuple[str | zipfile.ZipInfo, bytes]],
    metodo: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    destino = io.BytesIO()
    with zipfile.ZipFile(destino, "w", compression=metodo) as archivo:
        for nombre, datos in entradas:
            archivo.writestr(nombre, datos)
    return destino.getvalue()


def directorio(datos: bytes) -> list[int]:
    """Offsets of the central-directory records, to patch the fields headers declare."""
    (inicio,) = struct.unpack_from("<L", datos, len(datos) - 22 + 16)
    total = struct.unpack_from("<H", datos, len(datos) - 22 + 10)[0]
    posiciones = []
    pos = inicio
    for _ in range(total):
        assert datos[pos : pos + 4] == b"PK\x01\x02"
        posiciones.append(pos)
        n, m, k = struct.unpack_from("<3H", datos, pos + 28)
        pos += 46 + n + m + k
    return posiciones


def parchar(datos: bytes, indice: int, desplazamiento: int, formato: str, valor: int) -> bytes:
    mutable = bytearray(datos)
    struct.pack_into(formato, mutable, directorio(datos)[indice] + desplazamiento, valor)
    return bytes(mutable)


def tamano_declarado(datos: bytes, indice: int, valor: int) -> bytes:
    return parchar(datos, indice, 24, "<L", valor)


def revisar(datos: bytes, limites: Limites = LIMITES) -> ResumenZip:
    return inspeccionar_zip(io.BytesIO(datos), limites)


def motivo_de(datos: bytes, limites: Limites = LIMITES) -> str:
    with pytest.raises(ZipPeligroso) as error:
        revisar(datos, limites)
    assert error.value.mensaje  # every refusal says why, in Spanish, for a person
    return error.value.motivo


def test_a_normal_zip_with_accented_utf8_names_is_accepted_and_counted():
    datos = construir(
        [
            ("evidencias/declaración_año_2025.csv", b"a,b\n1,2\n"),
            ("evidencias/", b""),
            ("evidencias/oficio niño.pdf", b"%PDF-1.4\n" + b"x" * 5000),
        ]
    )
    assert directorio(datos)  # sanity: the helper parses what zipfile wrote
    infos = zipfile.ZipFile(io.BytesIO(datos)).infolist()
    assert infos[0].flag_bits & 0x800  # zipfile marked the names as UTF-8
    resumen = revisar(datos)
    assert resumen == ResumenZip(entradas=3, total_descomprimido=8 + 9 + 5000, archivos=2)


@pytest.mark.parametrize(
    "nombre",
    ["../x.txt", "a/../../x.txt", "..\\x.txt", "docs\\..\\..\\x.txt", "a/b/../../../x"],
)
def test_entries_that_climb_out_of_the_archive_are_refused(nombre):
    datos = construir([(zipfile.ZipInfo(nombre), b"hola")])
    assert motivo_de(datos) == "ruta_fuera"


@pytest.mark.parametrize("nombre", ["/etc/x", "C:\\x.txt", "c:/x.txt", "\\\\servidor\\x.txt"])
def test_absolute_entry_names_are_refused(nombre):
    datos = construir([(zipfile.ZipInfo(nombre), b"hola")])
    assert motivo_de(datos) == "ruta_absoluta"


def test_a_name_with_dots_inside_a_component_is_not_a_climb():
    assert revisar(construir([("informe..final.txt", b"ok"), ("a/..b/c", b"ok")])).entradas == 2


def test_a_unicode_path_extra_field_that_climbs_out_is_refused():
    # unzip and 7-Zip use this name instead of the plain one the stdlib shows.
    info = zipfile.ZipInfo("inocente.txt")
    nombre = "../../año/.bashrc".encode()
    datos_extra = b"\x01" + struct.pack("<L", zlib.crc32(b"inocente.txt")) + nombre
    info.extra = struct.pack("<HH", 0x7075, len(datos_extra)) + datos_extra
    assert motivo_de(construir([(info, b"hola")])) == "ruta_fuera"


def test_a_nul_byte_hiding_the_real_name_is_refused():
    datos = construir([("factura.pdf", b"hola")])
    datos = datos.replace(b"factura.pdf", b"fact\x00ra.pdf")
    assert motivo_de(datos) == "nombre_invalido"


def test_1000_entries_are_accepted_and_1001_refused():
    mil = [(f"e{i:04}.txt", b"x") for i in range(1000)]
    assert revisar(construir(mil)).entradas == 1000
    assert motivo_de(construir([*mil, ("otra.txt", b"x")])) == "demasiadas_entradas"


def test_an_end_record_that_understates_the_count_does_not_hide_extra_entries():
    datos = bytearray(construir([(f"e{i:04}.txt", b"x") for i in range(1001)]))
    fin = len(datos) - 22
    struct.pack_into("<HH", datos, fin + 8, 10, 10)
    assert motivo_de(bytes(datos)) == "demasiadas_entradas"


def test_a_declared_uncompressed_total_above_200_mb_is_refused_before_reading():
    bloque = bytes(range(256)) * 430  # 110,080 stored bytes each
    datos = construir([("a.bin", bloque), ("b.bin", bloque)], metodo=zipfile.ZIP_STORED)
    # Each entry declares 1,000:1 (allowed alone); together they pass 200 MB.
    for indice in (0, 1):
        datos = tamano_declarado(datos, indice, len(bloque) * 1000)
    assert 2 * len(bloque) * 1000 > 200 * 1024 * 1024
    assert motivo_de(datos) == "total_excesivo"


def test_a_real_zero_bomb_entry_compressed_over_1000_to_1_is_refused():
    datos = construir([("ceros.csv", bytes(5 * 1024 * 1024))])
    info = zipfile.ZipFile(io.BytesIO(datos)).infolist()[0]
    assert info.file_size / info.compress_size > 1000
    assert motivo_de(datos) == "razon_excesiva"


def test_a_declared_ratio_of_1001_is_refused_and_1000_is_not_a_ratio_problem():
    datos = construir([("datos.bin", bytes(range(256)) * 4)], metodo=zipfile.ZIP_STORED)
    comprimido = zipfile.ZipFile(io.BytesIO(datos)).infolist()[0].compress_size
    assert motivo_de(tamano_declarado(datos, 0, comprimido * 1001)) == "razon_excesiva"
    # At exactly 1,000:1 the ratio passes; the real read then catches the lie.
    assert motivo_de(tamano_declarado(datos, 0, comprimido * 1000)) == "tamano_mentiroso"


def test_repetitive_csv_at_about_300_to_1_is_accepted():
    datos = construir([("nomina.csv", CSV_REPETITIVO)])
    info = zipfile.ZipFile(io.BytesIO(datos)).infolist()[0]
    assert 250 < info.file_size / info.compress_size < 1000
    assert revisar(datos).total_descomprimido == len(CSV_REPETITIVO)


def test_an_encrypted_entry_is_refused():
    datos = construir([("secreto.txt", b"hola")])
    flags = zipfile.ZipFile(io.BytesIO(datos)).infolist()[0].flag_bits
    assert motivo_de(parchar(datos, 0, 8, "<H", flags | 0x1)) == "cifrado"


@pytest.mark.parametrize("nombre", ["otro.zip", "datos/respaldo.RAR", "a.tar.gz", "b.7z", "c.war"])
def test_an_archive_inside_the_archive_is_refused_by_its_name(nombre):
    assert motivo_de(construir([(nombre, b"solo texto")])) == "zip_anidado"


# --- programs -----------------------------------------------------------------------

# The start of a Windows program: the MS-DOS header, whose field at 0x3C points to the
# PE header (here right after it, at 0x40), as every linker writes it.
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + struct.pack("<L", 0x40)
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 200
)
PROGRAMAS = {
    "pe": PE,
    "mz_sin_pe": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120,
    "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120,
    "macho32": b"\xfe\xed\xfa\xce" + b"\x00" * 60,
    "macho64": b"\xfe\xed\xfa\xcf" + b"\x00" * 60,
    "macho32_le": b"\xce\xfa\xed\xfe" + b"\x00" * 60,
    "macho64_le": b"\xcf\xfa\xed\xfe" + b"\x00" * 60,
    "universal_o_java": b"\xca\xfe\xba\xbe" + b"\x00" * 60,
}


def rechazo(datos: bytes) -> ZipPeligroso:
    with pytest.raises(ZipPeligroso) as error:
        revisar(datos)
    return error.value


@pytest.mark.parametrize(
    "nombre",
    [
        "factura.pdf.exe",
        "FACTURA.EXE",
        "docs/instalar.msi",
        "docs\\abrir.bat",
        "limpiar.cmd",
        "script.PS1",
        "macro.vbs",
        "pagina.js",
        "app.jar",
        "protector.scr",
        "comando.com",
        "biblioteca.dll",
        "factura.exe.",  # Windows drops trailing dots and spaces: this runs as factura.exe
        "factura.exe ",
    ],
)
def test_a_program_inside_the_archive_is_refused_by_its_name(nombre):
    error = rechazo(construir([("pago.pdf", b"%PDF-1.4"), (nombre, b"solo texto")]))
    assert (error.motivo, error.entrada) == ("ejecutable", nombre)
    assert error.mensaje == (
        f"El archivo «{nombre}» dentro del .zip es un programa ejecutable; no se aceptan "
        "programas como evidencia."
    )


def test_a_program_is_named_by_the_unicode_path_extractors_honour():
    # The stdlib name says .pdf; unzip and 7-Zip would write the Unicode Path's .exe.
    info = zipfile.ZipInfo("factura.pdf")
    ruta = b"factura.pdf.exe"
    info.extra = struct.pack("<HHB", 0x7075, 5 + len(ruta), 1) + struct.pack("<L", 0) + ruta
    error = rechazo(construir([(info, b"%PDF-1.4")]))
    assert (error.motivo, error.entrada) == ("ejecutable", "factura.pdf.exe")


@pytest.mark.parametrize("contenido", PROGRAMAS.values(), ids=PROGRAMAS.keys())
def test_a_program_inside_the_archive_is_refused_by_its_first_bytes(contenido):
    error = rechazo(construir([("factura.pdf", contenido)]))
    assert (error.motivo, error.entrada) == ("ejecutable", "factura.pdf")
    assert "«factura.pdf» dentro del .zip es un programa ejecutable" in error.mensaje


def test_a_program_stored_without_compression_is_refused_too():
    error = rechazo(construir([("foto.jpg", PE)], metodo=zipfile.ZIP_STORED))
    assert error.motivo == "ejecutable"


@pytest.mark.parametrize(
    ("nombre", "contenido"),
    [
        ("siglas.txt", b"MZ es la abreviatura de la zona; el resto es texto.\n" * 3),
        ("com.txt", b"texto"),
        ("comercial.pdf", b"%PDF-1.4"),
        ("js/leeme.txt", b"texto"),
        ("programas.exe/", b""),  # a folder: nothing runs
        ("reporte.json", b"{}"),
    ],
)
def test_documents_that_merely_look_like_programs_are_accepted(nombre, contenido):
    assert revisar(construir([(nombre, contenido)])).entradas == 1


def test_a_right_to_left_override_is_shown_not_obeyed_in_the_message():
    # «factura\u202efdp.exe» reads «factura exe.pdf» on screen: the message shows the mark.
    error = rechazo(construir([("factura\u202efdp.exe", b"texto")]))
    assert error.motivo == "ejecutable"
    assert "«factura\\u202efdp.exe»" in error.mensaje
    assert "\u202e" not in error.mensaje


def test_only_the_first_block_of_an_entry_is_looked_at_for_programs():
    # A document that quotes a program's bytes further in is still a document.
    assert revisar(construir([("analisis.txt", b"texto " * 20000 + PE)])).entradas == 1


# --- messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entradas", "nombre"),
    [
        ([("../../fuera.txt", b"x")], "../../fuera.txt"),
        ([("/etc/cron.d/x", b"x")], "/etc/cron.d/x"),
        ([("otro.zip", b"x")], "otro.zip"),
        ([("nomina.csv", b"0" * 2_000_000)], "nomina.csv"),
    ],
    ids=["ruta_fuera", "ruta_absoluta", "zip_anidado", "razon_excesiva"],
)
def test_each_refusal_names_the_file_inside_the_zip_at_fault(entradas, nombre):
    error = rechazo(construir(entradas))
    assert error.entrada == nombre
    assert f"«{nombre}» dentro del .zip" in error.mensaje


@pytest.mark.parametrize(
    "contenido",
    [b"esto no es zip" * 50, b"%PDF-1.7\n" + b"0" * 2000, b"PK\x03\x04"],
    ids=["texto", "pdf", "solo_firma"],
)
def test_a_file_that_is_not_a_zip_is_told_so_in_plain_words_with_its_name(contenido):
    with pytest.raises(ZipInvalido) as error:
        inspeccionar_zip(io.BytesIO(contenido), nombre="pago.zip")
    assert error.value.mensaje.startswith("«pago.zip» no es un .zip aunque su nombre lo diga")
    assert "índice" not in error.value.mensaje


@pytest.mark.parametrize(
    "contenido",
    [
        construir([("dentro.txt", b"hola")]),
        b"\x1f\x8b\x08\x00" + b"\x00" * 40,
        b"7z\xbc\xaf\x27\x1c" + b"\x00" * 40,
        b"Rar!\x1a\x07\x00" + b"\x00" * 40,
        b"BZh91AY&SY" + b"\x00" * 40,
        b"\xfd7zXZ\x00" + b"\x00" * 40,
        b"a" * 257 + b"ustar\x0000" + b"\x00" * 100,
    ],
    ids=["zip", "gzip", "7z", "rar", "bzip2", "xz", "tar"],
)
def test_an_archive_inside_the_archive_is_refused_by_its_magic_bytes(contenido):
    assert motivo_de(construir([("anexo.dat", contenido)])) == "zip_anidado"


def test_text_that_merely_starts_like_bzip2_is_not_an_archive():
    assert revisar(construir([("nota.txt", b"BZh es una sigla\n")])).entradas == 1


def test_an_office_spreadsheet_is_a_document_not_a_nested_archive():
    hoja = construir([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<w/>")])
    assert revisar(construir([("Emisiones noviembre.xlsx", hoja)])).entradas == 1
    # The same bytes under a name that is not a document are an archive.
    assert motivo_de(construir([("Emisiones noviembre.bin", hoja)])) == "zip_anidado"


def test_a_symlink_entry_is_refused():
    info = zipfile.ZipInfo("enlace")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert motivo_de(construir([(info, b"/etc/passwd")])) == "enlace_simbolico"


def test_a_device_entry_is_refused():
    info = zipfile.ZipInfo("disco")
    info.create_system = 3
    info.external_attr = (stat.S_IFBLK | 0o600) << 16
    assert motivo_de(construir([(info, b"")])) == "entrada_especial"


def test_a_header_declaring_less_than_the_real_data_is_caught_by_the_streamed_read():
    datos = construir([("ceros.bin", bytes(2 * 1024 * 1024))])
    info = zipfile.ZipFile(io.BytesIO(datos)).infolist()[0]
    # Declares 500:1 (passes the ratio) but inflates to about 1,000:1.
    mentira = tamano_declarado(datos, 0, info.compress_size * 500)
    assert motivo_de(mentira) == "tamano_mentiroso"


def test_a_header_declaring_more_than_the_real_data_is_refused():
    datos = construir([("a.txt", CSV_REPETITIVO[:10000])])
    assert motivo_de(tamano_declarado(datos, 0, 20000)) == "tamano_mentiroso"


def test_a_corrupted_entry_is_invalid_not_dangerous():
    datos = bytearray(construir([("a.txt", b"hola mundo " * 100)], metodo=zipfile.ZIP_STORED))
    datos[40] ^= 0xFF  # inside the stored data: the CRC no longer matches
    with pytest.raises(ZipInvalido):
        revisar(bytes(datos))


def test_two_entries_sharing_the_same_data_are_refused():
    datos = construir([("a.txt", b"primero"), ("b.txt", b"segundo")])
    assert motivo_de(parchar(datos, 1, 42, "<L", 0)) == "entradas_superpuestas"


def test_a_local_header_name_different_from_the_directory_is_refused():
    datos = construir([("a.txt", b"hola")])
    disfrazado = b"PK\x03\x04" + datos[4:].replace(b"a.txt", b"b.exe", 1)
    assert motivo_de(disfrazado) == "nombre_inconsistente"


def test_compression_methods_other_than_stored_and_deflate_are_refused():
    datos = construir([("a.txt", b"hola" * 100)], metodo=zipfile.ZIP_BZIP2)
    assert motivo_de(datos) == "metodo_no_soportado"


def test_a_central_directory_padded_past_the_limit_is_refused():
    info = zipfile.ZipInfo("a.txt")
    info.comment = b"x" * 5000
    datos = construir([(info, b"hola")])
    assert motivo_de(datos, Limites(max_directorio=4096)) == "directorio_excesivo"
    assert revisar(datos).entradas == 1


def test_data_prepended_to_the_archive_like_a_self_extractor_is_tolerated():
    datos = b"MZ" + b"\x00" * 1000 + construir([("a.txt", b"hola")])
    assert revisar(datos).entradas == 1


@pytest.mark.parametrize(
    "contenido",
    [
        b"Esto es un texto renombrado como .zip\n" * 20,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" * 50,
        b"",
        b"PK\x03\x04",
    ],
    ids=["texto", "pdf", "vacio", "solo_firma"],
)
def test_files_that_are_not_zips_are_invalid(contenido):
    with pytest.raises(ZipInvalido) as error:
        revisar(contenido)
    assert "zip" in error.value.mensaje


def test_an_entry_asking_for_a_newer_zip_version_is_invalid_not_an_exception():
    # Found by the property tests: the stdlib raises NotImplementedError for it.
    datos = parchar(construir([("a.txt", b"hola")]), 0, 6, "<H", 64)
    with pytest.raises(ZipInvalido):
        revisar(datos)


@pytest.mark.parametrize("corte", [10, 200, 2000])
def test_a_truncated_zip_is_invalid(corte):
    datos = construir([("a.txt", b"hola " * 1000), ("b.txt", b"adios " * 1000)])
    with pytest.raises(ZipInvalido):
        revisar(datos[:-corte])


def test_the_stream_is_read_in_blocks_and_never_whole():
    """An entry of 4 MB is checked while never holding more than a block of it."""
    import tracemalloc

    datos = construir([("nomina.csv", CSV_REPETITIVO * 2)])
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        revisar(datos)
        pico = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert len(CSV_REPETITIVO) * 2 > 4_000_000
    assert pico < 1024 * 1024


def test_folders_count_as_entries_but_not_as_files():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("facturas/", b"")
        z.writestr("facturas/2026/", b"")
    solo_carpetas = revisar(buffer.getvalue())
    assert (solo_carpetas.entradas, solo_carpetas.archivos) == (2, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("facturas/", b"")
        z.writestr("facturas/enero.pdf", b"%PDF-1.4")
    assert revisar(buffer.getvalue()).archivos == 1
