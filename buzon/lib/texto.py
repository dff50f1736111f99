"""Counting description characters the way a person sees them.

Browsers send a newline typed in a textarea as CRLF and an emoji such as a ZWJ family
(👨‍👩‍👧) is several code points; a person counts each as one character. We normalise
line breaks to LF and count extended grapheme clusters (Unicode's \\X), which is what
the page's counter does with ``Intl.Segmenter``, so browser and server never disagree.
"""

from __future__ import annotations

import regex

# The guide: "menor a 4,000 caracteres, incluyendo espacios y signos de puntuación".
LIMITE_DESCRIPCION = 4000
MAX_CARACTERES_DESCRIPCION = LIMITE_DESCRIPCION - 1

# What a person sees is not what a machine pays for: one visible letter may carry
# hundreds of combining marks, so 3,000 "characters" were once 900,000 code points
# that took 150 s of CPU to lay out in a PDF. Two bounds the guide does not state hold
# every text to its real cost. Four code points per visible character on average leaves
# room for any real writing (accents written apart, emoji with skin tones and joiners
# average two to three); its UTF-8 form is then at most 16 bytes a character.
CODE_POINTS_POR_CARACTER = 4
# Unicode's Stream-Safe Text Format (UAX #15) allows no more than 30 combining marks in
# a row: no script needs more, and normalisation and layout stay linear below it.
MAX_MARCAS_SEGUIDAS = 30

_GRAFEMA = regex.compile(r"\X")


# C0 and C1 control characters other than tab and newline: nobody types them, and
# PostgreSQL refuses NUL in text outright. Also the bidirectional controls (marks,
# embeddings, overrides, isolates): in Spanish text they only serve to make what staff
# read differ from what was stored («factura\u202egpj.exe» shows as «factura exe.jpg»).
# Zero-width joiners stay: emoji need them. Lone surrogates cannot be stored as UTF-8.
_CONTROLES = regex.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"
)
_MARCAS_EN_EXCESO = regex.compile(rf"\p{{M}}{{{MAX_MARCAS_SEGUIDAS + 1},}}")


def sin_controles(texto: str) -> str:
    """``texto`` without control, bidirectional-control or surrogate code points
    (keeps tab, LF and CR)."""
    return _CONTROLES.sub("", texto)


def marcas_en_exceso(texto: str) -> bool:
    """Whether some letter carries more than MAX_MARCAS_SEGUIDAS combining marks."""
    return _MARCAS_EN_EXCESO.search(texto) is not None


def normalizar_saltos(texto: str) -> str:
    """CRLF and lone CR become LF."""
    return texto.replace("\r\n", "\n").replace("\r", "\n")


def contar_caracteres(texto: str) -> int:
    """Characters as a person counts them: grapheme clusters, after normalising newlines."""
    return sum(1 for _ in _GRAFEMA.finditer(normalizar_saltos(texto)))


def max_code_points(maximo: int) -> int:
    """The most code points a text of ``maximo`` visible characters may hold."""
    return maximo * CODE_POINTS_POR_CARACTER


def excede_limite(texto: str, maximo: int = MAX_CARACTERES_DESCRIPCION) -> bool:
    """Whether ``texto`` is longer than ``maximo`` characters as a person counts them, or
    costs more than such a text could (code points, marks piled on one letter).

    The cheap bounds come first: ``len`` is constant time, so a megabyte of marks is
    refused before anything walks it.
    """
    if len(texto) > max_code_points(maximo):
        return True
    if marcas_en_exceso(texto):
        return True
    # A grapheme has at least one code point, so a short string never needs counting.
    if len(texto) <= maximo:
        return False
    return contar_caracteres(texto) > maximo


# Said to the person when some letter carries more marks than MAX_MARCAS_SEGUIDAS.
MENSAJE_MARCAS = (
    "tiene letras con demasiados acentos o marcas combinadas (más de "
    f"{MAX_MARCAS_SEGUIDAS} en una sola letra); escríbelo de nuevo sin ellas."
)
