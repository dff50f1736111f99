"""Ten-digit Mexican phone numbers as people type them."""

from __future__ import annotations

import re

# Separators people type between groups of digits: "55 1234-5678", "(55) 1234.5678".
_SEPARADORES = re.compile(r"[\s\-().]+")
# ASCII digits only: str.isdigit() would also accept other scripts' digits.
_DIEZ_DIGITOS = re.compile(r"[0-9]{10}")


def limpiar(texto: str) -> str:
    """The number without the separators a person may type."""
    return _SEPARADORES.sub("", texto)


def normalizar(texto: str) -> str | None:
    """The 10 digits, or None when what remains after removing separators is not 10 digits."""
    digitos = limpiar(texto)
    return digitos if _DIEZ_DIGITOS.fullmatch(digitos) else None
