"""``manage.py efirma_inspect FILE…`` as a script calls it: one JSON object per line per
file, the path exactly as given, and an exit status that says whether every file was read."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]
CLAVES = [
    "archivo",
    "rfc",
    "rfc_representante",
    "curp",
    "nombre",
    "tipo",
    "es_efirma",
    "numero_certificado",
    "emisor",
    "valido_desde",
    "valido_hasta",
]


def inspect(*archivos: str, cwd: Path) -> tuple[int, list[dict], str]:
    r = subprocess.run(
        [sys.executable, str(RAIZ / "manage.py"), "efirma_inspect", *archivos],
        cwd=cwd,
        capture_output=True,
        timeout=60,
    )
    texto = r.stdout.decode("utf-8")
    return r.returncode, [json.loads(linea) for linea in texto.splitlines()], texto


def es_iso(valor: str) -> bool:
    return datetime.fromisoformat(valor).tzinfo is not None


def test_real_sat_files_give_every_key_with_its_type_and_the_path_as_given(sat_fixtures):
    relativo = "fiel-EKU9003173C9/certificate.cer"
    absoluto = str(sat_fixtures / "fiel-CACX7605101P8" / "certificate.cer")
    csd = "./csd-SMA0112284B2//certificate.cer"
    estado, objetos, _ = inspect(relativo, absoluto, csd, cwd=sat_fixtures)
    assert estado == 0
    assert [o["archivo"] for o in objetos] == [relativo, absoluto, csd]
    for o in objetos:
        assert list(o) == CLAVES
        assert o["tipo"] in ("fisica", "moral")
        assert isinstance(o["es_efirma"], bool)
        for clave in ("rfc", "curp", "nombre", "numero_certificado", "emisor"):
            assert isinstance(o[clave], str) and o[clave], clave
        assert es_iso(o["valido_desde"]) and es_iso(o["valido_hasta"])
    moral, fisica, sello = objetos
    assert moral["rfc"] == "EKU9003173C9" and moral["rfc_representante"] == "VADA800927DJ3"
    assert moral["tipo"] == "moral" and moral["es_efirma"] is True
    assert moral["nombre"] == "ESCUELA KEMPER URGATE SA DE CV"
    assert moral["valido_hasta"].startswith("2027-05-17")
    # A persona física has no representative: absent values are null, not "" or missing.
    assert fisica["rfc"] == "CACX7605101P8" and fisica["tipo"] == "fisica"
    assert fisica["rfc_representante"] is None
    assert fisica["valido_hasta"].startswith("2023-05-27")  # expired, still read
    assert sello["es_efirma"] is False
    assert sello["nombre"] == "COMPAÑIA SANTA MARIA SA DE CV"  # Latin-1 T61String, UTF-8 out


def test_unreadable_files_give_an_error_object_and_a_nonzero_exit(sat_fixtures, tmp_path):
    basura = tmp_path / "basura.cer"
    basura.write_bytes(b"esto no es un certificado\x00\xff")
    vacio = tmp_path / "vacío.cer"
    vacio.write_bytes(b"")
    llave = str(sat_fixtures / "fiel-EKU9003173C9" / "private_key.key")
    archivos = ["basura.cer", str(vacio), "no-existe.cer", llave, "."]
    estado, objetos, texto = inspect(*archivos, cwd=tmp_path)
    assert estado != 0
    assert len(texto.splitlines()) == len(archivos)
    assert [o["archivo"] for o in objetos] == archivos
    for o in objetos:
        assert list(o) == ["archivo", "error", "mensaje"]
        assert o["error"].isascii() and o["error"].replace("_", "").isalpha()
        assert o["error"] == o["error"].lower()
        assert isinstance(o["mensaje"], str) and len(o["mensaje"]) > 10


def test_one_bad_file_among_good_ones_still_prints_all_and_exits_nonzero(sat_fixtures):
    bueno = "fiel-EKU9003173C9/certificate.cer"
    estado, objetos, _ = inspect(bueno, "falta.cer", bueno, cwd=sat_fixtures)
    assert estado != 0
    assert [list(o) for o in objetos] == [CLAVES, ["archivo", "error", "mensaje"], CLAVES]
    assert objetos[0] == objetos[2]
