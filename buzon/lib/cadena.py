"""The *cadena original* of an acuse: one canonical text of the facts it attests.

Pure functions, no Django: a third party rebuilds the same text from the published
facts with the algorithm in ``docs/cadena-original.md`` and checks the *sello digital*
(RSA-SHA256 over the cadena's UTF-8 bytes) with the sealing certificate alone.

The text is ``||v1|v2|…|vn||`` (as SAT's cadenas originales look): the values of a
fixed list of fields per kind of acuse, in that order, each normalised and escaped.
A field with no value is an empty string, so every field keeps its position.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import regex

VERSION = "1"

# Every moment in a cadena is Mexico City wall time with its UTC offset, to the second.
ZONA = ZoneInfo("America/Mexico_City")

TIPOS = ("recepcion", "prorroga", "canalizacion", "respuesta")

# Fields every acuse starts with, in order.
CAMPOS_COMUNES: tuple[str, ...] = (
    "version",
    "tipo",
    "codigo_verificacion",
    "numero_certificado_sello",
    "emitido",
    "folio",
    "rfc",
    "nombre",
    "servicio",
    "asunto",
    "recibida",
    "computo_desde",
    "respuesta_a_partir_del",
    "descripcion_sha256",
    "evidencias",
)

# What each kind adds after the common fields, in order.
CAMPOS_POR_TIPO: dict[str, tuple[str, ...]] = {
    "recepcion": (),
    "prorroga": ("fecha_anterior", "nueva_fecha"),
    "canalizacion": (
        "servicio_anterior",
        "asunto_anterior",
        "canalizada",
        "nueva_fecha",
    ),
    "respuesta": ("atendida", "respuesta_sha256", "documentos"),
}

# Fields holding a list of files; each file is {"nombre", "bytes", "sha256"}.
CAMPOS_ARCHIVOS = frozenset({"evidencias", "documentos"})
CAMPOS_ARCHIVO = ("nombre", "bytes", "sha256")

_ESPACIOS = regex.compile(r"\s+")


class CadenaInvalida(ValueError):
    """The facts cannot make a cadena (unknown kind, missing field, bad file entry)."""


def campos(tipo: str) -> tuple[str, ...]:
    """The ordered field names of an acuse of kind ``tipo``."""
    if tipo not in CAMPOS_POR_TIPO:
        raise CadenaInvalida(f"tipo de acuse desconocido: {tipo!r}")
    return CAMPOS_COMUNES + CAMPOS_POR_TIPO[tipo]


def normalizar(valor: object) -> str:
    """One value as it enters the cadena: text, NFC, whitespace runs as one space, trimmed.

    NFC makes "Í" typed as I + combining accent equal to the precomposed "Í"; folding
    whitespace (line breaks included) makes the cadena one line, as SAT's are.
    """
    if valor is None:
        return ""
    if isinstance(valor, bool):
        # bool is an int: spell it so that True never becomes "1" by accident.
        raise CadenaInvalida("un hecho no puede ser booleano")
    texto = unicodedata.normalize("NFC", str(valor))
    return _ESPACIOS.sub(" ", texto).strip()


def escapar(texto: str) -> str:
    """Escape the separator: ``\\`` becomes ``\\\\`` and ``|`` becomes ``\\|``."""
    return texto.replace("\\", "\\\\").replace("|", "\\|")


def _valores_archivos(campo: str, archivos: object) -> list[str]:
    if archivos is None:
        archivos = []
    if not isinstance(archivos, Sequence) or isinstance(archivos, str | bytes):
        raise CadenaInvalida(f"{campo} debe ser una lista de archivos")
    valores = [str(len(archivos))]
    for archivo in archivos:
        if not isinstance(archivo, Mapping):
            raise CadenaInvalida(f"cada elemento de {campo} debe ser un objeto")
        for clave in CAMPOS_ARCHIVO:
            if clave not in archivo:
                raise CadenaInvalida(f"a un elemento de {campo} le falta {clave!r}")
            valores.append(escapar(normalizar(archivo[clave])))
    return valores


def construir(hechos: Mapping[str, Any]) -> str:
    """The cadena original of the facts ``hechos`` (a dict as stored in ``Acuse.hechos``).

    Every field of the kind must be present (``None`` or ``""`` for no value); keys that
    are not fields of the kind (e.g. the description's text) do not enter the cadena.
    A file list enters as its count followed by each file's nombre, bytes and sha256.
    """
    tipo = hechos.get("tipo")
    if not isinstance(tipo, str):
        raise CadenaInvalida("falta el tipo de acuse")
    valores: list[str] = []
    for campo in campos(tipo):
        if campo not in hechos:
            raise CadenaInvalida(f"falta el hecho {campo!r}")
        if campo in CAMPOS_ARCHIVOS:
            valores.extend(_valores_archivos(campo, hechos[campo]))
        else:
            valores.append(escapar(normalizar(hechos[campo])))
    return "||" + "|".join(valores) + "||"


def separar(cadena: str) -> list[str]:
    """The unescaped values of a cadena, in order (the inverse of the escaping)."""
    if not (cadena.startswith("||") and cadena.endswith("||")) or len(cadena) < 4:
        raise CadenaInvalida("una cadena original empieza y termina con ||")
    valores: list[str] = []
    actual: list[str] = []
    cuerpo = iter(cadena[2:-2])
    for caracter in cuerpo:
        if caracter == "\\":
            siguiente = next(cuerpo, None)
            if siguiente not in ("\\", "|"):
                raise CadenaInvalida("escape inválido en la cadena original")
            actual.append(siguiente)
        elif caracter == "|":
            valores.append("".join(actual))
            actual = []
        else:
            actual.append(caracter)
    valores.append("".join(actual))
    return valores


def interpretar(cadena: str) -> dict[str, Any]:
    """The facts a cadena states, by field name (file lists as lists of dicts).

    Values come back normalised, as text: ``construir(interpretar(c)) == c``.
    """
    valores = separar(cadena)
    if len(valores) < 2:
        raise CadenaInvalida("la cadena no dice su tipo")
    hechos: dict[str, Any] = {}
    posicion = 0
    try:
        for campo in campos(valores[1]):
            if campo in CAMPOS_ARCHIVOS:
                cuantos = int(valores[posicion])
                posicion += 1
                archivos = []
                for _ in range(cuantos):
                    archivo = valores[posicion : posicion + 3]
                    if len(archivo) != 3:
                        raise CadenaInvalida("la cadena no tiene los campos de su tipo")
                    archivos.append(dict(zip(CAMPOS_ARCHIVO, archivo, strict=True)))
                    posicion += 3
                hechos[campo] = archivos
            else:
                hechos[campo] = valores[posicion]
                posicion += 1
    except (IndexError, ValueError):
        raise CadenaInvalida("la cadena no tiene los campos de su tipo") from None
    if posicion != len(valores):
        raise CadenaInvalida("la cadena no tiene los campos de su tipo")
    return hechos


def momento(valor: datetime) -> str:
    """A moment as the cadena states it: ``2026-11-30T09:15:02-06:00`` (Mexico City)."""
    if valor.tzinfo is None or valor.utcoffset() is None:
        raise CadenaInvalida("un momento debe llevar zona horaria")
    return valor.astimezone(ZONA).replace(microsecond=0).isoformat()


def fecha(valor: date | None) -> str:
    """A calendar date as the cadena states it: ``2026-12-14``; ``""`` for none."""
    if valor is None:
        return ""
    if isinstance(valor, datetime):
        raise CadenaInvalida("se esperaba una fecha sin hora")
    return valor.isoformat()


def sha256_texto(texto: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes, exactly as stored (no normalisation)."""
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


def enmascarar_rfc(rfc: str) -> str:
    """An RFC with all but its first three and last two characters hidden: PEN•••••••B1."""
    if len(rfc) <= 5:
        return "•" * len(rfc)
    return rfc[:3] + "•" * (len(rfc) - 5) + rfc[-2:]


def enmascarar_nombre(nombre: str) -> str:
    """Each word reduced to its first letter: MARÍA JOSÉ PEÑA → M••••• J••• P•••."""
    return " ".join(p[0] + "•" * (len(p) - 1) for p in nombre.split())


def sello_a_bytes(sello: str) -> bytes:
    """The signature bytes of a base64 sello; CadenaInvalida when it is not base64."""
    try:
        return base64.b64decode(sello, validate=True)
    except ValueError:
        raise CadenaInvalida("el sello no es base64 válido") from None
