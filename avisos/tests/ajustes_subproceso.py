"""Settings for worker processes under test: the project's, with the claim timings
taken from the environment (buzon/settings.py does not read them from it)."""

import os

from buzon.settings import *  # noqa: F403 — the project's settings, then two overrides

AVISOS_RESERVA_SEGUNDOS = int(os.environ.get("AVISOS_PRUEBA_RESERVA", "300"))
AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS = int(os.environ.get("AVISOS_PRUEBA_TIEMPO_LIMITE", "10"))
