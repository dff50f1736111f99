"""The one way a file reaches storage, and the one way it comes back out.

Writing: evidence, answer documents and acuse PDFs are all stored by :func:`guardar`,
under a name made of a prefix, the month and a random UUID (nothing about who sent
it), and a write that fails half-way (a full disk, a storage error) removes what it had
written before the error goes on: a partial file never stays under a name a row could
point to. A full disk is a 503 with its code, and so is a storage that does not answer
(object storage unreachable, refusing the credentials), so the person is told to retry
later and the filing or answer that needed the file is not recorded.

Reading: :func:`abrir_verificado` reads a stored file through once and checks its size
and SHA-256 against what was recorded when it arrived, before a single byte is served;
a file that fails is never handed out, and the failure is recorded
(:class:`archivos.models.IncidenteArchivo`) for staff to see, and logged.

Only Django's storage API is used (``save``, ``open``, ``delete``), never a local path,
so the same code serves files from the data dir and from S3 (``archivos.s3``).

Sending early (:func:`envio_anticipado`): on a storage across the network (a bucket),
a big upload starts on its way as soon as it has arrived whole, in a thread of the
worker, while the request still checks it (the form, the zip's insides, the scanner);
:func:`guardar` then waits for that write instead of starting one. Nothing changes in
what is promised: the row naming the file is written only after the write finished, a
file that is refused or never used is deleted when the request closes it, and a
process killed in between leaves an object no row names, which the sweep removes like
any other (``promociones.limpieza``). Decision 0018 has the figures.
"""

from __future__ import annotations

import contextvars
import errno
import hashlib
import logging
import os
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from buzon.errores import ErrorDominio

logger = logging.getLogger(__name__)

# No space left, or over a quota: the disk (or volume) is full, not the file at fault.
_LLENO = frozenset({errno.ENOSPC, errno.EDQUOT})
BLOQUE = 64 * 1024
# Sending early pays from here: below, the write is short and the thread's hand-off is
# not worth it (a filing with a 100 KB zip stays on the plain path).
ENVIO_ANTICIPADO_DESDE = 1024 * 1024
# Threads per worker process that send early: as many as a gthread worker serves
# requests at once (BUZON_HILOS, 4); more uploads than that wait their turn.
HILOS_DE_ENVIO = 4


class AlmacenNoDisponible(OSError):
    """The storage did not answer, or refused: a network failure, a timeout, wrong
    credentials. Nothing is known to be wrong with the file itself.

    Raised by storage backends that talk to a service (``archivos.s3``) in place of
    their client library's own errors, so this module never depends on one."""


def nombre_nuevo(prefijo: str, extension: str) -> str:
    """``<prefijo>/<AAAA>/<MM>/<uuid>.<extension>``."""
    ahora = timezone.now()
    return f"{prefijo}/{ahora:%Y}/{ahora:%m}/{uuid.uuid4().hex}.{extension}"


def guardar(
    prefijo: str,
    extension: str,
    contenido: File[Any] | IO[bytes],
    *,
    sha256: str | None = None,
    almacen: Storage | None = None,
) -> str:
    """Stores ``contenido`` under a new name and returns it; on failure nothing stays.

    The content is streamed from the file it is in (an upload's temporary file), never
    read whole into memory. ``sha256`` (hex), the hash recorded for the file, goes with
    it to a storage that can check it on arrival (object storage refuses a body that
    does not match; the data dir ignores it). Raises ErrorDominio
    ``almacenamiento_lleno`` (503) when the storage is full and
    ``almacenamiento_no_disponible`` (503) when it does not answer; any other storage
    error goes on as it is, after the partial file is removed.
    """
    almacen = almacen or default_storage
    envio = getattr(contenido, "envio_anticipado", None)
    if isinstance(envio, EnvioAnticipado):
        if envio.sirve_para(prefijo, almacen):
            return envio.terminar()
        envio.descartar()
    nombre = nombre_nuevo(prefijo, extension)
    if sha256 is not None:
        contenido = con_huella(contenido, sha256)
    try:
        return almacen.save(nombre, contenido)
    except OSError as exc:
        _quitar_parcial(almacen, nombre)
        if exc.errno in _LLENO:
            logger.error("Almacenamiento lleno al guardar %s: %s", nombre, exc)
            raise ErrorDominio("almacenamiento_lleno") from exc
        if isinstance(exc, AlmacenNoDisponible):
            logger.error("El almacenamiento no respondió al guardar %s: %s", nombre, exc)
            raise ErrorDominio("almacenamiento_no_disponible") from exc
        raise
    except BaseException:
        _quitar_parcial(almacen, nombre)
        raise


class ConHuella(File):  # type: ignore[type-arg]
    """A file to store, with the SHA-256 (hex) the service recorded for it."""

    def __init__(self, archivo: File[Any] | IO[bytes], sha256: str) -> None:
        super().__init__(archivo, getattr(archivo, "name", None))
        self.sha256 = sha256


class _ConHuellaTemporal(ConHuella):
    # Still an upload's temporary file, so the data dir moves it into place, not copies.
    def temporary_file_path(self) -> str:
        return str(self.file.temporary_file_path())  # type: ignore[union-attr]


def con_huella(archivo: File[Any] | IO[bytes], sha256: str) -> ConHuella:
    if hasattr(archivo, "temporary_file_path"):
        return _ConHuellaTemporal(archivo, sha256)
    return ConHuella(archivo, sha256)


class EnvioAnticipado:
    """A file already on its way to storage while the request still checks it.

    :meth:`terminar` waits for the write and gives its name (or raises what
    :func:`guardar` raises); :meth:`descartar` waits for it and deletes what it wrote.
    Whichever comes first decides; the other does nothing.
    """

    def __init__(
        self, prefijo: str, extension: str, ruta: str, sha256: str, almacen: Storage
    ) -> None:
        self.prefijo = prefijo
        self._almacen = almacen
        self._decidido = False
        # The request's context goes along: its log lines keep the request id.
        contexto = contextvars.copy_context()
        self._futuro: Future[str] = _hilos().submit(
            contexto.run, self._enviar, extension, ruta, sha256
        )

    def _enviar(self, extension: str, ruta: str, sha256: str) -> str:
        # A handle of its own: the request keeps reading the file meanwhile.
        with open(ruta, "rb") as archivo:
            return guardar(self.prefijo, extension, archivo, sha256=sha256, almacen=self._almacen)

    def sirve_para(self, prefijo: str, almacen: Storage) -> bool:
        return not self._decidido and prefijo == self.prefijo and almacen is self._almacen

    def terminar(self) -> str:
        self._decidido = True
        return self._futuro.result()

    def descartar(self) -> None:
        if self._decidido:
            return
        self._decidido = True
        try:
            nombre = self._futuro.result()
        except Exception:  # nothing was stored: guardar removed its partial
            return
        try:
            borrar(nombre, almacen=self._almacen)
        except OSError as exc:
            logger.warning(
                "No se pudo borrar %s, enviado y no usado (%s); lo quitará el barrido", nombre, exc
            )


_hilos_lock = threading.Lock()
_hilos_de_envio: tuple[int, ThreadPoolExecutor] | None = None


def _hilos() -> ThreadPoolExecutor:
    # One pool per process, made in the process that uses it (never inherited by a fork).
    global _hilos_de_envio
    with _hilos_lock:
        if _hilos_de_envio is None or _hilos_de_envio[0] != os.getpid():
            pool = ThreadPoolExecutor(HILOS_DE_ENVIO, thread_name_prefix="envio-anticipado")
            _hilos_de_envio = (os.getpid(), pool)
        return _hilos_de_envio[1]


def envio_anticipado(
    prefijo: str,
    extension: str,
    archivo: Any,
    sha256: str,
    *,
    almacen: Storage | None = None,
) -> EnvioAnticipado | None:
    """Starts storing ``archivo`` (an upload's temporary file, complete and flushed to
    disk, with its ``sha256``) while the request goes on, when the storage is one that
    takes its time (``envio_anticipado = True``: object storage) and the file is big
    enough for it to pay; None otherwise. Whoever holds the upload calls
    :meth:`EnvioAnticipado.descartar` when it is not stored (closing it does)."""
    almacen = almacen or default_storage
    ruta = getattr(archivo, "temporary_file_path", None)
    if not getattr(almacen, "envio_anticipado", False) or ruta is None:
        return None
    if (archivo.size or 0) < ENVIO_ANTICIPADO_DESDE:
        return None
    archivo.flush()
    return EnvioAnticipado(prefijo, extension, ruta(), sha256, almacen)


def borrar(nombre: str, *, almacen: Storage | None = None) -> None:
    (almacen or default_storage).delete(nombre)


def _quitar_parcial(almacen: Storage, nombre: str) -> None:
    # The name is new (a random UUID), so whatever is there is this write's own remains.
    try:
        almacen.delete(nombre)
    except AlmacenNoDisponible as exc:
        # The write failed for the same reason; most likely there is nothing to remove.
        logger.warning("No se pudo borrar el parcial %s (%s); lo quitará el barrido", nombre, exc)
    except OSError:
        logger.exception("No se pudo borrar el archivo parcial %s; lo quitará el barrido", nombre)


def abrir_verificado(
    nombre: str,
    *,
    sha256: str,
    tamano: int,
    que: str,
    almacen: Storage | None = None,
) -> File[Any]:
    """The stored file ``nombre``, open for reading at its start, once it has been read
    through and found to be exactly ``tamano`` bytes with SHA-256 ``sha256``.

    Reading twice (once to check, once to serve) is the price of never serving a
    byte that fails the check: a mismatch found while streaming would come after the
    start of the download. On object storage the file is fetched once, into a
    temporary file, and both reads are local.

    ``que`` names the file for people ("la evidencia de la solicitud A-2026-000001"):
    it goes into the log line. Raises ErrorDominio ``archivo_alterado`` (the bytes do
    not match), ``archivo_alterado.faltante`` (the file is gone), both recorded as an
    :class:`~archivos.models.IncidenteArchivo`, or ``almacenamiento_no_disponible``.
    The caller closes the file (a FileResponse does).
    """
    almacen = almacen or default_storage
    try:
        archivo = almacen.open(nombre, "rb")
    except FileNotFoundError:
        logger.error("Falta en el almacenamiento %s (%s)", que, nombre)
        _registrar_incidente(nombre, "faltante", sha256, tamano, "", None)
        raise ErrorDominio("archivo_alterado.faltante") from None
    except AlmacenNoDisponible as exc:
        logger.error("El almacenamiento no respondió al leer %s (%s): %s", que, nombre, exc)
        raise ErrorDominio("almacenamiento_no_disponible") from exc
    try:
        resumen = hashlib.sha256()
        leidos = 0
        while bloque := archivo.read(BLOQUE):
            resumen.update(bloque)
            leidos += len(bloque)
        encontrado = resumen.hexdigest()
        if leidos != tamano or encontrado != sha256:
            logger.error(
                "%s no coincide con su huella: se esperaban %d bytes con SHA-256 %s y el "
                "almacenamiento tiene %d bytes con SHA-256 %s (%s); no se entrega",
                que[:1].upper() + que[1:],
                tamano,
                sha256,
                leidos,
                encontrado,
                nombre,
            )
            _registrar_incidente(nombre, "alterado", sha256, tamano, encontrado, leidos)
            raise ErrorDominio("archivo_alterado")
        archivo.seek(0)
    except BaseException:
        archivo.close()
        raise
    _resolver_incidente(nombre)
    return archivo


def _registrar_incidente(
    nombre: str,
    tipo: str,
    esperado: str,
    tamano: int,
    encontrado: str,
    leidos: int | None,
) -> None:
    from archivos.models import IncidenteArchivo

    ahora = timezone.now()
    IncidenteArchivo.objects.update_or_create(
        nombre=nombre,
        defaults={
            "tipo": tipo,
            "sha256_esperado": esperado,
            "sha256_encontrado": encontrado,
            "bytes_esperados": tamano,
            "bytes_encontrados": leidos,
            "ultima_vez": ahora,
        },
        create_defaults={
            "tipo": tipo,
            "sha256_esperado": esperado,
            "sha256_encontrado": encontrado,
            "bytes_esperados": tamano,
            "bytes_encontrados": leidos,
            "detectado": ahora,
            "ultima_vez": ahora,
        },
    )


def _resolver_incidente(nombre: str) -> None:
    from archivos.models import IncidenteArchivo

    # A read, not a DELETE, on every download: on SQLite a DELETE takes the write lock
    # even when it matches nothing.
    incidentes = IncidenteArchivo.objects.filter(nombre=nombre)
    if incidentes.exists():
        logger.warning("%s vuelve a coincidir con su huella; se cierra su incidente", nombre)
        incidentes.delete()


def sondear(almacen: Storage | None = None) -> None:
    """Writes, reads back and deletes a tiny object: the storage answers and accepts
    writes. Raises whatever the storage raises (for /salud/lista)."""
    almacen = almacen or default_storage
    contenido = uuid.uuid4().hex.encode()
    # As every file is written: with its SHA-256, which the bucket must take.
    nombre = almacen.save(
        f"salud/{uuid.uuid4().hex}.txt",
        con_huella(ContentFile(contenido), hashlib.sha256(contenido).hexdigest()),
    )
    try:
        with almacen.open(nombre, "rb") as archivo:
            leido = archivo.read()
        if leido != contenido:
            raise OSError(f"la sonda {nombre} se leyó distinta de como se escribió")
    finally:
        almacen.delete(nombre)
