"""Decides whether an uploaded .zip is a real archive that is safe to hand to a person.

Nothing here extracts or writes anything: the archive is read where it lies, its
central directory checked against the limits, and every entry decompressed in 64 KiB
blocks only to count the real bytes, because headers can lie. Pure Python (stdlib
``zipfile``, ``struct``, ``zlib``), no Django, so it is tested without a database.

Only two compression methods are accepted, stored and deflate: they are what every
common tool writes, and deflate is the only one whose output ``zipfile`` bounds per
read (bzip2 and LZMA blocks can expand without limit inside a single call).

Programs are refused too, by name (the extensions Windows runs on a double click, as
the last of several: «factura.pdf.exe») and by their first bytes (PE, ELF, Mach-O),
whatever they are called: evidence is documents, and a program a person opens thinking
it is a document is how most harm arrives by mail.

Every refusal is a sentence for the person who sent the file: it names the file inside
the .zip at fault and says what to do, without the format's jargon.
"""

from __future__ import annotations

import copy
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "LIMITES",
    "ErrorZip",
    "Limites",
    "ResumenZip",
    "ZipInvalido",
    "ZipPeligroso",
    "inspeccionar_zip",
]


@dataclass(frozen=True)
class Limites:
    max_entradas: int = 1000
    # Declared uncompressed total; the real total is held to the same figure.
    max_total_declarado: int = 200 * 1024 * 1024
    # Uncompressed bytes per compressed byte of one entry. Repetitive XML or CSV
    # reaches 300:1, deflate cannot pass about 1,032:1, so 1,000 only stops bombs.
    max_razon: int = 1000
    # A thousand entries with ordinary names fit in well under 1 MiB; a bigger
    # directory is padding meant to make the reader hold it all in memory.
    max_directorio: int = 2 * 1024 * 1024
    bloque: int = 64 * 1024


LIMITES = Limites()


@dataclass(frozen=True)
class ResumenZip:
    entradas: int
    total_descomprimido: int
    # Entries that are not folders: a zip of empty folders has entries but no document.
    archivos: int = 0


class ErrorZip(Exception):
    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


class ZipInvalido(ErrorZip):
    """Not a readable zip: renamed file, truncated, damaged."""


class ZipPeligroso(ErrorZip):
    """A real zip that could harm whoever opens it; ``motivo`` is a stable code."""

    def __init__(self, motivo: str, mensaje: str, entrada: str | None = None) -> None:
        super().__init__(mensaje)
        self.motivo = motivo
        self.entrada = entrada


# Names that announce an archive. Office Open XML and OpenDocument files are zips
# too, but they are documents people open with an office suite, not archives anyone
# extracts, and spreadsheets are the usual evidence (see DOCUMENTOS_ZIP).
EXTENSIONES_ARCHIVO = (
    ".zip", ".zipx", ".jar", ".war", ".ear", ".apk", ".7z", ".rar", ".gz", ".tgz",
    ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".lz", ".lzma", ".tlz", ".zst", ".tar",
    ".cab", ".arj", ".lzh", ".z", ".iso", ".cpio",
)  # fmt: skip
DOCUMENTOS_ZIP = (
    ".docx", ".dotx", ".xlsx", ".xltx", ".pptx", ".ppsx", ".potx",
    ".odt", ".ods", ".odp", ".odg",
)  # fmt: skip

# Programs Windows runs (or hands to an interpreter) when a person opens them. Checked
# on the last extension, so «factura.pdf.exe» is a program; Windows also drops trailing
# dots and spaces («factura.exe.»), so they are dropped here too.
EXTENSIONES_EJECUTABLES = (
    ".exe", ".dll", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jar", ".msi", ".scr", ".com",
)  # fmt: skip

# The first bytes of programs, whatever their name: ELF (Linux), Mach-O 32/64 bits in
# both byte orders and the universal (fat) binary of macOS, which shares CAFEBABE with
# Java classes (programs as well). MZ (Windows) is checked apart: see _es_programa.
FIRMAS_EJECUTABLE: tuple[bytes, ...] = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_CABECERA_DOS = 64  # the MS-DOS header every Windows program starts with
_DESPLAZAMIENTO_PE = 0x3C  # where that header says the PE header starts

# (offset, magic bytes, what it is), checked against the first block of each entry.
FIRMAS_ARCHIVO: tuple[tuple[int, bytes, str], ...] = (
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"PK\x07\x08", "zip"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"\x1f\x9d", "compress"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"MSCF", "cab"),
    (0, b"LZIP", "lzip"),
    (257, b"ustar", "tar"),
    (32769, b"CD001", "iso"),
)

METODOS_ACEPTADOS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_CIFRADO = 0x01 | 0x40  # traditional and strong encryption flag bits
_UTF8 = 0x800
_EXTRA_RUTA_UNICODE = 0x7075  # Info-ZIP Unicode Path: unzip and 7-Zip prefer it

_FIRMA_EOCD = b"PK\x05\x06"
_FIRMA_LOCALIZADOR64 = b"PK\x06\x07"
_FIRMA_EOCD64 = b"PK\x06\x06"
_FIRMA_CENTRAL = b"PK\x01\x02"
_FIRMA_LOCAL = b"PK\x03\x04"
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_LOCALIZADOR64 = struct.Struct("<4sLQL")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")


def inspeccionar_zip(
    f: BinaryIO, limites: Limites = LIMITES, *, nombre: str | None = None
) -> ResumenZip:
    """Checks ``f`` (seekable, read from its start) and returns what it holds.

    Raises :class:`ZipInvalido` when it is not a readable zip and :class:`ZipPeligroso`
    when it is one that could harm whoever opens it. Reads at most one block of
    decompressed data at a time and stops as soon as a limit is passed. ``nombre``, the
    uploaded file's name, is what the messages about the whole archive call it.
    """
    inicio_directorio = _revisar_directorio(f, limites, nombre)
    try:
        f.seek(0)
        archivo = zipfile.ZipFile(f)
    # NotImplementedError: a directory entry that asks for a newer zip version than the
    # stdlib reads (found by the property tests): unreadable, like damage.
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        struct.error,
        UnicodeError,
        NotImplementedError,
    ):
        raise _danado(nombre) from None
    with archivo:
        entradas = archivo.infolist()
        if len(entradas) > limites.max_entradas:  # the directory walk already counted
            raise _demasiadas(len(entradas), limites, nombre)
        total_declarado = 0
        for info in entradas:
            _revisar_declaracion(info, limites)
            total_declarado += info.file_size
            if total_declarado > limites.max_total_declarado:
                raise _total_excesivo(limites, nombre)
        _revisar_posiciones(f, entradas, inicio_directorio, nombre)
        total_real = 0
        for info in entradas:
            total_real += _leer_entrada(archivo, info, limites, total_real, nombre)
    archivos = sum(1 for info in entradas if not info.is_dir())
    return ResumenZip(entradas=len(entradas), total_descomprimido=total_real, archivos=archivos)


def _revisar_directorio(f: BinaryIO, limites: Limites, nombre: str | None) -> int:
    """Counts the central directory's entries before ``zipfile`` loads them all.

    ``zipfile`` reads the whole directory into memory and builds an object per entry;
    a 10 MB upload of empty entries would make that hundreds of MB. Walking the
    headers first keeps the cost bounded by the limits. Returns where the directory
    starts (as ``zipfile`` computes it, tolerating data prepended to the archive).
    """
    f.seek(0, 2)
    tamano = f.tell()
    if tamano < _EOCD.size:
        raise _no_es_zip(nombre)
    cola_inicio = max(0, tamano - _EOCD.size - 0xFFFF)
    f.seek(cola_inicio)
    cola = f.read(tamano - cola_inicio)
    pos_relativa = len(cola) - _EOCD.size
    if cola[pos_relativa : pos_relativa + 4] != _FIRMA_EOCD:
        pos_relativa = cola.rfind(_FIRMA_EOCD)
        if pos_relativa < 0 or pos_relativa + _EOCD.size > len(cola):
            raise _no_es_zip(nombre)
    registro = _EOCD.unpack_from(cola, pos_relativa)
    pos_fin = cola_inicio + pos_relativa
    declaradas: int = registro[4]
    tamano_dir: int = registro[5]
    inicio_fin = pos_fin
    if pos_fin >= _LOCALIZADOR64.size + _EOCD64.size:
        f.seek(pos_fin - _LOCALIZADOR64.size)
        localizador = f.read(_LOCALIZADOR64.size)
        if localizador[:4] == _FIRMA_LOCALIZADOR64:
            inicio_fin = pos_fin - _LOCALIZADOR64.size - _EOCD64.size
            f.seek(inicio_fin)
            registro64 = f.read(_EOCD64.size)
            if registro64[:4] != _FIRMA_EOCD64:
                raise _danado(nombre)
            campos = _EOCD64.unpack(registro64)
            declaradas, tamano_dir = campos[7], campos[8]
    if declaradas > limites.max_entradas:
        raise _demasiadas(declaradas, limites, nombre)
    if tamano_dir > limites.max_directorio:
        raise ZipPeligroso(
            "directorio_excesivo",
            f"La lista de contenido de {_el_zip(nombre)} ocupa {_mb(tamano_dir)}, mucho "
            f"más que la de {limites.max_entradas:,} documentos: el .zip fue alterado para "
            "saturar a quien lo abra. Vuelve a comprimir tus documentos.",
        )
    inicio = inicio_fin - tamano_dir
    if inicio < 0:
        raise _danado(nombre)
    pos, contadas = inicio, 0
    while pos < inicio_fin:
        if pos + _CENTRAL.size > inicio_fin:
            raise _danado(nombre)
        f.seek(pos)
        cabecera = f.read(_CENTRAL.size)
        if len(cabecera) != _CENTRAL.size or cabecera[:4] != _FIRMA_CENTRAL:
            raise _danado(nombre)
        campos_c = _CENTRAL.unpack(cabecera)
        pos += _CENTRAL.size + campos_c[12] + campos_c[13] + campos_c[14]
        contadas += 1
        if contadas > limites.max_entradas:
            raise _demasiadas(contadas, limites, nombre)
    return inicio


def _revisar_declaracion(info: zipfile.ZipInfo, limites: Limites) -> None:
    """What the directory says about one entry, before reading a byte of it."""
    nombre = info.orig_filename
    _revisar_nombre(nombre)
    nombre_unicode = _ruta_unicode(info.extra)
    if nombre_unicode is not None:
        _revisar_nombre(nombre_unicode)
    visible = _visible(nombre)
    if info.flag_bits & _CIFRADO:
        raise ZipPeligroso(
            "cifrado",
            f"El archivo «{visible}» dentro del .zip tiene contraseña, así que no se puede "
            "revisar. Comprime tus documentos sin contraseña.",
            nombre,
        )
    modo = info.external_attr >> 16
    if stat.S_ISLNK(modo):
        raise ZipPeligroso(
            "enlace_simbolico",
            f"«{visible}» dentro del .zip no es un documento sino un acceso directo (enlace "
            "simbólico) que al extraerse puede apuntar a otros archivos de la computadora. "
            "Incluye el documento mismo.",
            nombre,
        )
    if stat.S_IFMT(modo) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ZipPeligroso(
            "entrada_especial",
            f"«{visible}» dentro del .zip no es un documento ni una carpeta, sino un "
            "dispositivo o una tubería del sistema. Incluye solo documentos.",
            nombre,
        )
    if info.compress_type not in METODOS_ACEPTADOS:
        raise ZipPeligroso(
            "metodo_no_soportado",
            f"El archivo «{visible}» dentro del .zip está comprimido con un método que no "
            "se puede revisar. Vuelve a comprimir con la opción estándar (la de Windows o "
            "macOS: «Comprimir» o «Enviar a carpeta comprimida»).",
            nombre,
        )
    if not info.is_dir():
        # The name an extractor will write: the Unicode Path when there is one.
        for candidato in (nombre_unicode, nombre):
            if candidato is not None and _es_programa_por_nombre(candidato):
                raise _programa(candidato)
    if _es_archivo_por_nombre(nombre) or (
        nombre_unicode is not None and _es_archivo_por_nombre(nombre_unicode)
    ):
        raise _anidado(nombre)
    if info.file_size > limites.max_razon * info.compress_size:
        raise _razon(nombre, limites)


def _revisar_nombre(nombre: str) -> None:
    visible = _visible(nombre)
    if any(unicodedata.category(c) == "Cc" for c in nombre):
        raise ZipPeligroso(
            "nombre_invalido",
            f"El nombre del archivo «{visible}» dentro del .zip tiene caracteres invisibles "
            "que pueden ocultar su nombre real. Cámbiale el nombre y vuelve a comprimir.",
            nombre,
        )
    ruta = nombre.replace("\\", "/")
    if ruta.startswith("/") or (len(ruta) >= 2 and ruta[1] == ":" and ruta[0].isalpha()):
        raise ZipPeligroso(
            "ruta_absoluta",
            f"El archivo «{visible}» dentro del .zip lleva la ruta completa de un disco y al "
            "extraerse se guardaría fuera de la carpeta elegida. Comprime solo tus "
            "documentos, sin la ruta.",
            nombre,
        )
    if ".." in ruta.split("/"):
        raise ZipPeligroso(
            "ruta_fuera",
            f"El archivo «{visible}» dentro del .zip podría dañar a quien lo abra: su ruta "
            "usa «..» y al extraerse se guardaría fuera de la carpeta elegida.",
            nombre,
        )


def _ruta_unicode(extra: bytes) -> str | None:
    """The Info-ZIP Unicode Path the stdlib ignores but extractors honour."""
    pos = 0
    while pos + 4 <= len(extra):
        tipo, largo = struct.unpack_from("<HH", extra, pos)
        datos = extra[pos + 4 : pos + 4 + largo]
        if tipo == _EXTRA_RUTA_UNICODE and len(datos) >= 5:
            return datos[5:].decode("utf-8", errors="replace")
        pos += 4 + largo
    return None


def _revisar_posiciones(
    f: BinaryIO, entradas: list[zipfile.ZipInfo], inicio_directorio: int, zip_nombre: str | None
) -> None:
    """Each entry's data must end before the next one starts.

    Overlapping entries are how the largest non-recursive zip bombs reuse one
    compressed stream many times; honest archives never overlap. The check also makes
    each entry's declared compressed size a true count of the bytes it occupies, so
    the compression ratio measured against it is real.
    """
    ordenadas = sorted(entradas, key=lambda i: i.header_offset)
    for indice, info in enumerate(ordenadas):
        f.seek(info.header_offset)
        cabecera = f.read(_LOCAL.size)
        if len(cabecera) != _LOCAL.size or cabecera[:4] != _FIRMA_LOCAL:
            raise _danado(zip_nombre)
        campos = _LOCAL.unpack(cabecera)
        largo_nombre, largo_extra = campos[10], campos[11]
        nombre_local = f.read(largo_nombre)
        codificacion = "utf-8" if campos[3] & _UTF8 else "cp437"
        if nombre_local.decode(codificacion, errors="replace") != info.orig_filename:
            raise ZipPeligroso(
                "nombre_inconsistente",
                f"El archivo «{_visible(info.orig_filename)}» aparece dentro del .zip con dos "
                "nombres distintos, un disfraz que engaña a algunos programas. Vuelve a "
                "comprimir tus documentos.",
                info.orig_filename,
            )
        fin_datos = info.header_offset + _LOCAL.size + largo_nombre + largo_extra
        fin_datos += info.compress_size
        siguiente = (
            ordenadas[indice + 1].header_offset
            if indice + 1 < len(ordenadas)
            else inicio_directorio
        )
        if fin_datos > siguiente:
            raise ZipPeligroso(
                "entradas_superpuestas",
                f"El archivo «{_visible(info.orig_filename)}» dentro del .zip comparte sus "
                "datos con otro archivo, una técnica de las bombas de compresión (archivos "
                "hechos para llenar el disco de quien los abre).",
                info.orig_filename,
            )


def _leer_entrada(
    archivo: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limites: Limites,
    total_previo: int,
    zip_nombre: str | None = None,
) -> int:
    """Decompresses one entry block by block, only counting; returns its real size."""
    nombre = info.orig_filename
    # One byte of headroom over the declared size lets a lie show itself, and the CRC
    # is checked here so that a lie is told apart from damage.
    abierta = copy.copy(info)
    abierta.file_size = info.file_size + 1
    del abierta.CRC
    reales = 0
    crc = 0
    try:
        with archivo.open(abierta) as entrada:
            primero = True
            while bloque := entrada.read(limites.bloque):
                if primero:
                    _revisar_firma(nombre, bloque)
                    primero = False
                reales += len(bloque)
                crc = zlib.crc32(bloque, crc)
                if reales > info.file_size:
                    raise _mentiroso(nombre, info.file_size, reales, "más de")
                if reales > limites.max_razon * info.compress_size:
                    raise _razon(nombre, limites)
                if total_previo + reales > limites.max_total_declarado:
                    raise _total_excesivo(limites, zip_nombre, nombre)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        struct.error,
        NotImplementedError,
    ):
        raise _danado(zip_nombre, nombre) from None
    if reales != info.file_size:
        raise _mentiroso(nombre, info.file_size, reales, "menos que")
    if crc != info.CRC:
        raise _danado(zip_nombre, nombre)
    return reales


def _revisar_firma(nombre: str, inicio: bytes) -> None:
    """What the first block of an entry says it is: a program, or another archive."""
    if _es_programa(inicio):
        raise _programa(nombre, por_contenido=True)
    for desplazamiento, firma, _tipo in FIRMAS_ARCHIVO:
        if inicio[desplazamiento : desplazamiento + len(firma)] == firma:
            if firma.startswith(b"PK") and nombre.lower().endswith(DOCUMENTOS_ZIP):
                continue
            raise _anidado(nombre)
    # bzip2: "BZh" and the block size digit; the digit keeps plain text starting
    # with "BZh" from being taken for one.
    if inicio[:3] == b"BZh" and inicio[3:4].isdigit() and inicio[3:4] != b"0":
        raise _anidado(nombre)


def _es_archivo_por_nombre(nombre: str) -> bool:
    return nombre.replace("\\", "/").rstrip("/").lower().endswith(EXTENSIONES_ARCHIVO)


def _es_programa_por_nombre(nombre: str) -> bool:
    ultimo = nombre.replace("\\", "/").rsplit("/", 1)[-1]
    return ultimo.rstrip(" .").lower().endswith(EXTENSIONES_EJECUTABLES)


def _es_programa(inicio: bytes) -> bool:
    """Whether the first bytes of an entry are those of a program.

    A Windows program starts with «MZ» and the MS-DOS header, whose field at 0x3C points
    to the «PE\\0\\0» header. A text that merely starts with the letters «MZ» has no NUL
    byte in its first 64 bytes, where every MS-DOS header has several.
    """
    if inicio[:4] in FIRMAS_EJECUTABLE:
        return True
    if inicio[:2] != b"MZ":
        return False
    if len(inicio) >= _CABECERA_DOS:
        (pe,) = struct.unpack_from("<L", inicio, _DESPLAZAMIENTO_PE)
        if inicio[pe : pe + 4] == b"PE\0\0":
            return True
    return b"\0" in inicio[:_CABECERA_DOS]


def _visible(nombre: str, largo: int = 80) -> str:
    """An entry name fit for a message: control and format characters (e.g. the
    right-to-left override that makes «factura\\u202efdp.exe» read «factura exe.pdf»)
    shown as escapes, cut short."""
    limpio = "".join(
        f"\\u{ord(c):04x}"
        if unicodedata.category(c) == "Cf"
        else (f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c)
        for c in nombre
    )
    return limpio if len(limpio) <= largo else limpio[: largo - 1] + "…"


def _mb(cantidad: int) -> str:
    return f"{cantidad / (1024 * 1024):,.0f} MB"


def _el_zip(nombre: str | None) -> str:
    """How a message names the uploaded archive: by its name when known."""
    return f"«{_visible(nombre)}»" if nombre else "el archivo"


def _no_es_zip(nombre: str | None = None) -> ZipInvalido:
    sujeto = _el_zip(nombre)
    return ZipInvalido(
        f"{sujeto[0].upper()}{sujeto[1:]} no es un .zip aunque su nombre lo diga: quizá se "
        "le cambió la extensión o se copió incompleto. Comprime tus documentos en un .zip "
        "y vuelve a adjuntarlo."
    )


def _danado(zip_nombre: str | None = None, entrada: str | None = None) -> ZipInvalido:
    sujeto = _el_zip(zip_nombre)
    if entrada is None:
        return ZipInvalido(
            f"{sujeto[0].upper()}{sujeto[1:]} es un .zip dañado o incompleto y no se puede "
            "abrir. Vuelve a comprimir tus documentos y adjunta el .zip nuevo."
        )
    return ZipInvalido(
        f"El .zip está dañado: el archivo «{_visible(entrada)}» dentro de él no se puede "
        "leer completo. Vuelve a comprimir tus documentos y adjunta el .zip nuevo."
    )


def _demasiadas(cantidad: int, limites: Limites, nombre: str | None = None) -> ZipPeligroso:
    sujeto = _el_zip(nombre)
    return ZipPeligroso(
        "demasiadas_entradas",
        f"{sujeto[0].upper()}{sujeto[1:]} contiene {cantidad:,} archivos o más; el máximo "
        f"es {limites.max_entradas:,}. Envía solo los documentos necesarios.",
    )


def _total_excesivo(
    limites: Limites, nombre: str | None, entrada: str | None = None
) -> ZipPeligroso:
    sujeto = _el_zip(nombre)
    return ZipPeligroso(
        "total_excesivo",
        f"Al descomprimirse, {sujeto} ocuparía más de {_mb(limites.max_total_declarado)}, "
        "el máximo. Envía solo los documentos necesarios.",
        entrada,
    )


def _programa(nombre: str, *, por_contenido: bool = False) -> ZipPeligroso:
    disfraz = " aunque su nombre no lo diga" if por_contenido else ""
    return ZipPeligroso(
        "ejecutable",
        f"El archivo «{_visible(nombre)}» dentro del .zip es un programa ejecutable{disfraz}; "
        "no se aceptan programas como evidencia.",
        nombre,
    )


def _anidado(nombre: str) -> ZipPeligroso:
    return ZipPeligroso(
        "zip_anidado",
        f"El archivo «{_visible(nombre)}» dentro del .zip es otro archivo comprimido; "
        "incluye los documentos directamente, sin comprimirlos dos veces.",
        nombre,
    )


def _razon(nombre: str, limites: Limites) -> ZipPeligroso:
    return ZipPeligroso(
        "razon_excesiva",
        f"El archivo «{_visible(nombre)}» dentro del .zip se comprime más de "
        f"{limites.max_razon:,} a 1, algo que solo hacen las bombas de compresión (archivos "
        "hechos para llenar el disco de quien los abre).",
        nombre,
    )


def _mentiroso(nombre: str, declarado: int, reales: int, comparacion: str) -> ZipPeligroso:
    return ZipPeligroso(
        "tamano_mentiroso",
        f"El .zip dice que el archivo «{_visible(nombre)}» pesa {declarado:,} bytes, pero "
        f"contiene {comparacion} eso ({reales:,}): el .zip fue alterado. Vuelve a comprimir "
        "tus documentos.",
        nombre,
    )
