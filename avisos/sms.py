"""How SMS gateways count a text: GSM-7 septets or UCS-2 code units, per segment.

Pure functions, tested without a database. A text that only uses the GSM 03.38
alphabet travels in 7-bit septets (the extension table's characters, such as € or [,
cost two: an escape and the character); any other character turns the whole message
into UCS-2, counted in UTF-16 code units (an emoji outside the BMP costs two). One
segment carries 160 septets or 70 units; a concatenated message loses room to its
header and carries 153 or 67 per segment. Gateways split where they must, which can
cut an escape sequence or a surrogate pair in half; :func:`partir` never does, and
keeps every grapheme (a letter with its accents, an emoji with its joiners) whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

GSM7_BASICO = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "gsm7"
UCS2 = "ucs2"
# (one segment, each of several concatenated segments)
CAPACIDAD = {GSM7: (160, 153), UCS2: (70, 67)}

_GRAFEMA = regex.compile(r"\X")


def codificacion(texto: str) -> str:
    """``gsm7`` when every character is in the GSM 03.38 tables, else ``ucs2``."""
    if all(c in GSM7_BASICO or c in GSM7_EXTENSION for c in texto):
        return GSM7
    return UCS2


def _costo(texto: str, cod: str) -> int:
    if cod == GSM7:
        return sum(2 if c in GSM7_EXTENSION else 1 for c in texto)
    return len(texto.encode("utf-16-le")) // 2


def unidades(texto: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies."""
    return _costo(texto, codificacion(texto))


@dataclass(frozen=True)
class Medida:
    codificacion: str
    unidades: int
    segmentos: int


def medir(texto: str) -> Medida:
    cod = codificacion(texto)
    return Medida(cod, _costo(texto, cod), len(partir(texto)))


def partir(texto: str) -> list[str]:
    """The segments a gateway sends, never cutting an escape, a surrogate pair or a
    grapheme. One element when the text fits in one segment."""
    cod = codificacion(texto)
    una, varias = CAPACIDAD[cod]
    if _costo(texto, cod) <= una:
        return [texto] if texto else []
    segmentos: list[str] = []
    actual: list[str] = []
    ocupado = 0
    for grafema in _piezas(texto, cod, varias):
        costo = _costo(grafema, cod)
        if ocupado + costo > varias:
            segmentos.append("".join(actual))
            actual, ocupado = [], 0
        actual.append(grafema)
        ocupado += costo
    if actual:
        segmentos.append("".join(actual))
    return segmentos


def _piezas(texto: str, cod: str, capacidad: int) -> list[str]:
    """Graphemes, except that one too big for a segment (hundreds of combining marks)
    falls back to its code points: still never half a character."""
    piezas: list[str] = []
    for g in _GRAFEMA.findall(texto):
        piezas.extend(list(g) if _costo(g, cod) > capacidad else [g])
    return piezas
