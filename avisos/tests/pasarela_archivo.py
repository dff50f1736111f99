"""A gateway for worker processes under test: the "phone" is a folder of files.

An idempotent provider, as a real one would be when given the key: every call is
appended to ``presentaciones.log``; only a key not seen before is "delivered" (a line
in ``telefono.log``). Both files are shared by all processes under an exclusive lock.

Environment: ``AVISOS_PRUEBA_TELEFONO`` names the folder; ``AVISOS_PRUEBA_COLGAR_EN``
= n makes the n-th call of this process hang for good right after the delivery (it
first creates ``colgado`` in the folder), the moment a SIGKILL hurts most.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


def carpeta() -> Path:
    return Path(os.environ["AVISOS_PRUEBA_TELEFONO"])


def lineas(nombre: str) -> list[list[str]]:
    archivo = carpeta() / nombre
    if not archivo.exists():
        return []
    return [linea.split(" ") for linea in archivo.read_text().splitlines()]


class PasarelaArchivo:
    llamadas = 0

    def enviar(self, *, destino: str, texto: str, clave_idempotencia: str) -> str:
        type(self).llamadas += 1
        with (carpeta() / "cerrojo").open("a") as cerrojo:
            fcntl.flock(cerrojo, fcntl.LOCK_EX)
            with (carpeta() / "presentaciones.log").open("a") as f:
                f.write(f"{clave_idempotencia} {destino} {os.getpid()}\n")
            if clave_idempotencia not in {c for c, *_ in lineas("telefono.log")}:
                with (carpeta() / "telefono.log").open("a") as f:
                    f.write(f"{clave_idempotencia} {destino}\n")
                    f.flush()
                    os.fsync(f.fileno())
        if str(type(self).llamadas) == os.environ.get("AVISOS_PRUEBA_COLGAR_EN"):
            (carpeta() / "colgado").touch()
            time.sleep(3600)
        return f"archivo-{clave_idempotencia}"
