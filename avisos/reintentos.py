"""When to try a failed notice again: pure arithmetic, tested without a database."""

from __future__ import annotations

import random
from datetime import timedelta

# However many attempts failed, never wait more than this between two of them.
ESPERA_MAXIMA = timedelta(hours=6)


def espera_tras_fallo(intentos: int, base: timedelta, azar: float | None = None) -> timedelta:
    """The wait after the ``intentos``-th failed attempt: base, 2×base, 4×base, … capped,
    with "equal jitter": half of it fixed, the other half scaled by ``azar`` in [0, 1)
    (random when not given). When a gateway comes back after an outage, the notices it
    failed do not all return in the same second."""
    if intentos < 1:
        raise ValueError("intentos cuenta los intentos hechos: empieza en 1.")
    # The exponent is bounded so that a huge count cannot overflow timedelta.
    tope = min(base * (2 ** min(intentos - 1, 30)), ESPERA_MAXIMA)
    if azar is None:
        azar = random.random()  # noqa: S311 — spreading retries, not a secret
    return tope / 2 + tope / 2 * min(max(azar, 0.0), 1.0)


def agotado(intentos: int, maximo: int) -> bool:
    """Whether a notice that failed ``intentos`` times gives up (estado fallido)."""
    return intentos >= maximo
