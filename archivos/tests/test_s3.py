"""The S3 backend's own promises: settings build it from BUZON_S3_* alone, objects stay
private, and a storage that does not answer is a 503 with its code, never a half-made
filing nor a false alarm about a file."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import cast

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client

from archivos.almacen import AlmacenNoDisponible, abrir_verificado, guardar
from archivos.models import IncidenteArchivo
from archivos.s3 import AlmacenS3
from archivos.tests.servidor_s3 import ServidorS3
from buzon.errores import ErrorDominio
from buzon.tests.ayudas import ROOT, puerto_libre

pytestmark = pytest.mark.django_db


def test_settings_store_in_the_bucket_named_by_the_environment(servidor_s3: ServidorS3, tmp_path):
    bucket = servidor_s3.bucket_nuevo()
    programa = (
        "from django.core.files.storage import default_storage as d\n"
        "from archivos.almacen import guardar, sondear\n"
        "from django.core.files.base import ContentFile\n"
        "sondear()\n"
        "print(type(d._wrapped).__name__, d.bucket_name, d.default_acl, d.querystring_auth,"
        " d.file_overwrite)\n"
        "print(guardar('evidencias', 'zip', ContentFile(b'PK hola')))\n"
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", programa],
        cwd=ROOT,
        env={
            **_entorno_limpio(),
            "BUZON_DATA_DIR": str(tmp_path),
            **servidor_s3.entorno(bucket),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    clase, nombre = r.stdout.strip().splitlines()[-2:]
    assert clase == f"AlmacenS3 {bucket} None True False"
    cliente = servidor_s3.cliente()
    objetos = cliente.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in objetos] == [nombre]  # the readiness probe left nothing
    assert cliente.get_object(Bucket=bucket, Key=nombre)["Body"].read() == b"PK hola"
    assert not (tmp_path / "archivos").exists() or not any((tmp_path / "archivos").rglob("*.*"))


def _entorno_limpio() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_S3_", "AWS_"))}


def test_objects_are_private_no_anonymous_read(almacen_s3, servidor_s3: ServidorS3):
    nombre = guardar("evidencias", "zip", ContentFile(b"PK privado"))
    acl = servidor_s3.cliente().get_object_acl(Bucket=almacen_s3, Key=nombre)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner's, only
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in acl["Grants"])
    # The URL without a signature is refused by the server; the service never hands out
    # either kind (downloads stream through the app).
    with pytest.raises(urllib.error.HTTPError) as sin_firma:
        urllib.request.urlopen(f"{servidor_s3.url}/{almacen_s3}/{nombre}", timeout=10)  # noqa: S310
    assert sin_firma.value.code == 403


@pytest.fixture
def almacen_s3(settings, servidor_s3: ServidorS3, tmp_path) -> str:
    bucket = servidor_s3.bucket_nuevo()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "archivos.s3.AlmacenS3", "OPTIONS": servidor_s3.opciones(bucket)},
    }
    return bucket


@pytest.fixture
def s3_caido(settings, tmp_path) -> None:
    """A bucket on an endpoint where nothing listens (no server needed)."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "archivos.s3.AlmacenS3",
            "OPTIONS": {
                "bucket_name": "buzon-caido",
                "endpoint_url": f"http://127.0.0.1:{puerto_libre()}",
                "region_name": "us-east-1",
                "access_key": "x",
                "secret_key": "y",
            },
        },
    }


def test_storage_that_does_not_answer_is_a_503_not_a_missing_file(s3_caido):
    inicio = time.monotonic()
    with pytest.raises(ErrorDominio) as al_guardar:
        guardar("evidencias", "zip", ContentFile(b"PK"))
    assert al_guardar.value.clave == "almacenamiento_no_disponible"
    assert al_guardar.value.status == 503
    with pytest.raises(ErrorDominio) as al_leer:
        abrir_verificado(
            "evidencias/2026/01/x.zip",
            sha256=hashlib.sha256(b"PK").hexdigest(),
            tamano=2,
            que="una evidencia",
        )
    assert al_leer.value.clave == "almacenamiento_no_disponible"
    # Not a "missing file" alarm: nothing is known to be wrong with the file.
    assert not IncidenteArchivo.objects.exists()
    assert time.monotonic() - inicio < 20  # bounded retries, not a hung worker
    assert type(storages["default"]).__name__ == "AlmacenS3"


def test_readiness_says_the_storage_failed(s3_caido):
    r = Client().get("/salud/lista")
    assert r.status_code == 503
    assert r.json() == {
        "lista": False,
        "base_de_datos": "ok",
        "almacenamiento": "falla",
        "migraciones": "ok",
    }


def test_a_file_goes_in_one_put_with_its_sha256_and_never_over_another(
    almacen_s3, servidor_s3: ServidorS3
):
    """One request per file (no "does the name exist?" first), carrying the hash the
    service records, which the server keeps and (on S3) checks; a taken name is refused
    by the server itself, and the object there stays as it was."""
    almacen = cast(AlmacenS3, storages["default"])
    cliente_servicio = almacen.cliente()
    operaciones: list[str] = []

    def anotar(model: object, **_: object) -> None:
        operaciones.append(getattr(model, "name", ""))

    cliente_servicio.meta.events.register("before-call.s3", anotar)
    datos = b"PK evidencia con huella \xc3\xb1"
    huella = hashlib.sha256(datos).hexdigest()
    try:
        nombre = guardar("evidencias", "zip", ContentFile(datos), sha256=huella)
        assert operaciones == ["PutObject"]
        objeto = servidor_s3.cliente().head_object(
            Bucket=almacen_s3, Key=nombre, ChecksumMode="ENABLED"
        )
        assert base64.b64decode(objeto["ChecksumSHA256"]).hex() == huella

        # Refused (412; moto's answer also trips the client's checksum check): either
        # way an error, and the object stays.
        with pytest.raises(AlmacenNoDisponible):
            almacen._save(nombre, ContentFile(b"PK otra cosa"))
    finally:
        cliente_servicio.meta.events.unregister("before-call.s3", anotar)
    cuerpo = servidor_s3.cliente().get_object(Bucket=almacen_s3, Key=nombre)["Body"].read()
    assert cuerpo == datos
