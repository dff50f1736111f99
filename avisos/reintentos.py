"""When to try a failed notice again: pure arithmetic, tested without a database."""

from __future__ import annotations

from datetime import timedelta

# However many attempts failed, never wait more than this between two of them.
ESPERA_MAXIMA = timedelta(hours=6)


def espera_tras_fallo(intentos: int, base: timedelta) -> timedelta:
    """The wait after the ``intentos``-th failed attempt: base, 2×base, 4×base, … capped."""
    if intentos < 1:
        raise ValueError("intentos cuenta los intentos hechos: empieza en 1.")
    # The exponent is bounded so that a huge count cannot overflow timedelta.
    return min(base * (2 ** min(intentos - 1, 30)), ESPERA_MAXIMA)


def agotado(intentos: int, maximo: int) -> bool:
    """Whether a notice that failed ``intentos`` times gives up (estado fallido)."""
    return intentos >= maximo
