"""The ``pagina`` query parameter of every paginated list, page and API alike."""

from __future__ import annotations

from buzon.errores import ErrorDominio

# Twenty million rows at 20 a page: beyond any list here. The bound also keeps a page
# number typed with thousands of digits out of int() (Python refuses over 4,300) and out
# of the SQL OFFSET (a 64-bit integer).
PAGINA_MAXIMA = 1_000_000


def leer_pagina(valor: object) -> int:
    """The page number in ``valor`` ('' or None: 1), or ``pagina_invalida``."""
    texto = str(valor or "1").strip()
    if (
        not texto.isascii()
        or not texto.isdigit()
        or len(texto) > len(str(PAGINA_MAXIMA))
        or not 1 <= int(texto) <= PAGINA_MAXIMA
    ):
        raise ErrorDominio("pagina_invalida", maximo=PAGINA_MAXIMA)
    return int(texto)
