"""The storage suite's backends: every test that takes ``almacen`` runs twice, on files
in a folder (the embedded default) and on a bucket of a real S3-compatible server that
the tests start on loopback (``servidor_s3``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from archivos.tests.servidor_s3 import ServidorS3, iniciar_servidor_s3
from conftest import skip_or_fail


@pytest.fixture(scope="session")
def servidor_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServidorS3]:
    try:
        servidor = iniciar_servidor_s3(tmp_path_factory.mktemp("s3"))
    except (RuntimeError, OSError) as exc:
        skip_or_fail("S3", f"No arrancó el servidor S3 de pruebas (moto): {exc}")
    yield servidor
    servidor.detener()


@dataclass
class Almacen:
    """The storage the service uses in this test, and a way around it."""

    tipo: str  # "local" | "s3"
    servidor: ServidorS3 | None = None
    bucket: str = ""

    @property
    def storage(self) -> Storage:
        return default_storage

    def reemplazar(self, nombre: str, datos: bytes) -> None:
        """Puts ``datos`` under ``nombre`` behind the service's back (damage, or a restore)."""
        if self.servidor is not None:
            self.servidor.cliente().put_object(Bucket=self.bucket, Key=nombre, Body=datos)
        else:
            default_storage.delete(nombre)
            assert default_storage.save(nombre, ContentFile(datos)) == nombre

    def objetos(self, prefijo: str = "") -> list[str]:
        """Every stored name under ``prefijo``, as the backend itself lists it."""
        if self.servidor is not None:
            paginas = (
                self.servidor.cliente()
                .get_paginator("list_objects_v2")
                .paginate(Bucket=self.bucket, Prefix=prefijo)
            )
            return sorted(o["Key"] for p in paginas for o in p.get("Contents", ()))
        nombres: list[str] = []
        pendientes = [prefijo.rstrip("/")]
        while pendientes:
            carpeta = pendientes.pop()
            try:
                subcarpetas, archivos = default_storage.listdir(carpeta)
            except FileNotFoundError:
                continue
            base = f"{carpeta}/" if carpeta else ""
            nombres += [base + a for a in archivos]
            pendientes += [base + s for s in subcarpetas]
        return sorted(nombres)


@pytest.fixture(params=["local", "s3"])
def almacen(request: pytest.FixtureRequest, settings: Any, tmp_path: Any) -> Almacen:
    # Uploads, and downloads from the bucket, go through temporary files here.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    if request.param == "local":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / "archivos", "base_url": None},
            },
        }
        return Almacen("local")
    servidor: ServidorS3 = request.getfixturevalue("servidor_s3")
    bucket = servidor.bucket_nuevo()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "archivos.s3.AlmacenS3", "OPTIONS": servidor.opciones(bucket)},
    }
    return Almacen("s3", servidor, bucket)
