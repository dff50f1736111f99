"""What ``make run`` does, driven as an outsider would: ``migrate``, ``demo`` and
``sello_demo`` in a fresh BUZON_DATA_DIR (the default SQLite database there), twice."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
CLAVES_ASUNTOS = {
    "32d-opinion-publica",
    "32d-terceros-autorizados",
    "activacion-buzon",
    "emisiones",
    "icsoe",
    "notificacion-electronica",
}

# Read through the ORM in the data dir's own database: what the demo left there.
RESUMEN = """
import json
from django.contrib.auth import get_user_model
from promociones.models import Asunto, Solicitud
from atencion.models import Adscripcion, Area
U = get_user_model()
def areas(username):
    filas = Adscripcion.objects.filter(usuario__username=username)
    return sorted(filas.values_list("area__clave", "rol"))
print(json.dumps({
    "usuarios": sorted(U.objects.values_list("username", flat=True)),
    "adscripciones": Adscripcion.objects.count(),
    "areas": sorted(Area.objects.values_list("clave", flat=True)),
    "supervisor": areas("supervisor"),
    "analista": areas("analista"),
    "asuntos": {
        a.clave: {
            "area": a.area.clave,
            "servicios": sorted(a.servicios.values_list("clave", flat=True)),
        }
        for a in Asunto.objects.all()
    },
    "solicitudes": sorted(Solicitud.objects.values_list("folio", flat=True)),
}))
"""

# A request filed through the filing service, as the web would, between the two runs.
PRESENTAR = """
import io, zipfile
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from cuentas.models import Contribuyente, TipoPersona
from promociones.services import registrar_solicitud
u = get_user_model().objects.create_user(username="PENM800101AB1")
c = Contribuyente.objects.create(
    usuario=u, rfc="PENM800101AB1", nombre="MARÍA PEÑA", tipo=TipoPersona.FISICA
)
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("pago.txt", "pago")
s = registrar_solicitud(contribuyente=c, servicio="aclaracion", asunto="emisiones",
    descripcion="No se refleja mi pago.", telefono="5512345678",
    evidencia=SimpleUploadedFile("e.zip", b.getvalue(), content_type="application/zip"))
print(s.folio)
"""


def manage(datos: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_", "DATABASE_"))}
    entorno["BUZON_DATA_DIR"] = str(datos)
    entorno["BUZON_AVISOS_EN_PROCESO"] = "0"
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert r.returncode == 0, r.stderr
    return r


def make_run(datos: Path) -> str:
    """The steps of ``make run`` before it serves; their joined output."""
    salida = ""
    for comando in ("migrate", "demo", "sello_demo"):
        args = (comando, "--noinput") if comando == "migrate" else (comando,)
        salida += manage(datos, *args).stdout
    return salida


def resumen(datos: Path) -> dict:
    return json.loads(manage(datos, "shell", "-c", RESUMEN).stdout.strip().splitlines()[-1])


@dataclass
class Corridas:
    datos: Path
    primera: str
    segunda: str
    antes: dict
    despues: dict
    folio: str


@pytest.fixture(scope="module")
def corridas(tmp_path_factory: pytest.TempPathFactory) -> Corridas:
    datos = tmp_path_factory.mktemp("datos")
    primera = make_run(datos)
    folio = manage(datos, "shell", "-c", PRESENTAR).stdout.strip().splitlines()[-1]
    antes = resumen(datos)
    segunda = make_run(datos)
    despues = resumen(datos)
    return Corridas(datos, primera, segunda, antes, despues, folio)


def rutas_impresas(salida: str) -> list[Path]:
    return [Path(p) for p in re.findall(r"^\s+(/\S+\.(?:cer|key))\s*$", salida, re.M)]


def test_demo_prints_efirma_files_that_exist_and_their_password(corridas: Corridas) -> None:
    rutas = rutas_impresas(corridas.primera)
    assert {p.suffix for p in rutas} == {".cer", ".key"}
    assert all(p.is_file() and p.is_relative_to(corridas.datos) for p in rutas)
    contrasena = re.search(
        r"Contraseña de todas las llaves privadas \(\.key\): (\S+)", corridas.primera
    )
    assert contrasena is not None

    from efirma.certificados import leer_certificado
    from efirma.llaves import leer_llave_privada, verificar_par

    efirmas = 0
    for cer in (p for p in rutas if p.suffix == ".cer"):
        certificado = leer_certificado(cer.read_bytes())
        llave = leer_llave_privada(cer.with_suffix(".key").read_bytes(), contrasena.group(1))
        verificar_par(certificado, llave)
        efirmas += certificado.es_efirma
    assert efirmas >= 1


def test_demo_prints_the_staff_passwords_and_they_are_the_accounts_passwords(
    corridas: Corridas,
) -> None:
    impresas = dict(re.findall(r"^\s+(supervisor|analista) / (\S+)", corridas.primera, re.M))
    assert set(impresas) == {"supervisor", "analista"}
    comprobar = "from django.contrib.auth import get_user_model as g;" + "".join(
        f"assert g().objects.get(username={u!r}).check_password({p!r});"
        for u, p in impresas.items()
    )
    manage(corridas.datos, "shell", "-c", comprobar)


# Signs in through the staff pages, in the data dir's own database, with the printed
# password and a code computed from the printed otpauth:// URI; prints where it ended.
ENTRAR = """
from django.test import Client
from tests.contrato.conftest import CuentaPersonal, entrar_personal
c = Client()
r = entrar_personal(c, CuentaPersonal({!r}, {!r}, {!r}))
print(r.status_code, r.get("Location"), c.get("/atencion/codigos-de-recuperacion/").status_code)
"""


def test_demo_prints_each_staff_accounts_totp_uri_and_its_codes_sign_in(
    corridas: Corridas,
) -> None:
    from tests.contrato.conftest import personal_impreso

    cuentas = personal_impreso(corridas.primera)
    assert {"supervisor", "analista"} <= set(cuentas)
    for cuenta in cuentas.values():
        assert cuenta.uri.startswith(f"otpauth://totp/Buz%C3%B3n%20IMSS:{cuenta.username}?")
        assert re.search(r"[?&]secret=[A-Z2-7]{32}(&|$)", cuenta.uri), cuenta.uri
        for parametro in ("issuer=Buz%C3%B3n%20IMSS", "algorithm=SHA1", "digits=6", "period=30"):
            assert parametro in cuenta.uri.split("?")[1].split("&"), cuenta.uri
    # Kept across runs: the app a person set up with the first run's URI keeps working.
    assert personal_impreso(corridas.segunda) == cuentas
    for username in ("supervisor", "analista"):
        c = cuentas[username]
        codigo = ENTRAR.format(c.username, c.contrasena, c.uri)
        salida = manage(corridas.datos, "shell", "-c", codigo).stdout
        assert salida.split()[-3:] == ["302", "/atencion/", "200"], salida


def test_supervisor_oversees_every_area_and_analista_one_area_without_emisiones(
    corridas: Corridas,
) -> None:
    r = corridas.despues
    assert {area for area, rol in r["supervisor"] if rol == "supervisor"} == set(r["areas"])
    assert len(r["analista"]) == 1
    area_analista, rol = r["analista"][0]
    assert rol == "analista"
    assert r["asuntos"]["emisiones"]["area"] != area_analista


def test_the_six_asuntos_are_offered_in_both_services(corridas: Corridas) -> None:
    asuntos = corridas.despues["asuntos"]
    assert set(asuntos) >= CLAVES_ASUNTOS
    for clave in CLAVES_ASUNTOS:
        assert asuntos[clave]["servicios"] == ["aclaracion", "orientacion"], clave


def test_running_again_keeps_accounts_files_passwords_and_requests(corridas: Corridas) -> None:
    assert corridas.despues == corridas.antes
    assert corridas.folio in corridas.despues["solicitudes"]
    assert rutas_impresas(corridas.segunda) == rutas_impresas(corridas.primera)
    # Same printed passwords: the files printed the first time still open.
    contrasenas = r"(Contraseña.*|^\s+\w+ / \S+)"
    assert re.findall(contrasenas, corridas.segunda, re.M) == re.findall(
        contrasenas, corridas.primera, re.M
    )


def test_token_personal_prints_the_token_alone_on_the_last_line(corridas: Corridas) -> None:
    salida = manage(corridas.datos, "token_personal", "supervisor").stdout
    ultima = salida.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_\-]{20,}", ultima)


def test_token_personal_for_an_unknown_account_fails_in_spanish(corridas: Corridas) -> None:
    r = manage(corridas.datos, "token_personal", "nadie", check=False)
    assert r.returncode != 0
    assert "No existe la cuenta «nadie»" in r.stderr


def make_direccion(datos: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    """What ``make run`` prints right before it serves (its ``direccion`` step)."""
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("BUZON_", "DATABASE_"))}
    entorno["BUZON_DATA_DIR"] = str(datos)
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "direccion", *variables],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_run_prints_where_it_serves_and_where_acuses_point(tmp_path: Path) -> None:
    r = make_direccion(tmp_path, "BUZON_HOST=127.0.0.1", "BUZON_PORT=8123")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Sirviendo en http://127.0.0.1:8123/",
        "Los acuses (código QR y enlace) y los avisos apuntan a http://127.0.0.1:8123/",
    ]
    r = make_direccion(tmp_path, "BUZON_PUBLIC_BASE_URL=https://buzon.imss.gob.mx")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Sirviendo en http://127.0.0.1:8000/",
        "Los acuses (código QR y enlace) y los avisos apuntan a https://buzon.imss.gob.mx/",
    ]


def test_make_run_stops_before_serving_with_a_bad_public_base_url(tmp_path: Path) -> None:
    r = make_direccion(tmp_path, "BUZON_PUBLIC_BASE_URL=https://buzon.imss.gob.mx/?origen=qr")
    assert r.returncode != 0
    assert "BUZON_PUBLIC_BASE_URL" in r.stderr
