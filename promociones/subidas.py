"""Receiving evidence uploads: straight to a temporary file, hashed on the way, capped.

Django's default handlers keep small files in memory and never stop a big one. The
handler here writes every file to a temporary file in 1 MiB chunks while it computes
the SHA-256, so a 10 MB upload neither sits in memory nor is read twice, and it stops
keeping a file as soon as it reaches the limit, marking the request so the view can
answer 413 instead of mistaking the missing file for "no evidence". The rest of that
file is only counted, so the refusal can say how much it weighs (the body-limit
middleware already refused any body more than 64 KB over the limit, unread).

On object storage a big file starts on its way to the bucket as soon as it has arrived
whole (``archivos.almacen.envio_anticipado``), while the request checks the form and
the zip; storing it then only waits for that write, and a file refused or never stored
is deleted from the bucket when the request closes it.

Handlers must be installed before anything reads ``request.POST`` or ``request.FILES``.
Django's CSRF middleware reads ``request.POST`` before the view runs, hence
:func:`acepta_evidencia` for pages (exempt, install, then protect, as Django's
documentation on upload handlers describes). API views are already exempt and call
:func:`instalar_manejadores` first thing.

:class:`ContadorDeArchivos` goes first in every request's handlers (the body-limit
middleware installs it with the route's figures): a form that expects one file gets
one, and a second file part is refused as soon as its header arrives, before any of
its bytes are written anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import wraps
from typing import Any

from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from archivos import almacen as almacen_archivos
from promociones.evidencias import (
    LIMITE_BYTES,
    ArchivoExcedido,
    es_nombre_de_zip,
    sanear_nombre,
)

__all__ = [
    "MARCA_ARCHIVOS",
    "ContadorDeArchivos",
    "DemasiadosArchivos",
    "EvidenciaTemporal",
    "LimiteEvidenciaUploadHandler",
    "acepta_evidencia",
    "evidencia_excedida",
    "instalar_manejadores",
    "revisar_subida",
]

MARCA = "evidencia_excedida"
MARCA_ARCHIVOS = "demasiados_archivos"
# How much of the body the parser asks for at a time (it takes the smallest of its
# handlers' chunk_size, so both handlers here say it). Django's 64 KiB makes gunicorn
# copy its read-ahead buffer (up to 1 MiB) on every read: 10 MB took 10–39 ms to read,
# against 5–10 ms in 1 MiB reads (bench/README.md, "leer el cuerpo en bloques de 1 MiB").
BLOQUE = 1024 * 1024
# A body from this size on hashes its file in a thread beside the parser (_Huella).
HUELLA_EN_PARALELO_DESDE = 1024 * 1024


class DemasiadosArchivos(TooManyFilesSent):
    """More file parts (or file bytes) than the route takes.

    A ``TooManyFilesSent``, so Django marks the body unreadable (``request.POST`` and
    ``FILES`` stay empty: no half-read form reaches a view) and answers 400; the
    body-limit middleware then replaces that answer with ``demasiados_archivos``.
    """


class ContadorDeArchivos(FileUploadHandler):
    """Counts file parts and their bytes; refuses the part that passes either limit.

    It passes every chunk on untouched to the handlers after it.
    """

    chunk_size = BLOQUE

    def __init__(self, request: HttpRequest | None, *, archivos: int, bytes_maximos: int) -> None:
        super().__init__(request)
        self.archivos = archivos
        self.bytes_maximos = bytes_maximos
        self._partes = 0
        self._bytes = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self._partes += 1
        if self._partes > self.archivos:
            self._refusar()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._bytes += len(raw_data)
        if self._bytes > self.bytes_maximos:
            self._refusar()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refusar(self) -> None:
        if self.request is not None:
            setattr(self.request, MARCA_ARCHIVOS, True)
        raise DemasiadosArchivos("El envío trae más archivos de los que admite la ruta.")


class EvidenciaTemporal(TemporaryUploadedFile):
    """A temporary upload that knows the SHA-256 of its bytes, and the write to storage
    that started as soon as it arrived, if one did (object storage, big files)."""

    sha256: str | None = None
    envio_anticipado: almacen_archivos.EnvioAnticipado | None = None

    def close(self) -> None:
        # The end of the request closes every upload: a file sent early and never
        # stored is deleted from storage (stored, this does nothing).
        try:
            if self.envio_anticipado is not None:
                self.envio_anticipado.descartar()
        finally:
            super().close()


class _Huella:
    """The SHA-256 of a file, chunk by chunk as it arrives. On a big body the hashing
    runs in a thread of its own (hashlib lets go of the GIL), beside the parser that
    goes on reading the body and writing the file: about 9 ms of a 10 MB filing that
    no longer wait on each other (bench/README.md, "leer el cuerpo en bloques de
    1 MiB"). A small body hashes in line: a thread would cost more than it saves."""

    def __init__(self, *, en_paralelo: bool) -> None:
        self._resumen = hashlib.sha256()
        self._hilo = ThreadPoolExecutor(1, thread_name_prefix="huella") if en_paralelo else None

    def agregar(self, datos: bytes) -> None:
        if self._hilo is None:
            self._resumen.update(datos)
        else:  # one thread: the chunks are hashed in the order they came
            self._hilo.submit(self._resumen.update, datos)

    def hex(self) -> str:
        if self._hilo is not None:
            self._hilo.shutdown(wait=True)  # every chunk given is hashed
            self._hilo = None
        return self._resumen.hexdigest()

    def abandonar(self) -> None:
        if self._hilo is not None:
            self._hilo.shutdown(wait=True, cancel_futures=True)
            self._hilo = None


class LimiteEvidenciaUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to disk while hashing; at ``limite`` bytes it drops the file and
    only counts the rest of it."""

    chunk_size = BLOQUE

    def __init__(self, request: HttpRequest | None = None, limite: int = LIMITE_BYTES) -> None:
        super().__init__(request)
        self.limite = limite
        self._huella = _Huella(en_paralelo=False)
        self._cuerpo_grande = False
        self._recibidos = 0
        self._excedido = False

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, *args: Any) -> None:
        self._cuerpo_grande = content_length >= HUELLA_EN_PARALELO_DESDE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        # The base class records the names; its temporary-file parent is skipped so
        # that only one temporary file is created, the hashing kind.
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = EvidenciaTemporal(
            self.file_name or "", self.content_type, 0, self.charset, self.content_type_extra
        )
        self._huella.abandonar()
        self._huella = _Huella(en_paralelo=self._cuerpo_grande)
        self._recibidos = 0
        self._excedido = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._recibidos += len(raw_data)
        if self._excedido:
            return
        if self._recibidos >= self.limite:
            self._exceder()
            return
        self._huella.agregar(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> EvidenciaTemporal | None:
        if self._excedido:
            self._marcar()  # now with the whole size
            return None  # no file: the view answers 413
        archivo = super().file_complete(file_size)
        assert isinstance(archivo, EvidenciaTemporal)
        archivo.sha256 = self._huella.hex()
        # Only a file that can still be accepted: a name that is not a .zip is refused
        # before anything is stored.
        if es_nombre_de_zip(archivo.name or ""):
            archivo.envio_anticipado = almacen_archivos.envio_anticipado(
                "evidencias", "zip", archivo, archivo.sha256
            )
        return archivo

    def _exceder(self) -> None:
        self._excedido = True
        self._huella.abandonar()
        self._marcar()
        self.upload_interrupted()  # closes and removes the partial temporary file
        del self.file  # so the parser does not close it a second time

    def _marcar(self) -> None:
        if self.request is not None:
            excedido = ArchivoExcedido(sanear_nombre(self.file_name or ""), self._recibidos)
            setattr(self.request, MARCA, excedido)


def instalar_manejadores(request: HttpRequest) -> None:
    """Makes every file of this request go through the capped, hashing handler."""
    setattr(request, MARCA, False)
    # One evidence file. The counter the body-limit middleware installed carries the
    # route's figures; its byte cap sits above the evidence handler's, which stops the
    # file first and answers 413 evidencia_muy_grande.
    contador = next(
        (h for h in request.upload_handlers if isinstance(h, ContadorDeArchivos)),
        ContadorDeArchivos(request, archivos=1, bytes_maximos=2 * LIMITE_BYTES),
    )
    contador.archivos = 1
    request.upload_handlers = [contador, LimiteEvidenciaUploadHandler(request)]


def evidencia_excedida(request: HttpRequest) -> ArchivoExcedido | None:
    """The file the handler dropped at the limit (it is then absent from FILES), or None."""
    request.FILES  # noqa: B018  # parsing the body is what sets the flag
    excedido = getattr(request, MARCA, None)
    return excedido if isinstance(excedido, ArchivoExcedido) else None


def revisar_subida(request: HttpRequest) -> None:
    """Raises ``evidencia_muy_grande`` (413), naming the file and its size, when the
    upload was stopped at the limit."""
    excedido = evidencia_excedida(request)
    if excedido is not None:
        raise excedido.error()


def acepta_evidencia(vista: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For page views that take an evidence file: the handlers, then the CSRF check."""
    protegida = csrf_protect(vista)

    @csrf_exempt
    @wraps(vista)
    def envoltura(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instalar_manejadores(request)
        return protegida(request, *args, **kwargs)

    return envoltura
