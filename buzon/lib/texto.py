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

_GRAFEMA = regex.compile(r"\X")


# C0 and C1 control characters other than tab and newline: nobody types them, and
# PostgreSQL refuses NUL in text outright.
_CONTROLES = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def sin_controles(texto: str) -> str:
    """``texto`` without control characters (keeps tab, LF and CR)."""
    return _CONTROLES.sub("", texto)


def normalizar_saltos(texto: str) -> str:
    """CRLF and lone CR become LF."""
    return texto.replace("\r\n", "\n").replace("\r", "\n")


def contar_caracteres(texto: str) -> int:
    """Characters as a person counts them: grapheme clusters, after normalising newlines."""
    return sum(1 for _ in _GRAFEMA.finditer(normalizar_saltos(texto)))


def excede_limite(texto: str, maximo: int = MAX_CARACTERES_DESCRIPCION) -> bool:
    # A grapheme has at least one code point, so a short string never needs counting.
    if len(texto) <= maximo:
        return False
    return contar_caracteres(texto) > maximo
