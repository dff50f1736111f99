"""A full disk under the data dir: the filing that needed the space is refused with a
503 and its code, nothing partial stays, and what was stored before is intact.

The disk is real: a 3 MB tmpfs mounted for the test (root can mount; CI runs as root).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from pathlib import Path

import pytest

from acuses.models import Acuse
from conftest import skip_or_fail
from promociones.models import Evidencia, Solicitud
from promociones.tests.conftest import zip_bytes, zip_de_tamano

pytestmark = pytest.mark.django_db


@pytest.fixture
def disco_pequeno(tmp_path: Path):
    punto = tmp_path / "disco"
    punto.mkdir()
    montado = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(punto)],
        capture_output=True,
        text=True,
        check=False,
    )
    if montado.returncode != 0:
        skip_or_fail("MOUNT", f"no se pudo montar un tmpfs: {montado.stderr.strip()}")
    try:
        yield punto
    finally:
        subprocess.run(["umount", "-l", str(punto)], check=False)


def archivos(carpeta: Path) -> dict[str, str]:
    return {
        str(p.relative_to(carpeta)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in carpeta.rglob("*")
        if p.is_file()
    }


def presentar(api, contenido: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.post(
        "/api/v1/solicitudes",
        {
            "servicio": "aclaracion",
            "asunto": "icsoe",
            "descripcion": "La ICSOE del tercer cuatrimestre no aparece presentada.",
            "telefono": "5512345678",
            "evidencia": SimpleUploadedFile("icsoe.zip", contenido, "application/zip"),
        },
    )


def test_a_full_disk_refuses_the_filing_with_503_and_leaves_nothing_partial(
    api, settings, disco_pequeno, tmp_path, caplog
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": disco_pequeno, "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    primera = presentar(api, zip_bytes())
    assert primera.status_code == 201, primera.content
    antes = archivos(disco_pequeno)
    evidencia = Evidencia.objects.get()
    assert antes[evidencia.archivo] == evidencia.sha256

    # Fill what is left of the disk but a little, then file 2 MB of evidence.
    relleno = disco_pequeno / "relleno"
    with open(relleno, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    os.truncate(relleno, max(0, relleno.stat().st_size - 256 * 1024))
    api.raise_request_exception = False
    with caplog.at_level(logging.CRITICAL):
        segunda = presentar(api, zip_de_tamano(2 * 1024 * 1024))
    assert segunda.status_code == 503, segunda.content
    assert segunda.json()["codigo"] == "almacenamiento_lleno"
    assert int(segunda["Retry-After"]) > 0
    assert Solicitud.objects.count() == 1
    assert Acuse.objects.count() == 1
    despues = archivos(disco_pequeno)
    despues.pop("relleno")
    assert despues == antes  # nothing partial, nothing lost
