"""Stored files in S3-compatible object storage (``BUZON_S3_*``), through django-storages.

Settings choose this backend when ``BUZON_S3_BUCKET`` is set. What it fixes, and why:

- Objects are private: no ACL is sent (the bucket's policy decides, and it should
  grant nothing public), ``url()`` would only ever sign a short-lived URL, and nothing
  in the service asks for one: every download streams through the app after its
  access check (``promociones.descargas``).
- A name is never overwritten, and that costs no round trip: the PUT carries
  ``If-None-Match: *``, so the server itself refuses to replace an object (412, atomic),
  where Django's way (ask whether the name exists, then write) costs a request and
  still races. The names are random UUIDs: a refusal would be a bug, and it fails the
  write (503, retry) rather than destroy evidence.
- The bucket checks the bytes against the SHA-256 the service records: a file that
  comes with its hash (``archivos.almacen.guardar(..., sha256=...)``: evidence and
  answer documents, hashed as they arrived) is sent with ``x-amz-checksum-sha256``, a
  signed header, and S3 refuses a body that does not match it. The body itself is then
  not hashed again for the signature (``UNSIGNED-PAYLOAD``, as boto3 already does over
  HTTPS when a checksum travels): the signed checksum covers it, over HTTP too. A file
  without one gets boto3's own CRC32 header.
- A 10 MB file never sits whole in a worker's memory: an upload goes out in one PUT
  streamed from the upload's temporary file, and a download comes in one GET, streamed
  into a temporary file once it passes 256 KB.
- Network failures and refusals become :class:`archivos.almacen.AlmacenNoDisponible`
  and a missing object ``FileNotFoundError``, so the rest of the service handles the
  data dir and a bucket alike without importing boto3. Timeouts are short: a storage
  that does not answer must fail a request (503), not hold a worker past gunicorn's
  30 s.

Nothing here is specific to one provider: any server that speaks the S3 API (AWS,
MinIO, Ceph, the test suite's local one) is configured by endpoint, region and keys.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name, get_available_overwrite_name

from archivos.almacen import AlmacenNoDisponible

# A download bigger than this goes to a temporary file (FILE_UPLOAD_TEMP_DIR).
MAXIMO_EN_MEMORIA = 256 * 1024
# Above any file the service keeps (evidence and answers are under 10 MB, acuses far
# less): every download is a single GET.
UMBRAL_PARTES = 64 * 1024 * 1024


class AlmacenS3(S3Storage):
    default_acl = None
    querystring_auth = True
    querystring_expire = 300
    file_overwrite = False
    max_memory_size = MAXIMO_EN_MEMORIA
    # Downloads (django-storages fetches through boto3's transfer manager): one streamed
    # GET, no thread pool. Its defaults split a file over 8 MB into ranged GETs on ten
    # threads and hold the parts in memory: a 10 MB file whole.
    transfer_config = TransferConfig(multipart_threshold=UMBRAL_PARTES, use_threads=False)
    # A write crosses the network: a big upload starts on its way while the request
    # still checks it (archivos.almacen.envio_anticipado).
    envio_anticipado = True

    def __init__(self, **opciones: Any) -> None:
        super().__init__(**opciones)
        base: Config = self.client_config  # type: ignore[has-type]
        self.client_config = base.merge(
            Config(
                connect_timeout=5,
                read_timeout=20,
                retries={"max_attempts": 3, "mode": "standard"},
                # Merged by hand: Config.merge replaces the whole s3 dict.
                s3={**(base.s3 or {}), "payload_signing_enabled": False},
            )
        )

        self._cliente_lock = threading.Lock()
        self._cliente_del_proceso: tuple[int, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        estado: dict[str, Any] = super().__getstate__()
        estado.pop("_cliente_lock", None)
        estado.pop("_cliente_del_proceso", None)
        return estado

    def __setstate__(self, estado: dict[str, Any]) -> None:
        super().__setstate__(estado)
        self._cliente_lock = threading.Lock()
        self._cliente_del_proceso = None

    def cliente(self) -> Any:
        """boto3's client for writes, one per process and shared by its threads (a client
        is thread-safe; the resource django-storages keeps is per thread, and a new one
        costs a session): a thread sending early uses the worker's warm client."""
        with self._cliente_lock:
            if self._cliente_del_proceso is None or self._cliente_del_proceso[0] != os.getpid():
                self._cliente_del_proceso = (os.getpid(), self.connection.meta.client)
            return self._cliente_del_proceso[1]

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # No "does it exist?" request: the PUT's If-None-Match refuses a taken name.
        return str(get_available_overwrite_name(clean_name(name), max_length))

    def _open(self, name: str, mode: str = "rb") -> Any:
        with _traducido("abrir", name):
            archivo = super()._open(name, mode)
            if "r" in mode:
                # The object is fetched on first read; fetch it here, where a failure
                # is still translated.
                archivo.file  # noqa: B018
            return archivo

    def _save(self, name: str, content: Any) -> str:
        limpio = clean_name(name)
        clave = self._normalize_name(limpio)
        parametros = self._get_write_parameters(clave, content)
        huella = getattr(content, "sha256", None)
        if huella:
            parametros["ChecksumAlgorithm"] = "SHA256"
            parametros["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(huella)).decode()
        # The bare file under Django's wrappers: a File without a name is false, and
        # boto3 would send it as an empty body.
        cuerpo = content
        while isinstance(cuerpo, File):
            cuerpo = cuerpo.file
        cuerpo.seek(0)
        with _traducido("guardar", name):
            # One PUT streamed from the file (never read whole), not upload_fileobj:
            # its transfer manager takes no If-None-Match.
            self.cliente().put_object(
                Bucket=self.bucket_name, Key=clave, Body=cuerpo, IfNoneMatch="*", **parametros
            )
        return str(limpio)

    def delete(self, name: str) -> None:
        with _traducido("borrar", name):
            super().delete(name)

    def exists(self, name: str) -> bool:
        with _traducido("consultar", name):
            return bool(super().exists(name))

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        with _traducido("listar", path):
            return super().listdir(path)  # type: ignore[no-any-return]

    def size(self, name: str) -> int:
        with _traducido("medir", name):
            return int(super().size(name))

    def get_modified_time(self, name: str) -> datetime:
        with _traducido("fechar", name):
            return super().get_modified_time(name)  # type: ignore[no-any-return]


@contextmanager
def _traducido(operacion: str, nombre: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        codigo = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if codigo in ("NoSuchKey", "NotFound") or (status == 404 and codigo != "NoSuchBucket"):
            raise FileNotFoundError(f"No existe en el almacenamiento: {nombre}") from exc
        raise AlmacenNoDisponible(
            f"S3 respondió {codigo or status} al {operacion} {nombre}"
        ) from exc
    except BotoCoreError as exc:
        raise AlmacenNoDisponible(f"S3 no respondió al {operacion} {nombre}: {exc}") from exc
