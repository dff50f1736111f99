"""The crash sweep: stored files no row names and dead uploads' temporary files, once
they are an hour old; never a file a row names, never a young one."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from promociones.limpieza import limpiar_huerfanos
from promociones.models import Evidencia
from promociones.tests.test_services import registrar

HACE_DOS_HORAS = time.time() - 2 * 3600


@pytest.fixture
def almacen(settings, tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "archivos", "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    settings.ANTIVIRUS = "null"
    return tmp_path


def archivo(ruta: Path, *, viejo: bool) -> Path:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    ruta.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    if viejo:
        os.utime(ruta, (HACE_DOS_HORAS, HACE_DOS_HORAS))
    return ruta


def test_only_old_files_no_row_names_and_old_dead_uploads_are_deleted(almacen, contribuyente):
    solicitud = registrar(contribuyente)
    nombrado = almacen / "archivos" / Evidencia.objects.get(solicitud=solicitud).archivo.name
    os.utime(nombrado, (HACE_DOS_HORAS, HACE_DOS_HORAS))
    huerfano = archivo(almacen / "archivos/evidencias/2026/01/a1.zip", viejo=True)
    respuesta_huerfana = archivo(almacen / "archivos/respuestas/2026/01/b2.pdf", viejo=True)
    reciente = archivo(almacen / "archivos/evidencias/2026/01/c3.zip", viejo=False)
    ajeno = archivo(almacen / "archivos/otros/d4.bin", viejo=True)
    temporal_muerto = archivo(almacen / "tmp/tmpab12cd.upload.zip", viejo=True)
    temporal_vivo = archivo(almacen / "tmp/tmpef34gh.upload.zip", viejo=False)
    otro_temporal = archivo(almacen / "tmp/notas.txt", viejo=True)

    barrido = limpiar_huerfanos()

    assert sorted(barrido.archivos) == [
        "evidencias/2026/01/a1.zip",
        "respuestas/2026/01/b2.pdf",
    ]
    assert barrido.temporales == ["tmpab12cd.upload.zip"]
    assert not huerfano.exists() and not respuesta_huerfana.exists()
    assert not temporal_muerto.exists()
    for sigue in (nombrado, reciente, ajeno, temporal_vivo, otro_temporal):
        assert sigue.exists(), sigue
    assert nombrado.read_bytes()[:2] == b"PK"  # the request's evidence is intact


def test_the_command_sweeps_and_says_what_it_deleted(almacen, db):
    huerfano = archivo(almacen / "archivos/evidencias/2026/02/e5.zip", viejo=True)
    salida = StringIO()
    call_command("limpiar_huerfanos", stdout=salida)
    assert not huerfano.exists()
    assert "evidencias/2026/02/e5.zip" in salida.getvalue()
    assert "1 archivos y 0 temporales borrados." in salida.getvalue()
