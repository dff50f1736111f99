"""Virus scanning of evidence before a request is accepted.

``settings.ANTIVIRUS`` picks the scanner: ``"null"`` (the embedded default, scans
nothing) or ``"clamd"``, which talks to ClamAV's daemon over its unix socket
(``settings.CLAMD_SOCKET``). The file is sent with clamd's INSTREAM command, so the
daemon needs no permission on our files. No client library: the ones published are
unmaintained, and the protocol is a length-prefixed stream of chunks.

When the scanner is configured but cannot answer, the filing is refused (fail
closed): accepting unscanned files silently would defeat the point of having one.
"""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from buzon.errores import ErrorDominio

__all__ = ["Antivirus", "AntivirusClamd", "AntivirusNulo", "antivirus_configurado"]

Escaneable = str | os.PathLike[str] | BinaryIO


class Antivirus(Protocol):
    def escanear(self, ruta_o_archivo: Escaneable) -> None:
        """Returns when clean; raises ``ErrorDominio("evidencia_infectada")`` otherwise."""


class AntivirusNulo:
    """The embedded default: no scanner installed, every file passes."""

    def escanear(self, ruta_o_archivo: Escaneable) -> None:
        return None


class AntivirusClamd:
    """ClamAV's clamd over a unix socket, INSTREAM command, in 64 KiB chunks."""

    bloque = 64 * 1024

    def __init__(self, socket_path: str, timeout: float = 30.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def escanear(self, ruta_o_archivo: Escaneable) -> None:
        if isinstance(ruta_o_archivo, str | os.PathLike):
            with Path(ruta_o_archivo).open("rb") as archivo:
                respuesta = self._instream(archivo)
        else:
            posicion = ruta_o_archivo.tell()
            ruta_o_archivo.seek(0)
            try:
                respuesta = self._instream(ruta_o_archivo)
            finally:
                ruta_o_archivo.seek(posicion)
        self._interpretar(respuesta)

    def _instream(self, archivo: BinaryIO) -> str:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conexion:
                conexion.settimeout(self.timeout)
                conexion.connect(self.socket_path)
                # "z" prefix: commands and replies end in NUL, so a file name or a
                # signature name with a newline cannot break the framing.
                conexion.sendall(b"zINSTREAM\0")
                while bloque := archivo.read(self.bloque):
                    conexion.sendall(struct.pack(">L", len(bloque)) + bloque)
                conexion.sendall(struct.pack(">L", 0))
                return _leer_hasta_nul(conexion)
        except OSError:
            # clamd closes the socket when a stream passes its StreamMaxLength, so a
            # broken pipe is "could not scan", never "clean".
            raise _no_disponible() from None

    @staticmethod
    def _interpretar(respuesta: str) -> None:
        # Replies: "stream: OK", "stream: <Firma> FOUND", "<razón> ERROR".
        if respuesta.endswith(" FOUND"):
            firma = respuesta.removeprefix("stream:").removesuffix(" FOUND").strip()
            raise ErrorDominio("evidencia_infectada", firma=firma)
        if respuesta != "stream: OK":
            raise _no_disponible()


def _leer_hasta_nul(conexion: socket.socket, maximo: int = 4096) -> str:
    recibido = b""
    while b"\0" not in recibido and len(recibido) < maximo:
        parte = conexion.recv(1024)
        if not parte:
            break
        recibido += parte
    return recibido.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()


def _no_disponible() -> ErrorDominio:
    return ErrorDominio("antivirus_no_disponible")


def antivirus_configurado() -> Antivirus:
    nombre = settings.ANTIVIRUS
    if nombre == "null":
        return AntivirusNulo()
    if nombre == "clamd":
        return AntivirusClamd(settings.CLAMD_SOCKET)
    raise ImproperlyConfigured(f'BUZON_ANTIVIRUS must be "null" or "clamd", got {nombre!r}')
