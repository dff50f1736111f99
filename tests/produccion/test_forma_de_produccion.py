"""The production shape on one machine (issue 12): one PostgreSQL, one S3-compatible
server, two gunicorn app servers of two workers each with no memory in common, four
notice workers; 200 taxpayers file at once with evidence, alternating servers.

Proved here: no request fails; 200 distinct folios; every evidence file comes back from
either server with the SHA-256 that was sent; a token and a browser session made on one
server are valid on the other (and a logout on one ends them on both); an edit of the
catalog shows on every worker of both servers within seconds; every notice (a confirmation
code for each taxpayer's phone) leaves exactly once, whichever of the four workers took
it, and its code confirms the phone on the other server.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from archivos.tests.servidor_s3 import ServidorS3
from promociones.tests.conftest import zip_bytes
from tests.produccion.conftest import nuevo_despliegue
from tests.produccion.despliegue import (
    Contador,
    Despliegue,
    Efirma,
    Postgres,
    Servidor,
    con_token,
    entrar_api,
    entrar_navegador,
    errores_en,
    json_de,
    memoria_de_workers,
    multipart,
    pedir,
    token_csrf,
)

CONTRIBUYENTES = 200
HILOS = 50  # filers at the same moment
SERVIDORES = ("servidor-a", "servidor-b")
WORKERS_POR_SERVIDOR = 2  # the machine has two cores; four workers in all
TRABAJADORES_DE_AVISOS = 4
CODIGO = re.compile(r"código de confirmación (\d{6})")


@dataclass
class Presentacion:
    rfc: str
    token: str
    telefono: str
    evidencia: bytes
    servidor: int  # index in Forma.servidores
    status: int = 0
    solicitud: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.evidencia).hexdigest()

    @property
    def folio(self) -> str:
        return str(self.solicitud["folio"])


@dataclass
class Forma:
    despliegue: Despliegue
    servidores: list[Servidor]
    presentaciones: list[Presentacion]
    celulares: list[int]  # status of each phone's registration
    postgres: Postgres
    tiempos: dict[str, float]  # seconds
    cifras: dict[str, float]
    contador: Contador

    def otro(self, i: int) -> Servidor:
        return self.servidores[(i + 1) % len(self.servidores)]


def presentar(servidor: Servidor, p: Presentacion) -> None:
    cuerpo, cabeceras = multipart(
        {
            "servicio": "aclaracion",
            "asunto": "emisiones",
            "descripcion": f"No se refleja mi pago de cuotas del bimestre 2026-01 ({p.rfc}).",
            "telefono": p.telefono,
        },
        {"evidencia": ("evidencia.zip", p.evidencia, "application/zip")},
    )
    r = pedir(
        servidor.puerto,
        "POST",
        "/api/v1/solicitudes",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(p.token)},
    )
    p.status = r.status
    if r.status == 201:
        p.solicitud = r.json()


def registrar_celular(servidor: Servidor, p: Presentacion) -> int:
    """``PUT /api/v1/medios/telefono``: the taxpayer's phone, to which a worker sends a
    confirmation code (one notice each)."""
    cuerpo, cabeceras = json_de({"numero": p.telefono})
    r = pedir(
        servidor.puerto,
        "PUT",
        "/api/v1/medios/telefono",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(p.token)},
    )
    return r.status


def objetos_por_prefijo(s3: ServidorS3, bucket: str) -> dict[str, tuple[int, int]]:
    """The bucket's objects by first folder: how many, and their bytes."""
    cuenta: dict[str, tuple[int, int]] = {}
    paginas = s3.cliente().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    for objeto in (o for pagina in paginas for o in pagina.get("Contents", ())):
        prefijo = objeto["Key"].split("/", 1)[0]
        objetos, suma = cuenta.get(prefijo, (0, 0))
        cuenta[prefijo] = (objetos + 1, suma + int(objeto["Size"]))
    return cuenta


@pytest.fixture(scope="module")
def forma(
    postgres: Postgres,
    esquema: str,
    estaticos: Path,
    servidor_s3: ServidorS3,
    sello_de_prueba: Path,
    efirma: tuple[Efirma, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Forma]:
    tiempos: dict[str, float] = {}
    cifras: dict[str, float] = {}
    inicio = time.monotonic()
    despliegue = nuevo_despliegue(
        postgres,
        esquema,
        estaticos,
        servidor_s3,
        sello_de_prueba,
        efirma[1],
        tmp_path_factory.mktemp("forma"),
    )
    try:
        tiempos["base y bucket nuevos"] = time.monotonic() - inicio
        marca = time.monotonic()
        sembrado = despliegue.sembrar(CONTRIBUYENTES)
        tiempos["200 contribuyentes con token"] = time.monotonic() - marca

        marca = time.monotonic()
        with ThreadPoolExecutor(len(SERVIDORES)) as pool:
            servidores = list(
                pool.map(
                    lambda nombre: despliegue.iniciar_servidor(
                        nombre, trabajadores=WORKERS_POR_SERVIDOR
                    ),
                    SERVIDORES,
                )
            )
        for n in range(TRABAJADORES_DE_AVISOS):
            despliegue.iniciar_trabajador(f"avisos-{n + 1}")
        tiempos["arranque de los servidores y trabajadores"] = time.monotonic() - marca

        presentaciones = [
            Presentacion(
                rfc=c["rfc"],
                token=c["token"],
                telefono=f"55{10_000_000 + i:08d}",
                evidencia=zip_bytes(
                    f"Comprobante de pago de {c['rfc']}, número {i}.\n".encode() * 40
                ),
                servidor=i % len(servidores),
            )
            for i, c in enumerate(sembrado["contribuyentes"])
        ]
        contador = Contador(
            {
                "servidores": [s.proceso.pid for s in servidores],
                "S3 (moto)": [servidor_s3.proceso.pid],
            },
            despliegue.base,
        )

        def presentar_todas() -> None:
            with ThreadPoolExecutor(HILOS) as pool:
                list(pool.map(lambda p: presentar(servidores[p.servidor], p), presentaciones))

        tamano = "SELECT pg_database_size(current_database())"
        bytes_antes = postgres.consultar(despliegue.base, tamano)[0][0]
        marca = time.monotonic()
        gasto = contador.medir(presentar_todas, CONTRIBUYENTES)
        tiempos["200 presentaciones a la vez"] = time.monotonic() - marca
        cifras.update({f"ms de CPU por presentación: {k}": v for k, v in gasto.items()})
        bytes_despues = postgres.consultar(despliegue.base, tamano)[0][0]
        memoria = [mb for s in servidores for mb in memoria_de_workers(s.proceso.pid)]
        cifras["MB de memoria residente por worker, tras presentar (máximo)"] = round(max(memoria))
        cifras["KB de la base por presentación"] = round(
            (bytes_despues - bytes_antes) / 1024 / CONTRIBUYENTES, 1
        )
        for prefijo, (objetos, suma) in sorted(
            objetos_por_prefijo(servidor_s3, despliegue.bucket).items()
        ):
            cifras[f"objetos «{prefijo}/» por presentación"] = objetos / CONTRIBUYENTES
            cifras[f"KB en «{prefijo}/» por presentación"] = round(suma / 1024 / CONTRIBUYENTES, 1)

        marca = time.monotonic()
        with ThreadPoolExecutor(HILOS) as pool:
            celulares = list(
                pool.map(lambda p: registrar_celular(servidores[1 - p.servidor], p), presentaciones)
            )
        tiempos["200 celulares registrados (un aviso cada uno)"] = time.monotonic() - marca
        forma = Forma(
            despliegue,
            servidores,
            presentaciones,
            celulares,
            postgres,
            tiempos,
            cifras,
            contador,
        )
        yield forma
    finally:
        despliegue.detener()
        postgres.borrar(despliegue.base)
        print("\nTiempos de la forma de producción:")  # shown with -s
        for que, segundos in tiempos.items():
            print(f"  {que}: {segundos:.1f} s")
        for que, cuantos in cifras.items():
            print(f"  {que}: {cuantos}")


def test_200_taxpayers_file_at_once_on_two_servers_without_one_error(forma: Forma) -> None:
    assert Counter(p.status for p in forma.presentaciones) == {201: CONTRIBUYENTES}
    folios = {p.folio for p in forma.presentaciones}
    assert len(folios) == CONTRIBUYENTES
    for p in forma.presentaciones:
        assert p.solicitud["evidencia"]["sha256"] == p.sha256
        assert p.solicitud["evidencia"]["bytes"] == len(p.evidencia)
    assert Counter(forma.celulares) == {201: CONTRIBUYENTES}
    # Both servers took their half, and neither logged an error or answered a 5xx.
    assert Counter(p.servidor for p in forma.presentaciones) == {
        0: CONTRIBUYENTES // 2,
        1: CONTRIBUYENTES // 2,
    }
    for servidor in forma.servidores:
        assert errores_en(servidor.registro()) == [], servidor.nombre
        # Stored files are in the bucket, never in a server's data dir.
        assert not list((servidor.datos / "archivos").rglob("*")), servidor.nombre


def test_every_evidence_reads_back_from_either_server_with_its_sha256(forma: Forma) -> None:
    def leer(par: tuple[Presentacion, Servidor]) -> tuple[str, int, str]:
        p, servidor = par
        r = pedir(
            servidor.puerto,
            "GET",
            f"/api/v1/solicitudes/{p.folio}/evidencia",
            cabeceras=con_token(p.token),
        )
        return p.folio, r.status, hashlib.sha256(r.cuerpo).hexdigest()

    pares = [(p, s) for p in forma.presentaciones for s in forma.servidores]
    leidas: list[tuple[str, int, str]] = []

    def leer_todas() -> None:
        with ThreadPoolExecutor(20) as pool:
            leidas.extend(pool.map(leer, pares))

    marca = time.monotonic()
    gasto = forma.contador.medir(leer_todas, len(pares))
    forma.tiempos["400 descargas de evidencia"] = time.monotonic() - marca
    forma.cifras.update({f"ms de CPU por descarga de evidencia: {k}": v for k, v in gasto.items()})
    esperado = {p.folio: p.sha256 for p in forma.presentaciones}
    assert [(f, s, h) for f, s, h in leidas if s != 200 or h != esperado[f]] == []
    assert len(leidas) == 2 * CONTRIBUYENTES


def test_a_session_made_on_one_server_is_valid_on_the_other(
    forma: Forma, efirma: tuple[Efirma, Path]
) -> None:
    a, b = forma.servidores
    # The API: the challenge from A, the login on B; the token works on A; revoked on
    # A, B refuses it.
    token = entrar_api(efirma[0], a.puerto, b.puerto)
    assert pedir(a.puerto, "GET", "/api/v1/solicitudes", cabeceras=con_token(token)).status == 200
    assert pedir(a.puerto, "DELETE", "/api/v1/sesion", cabeceras=con_token(token)).status == 204
    assert pedir(b.puerto, "GET", "/api/v1/solicitudes", cabeceras=con_token(token)).status == 401

    # The browser: the page from A, its challenge from B, the signed challenge to A; the
    # Tablero from B; logged out on B, A sends the browser to the login page.
    galletas = entrar_navegador(efirma[0], a.puerto, b.puerto, a.puerto)
    tablero = pedir(b.puerto, "GET", "/tablero/", galletas=galletas)
    assert tablero.status == 200, tablero.cuerpo[:300]
    assert efirma[0].nombre in tablero.texto
    salida = pedir(
        b.puerto,
        "POST",
        "/salir/",
        cuerpo=f"csrfmiddlewaretoken={token_csrf(tablero)}".encode(),
        cabeceras={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://buzon.example.mx",
        },
        galletas=galletas,
    )
    assert salida.status == 302, salida.cuerpo[:300]
    despues = pedir(a.puerto, "GET", "/tablero/", galletas=galletas)
    assert despues.status == 302 and despues.cabeceras["Location"].startswith("/acceso/")


def test_a_catalog_edit_shows_on_every_worker_of_both_servers_within_seconds(
    forma: Forma, efirma: tuple[Efirma, Path]
) -> None:
    a, b = forma.servidores
    token = entrar_api(efirma[0], b.puerto, a.puerto)
    cuerpo, cabeceras = multipart(
        {
            "servicio": "aclaracion",
            "asunto": "icsoe",
            "descripcion": "Mi registro de servicios especializados no aparece en el ICSOE.",
            "telefono": "5599999999",
        },
        {"evidencia": ("evidencia.zip", zip_bytes(), "application/zip")},
    )
    r = pedir(
        a.puerto,
        "POST",
        "/api/v1/solicitudes",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(token)},
    )
    assert r.status == 201, r.cuerpo
    galletas = entrar_navegador(efirma[0], b.puerto, a.puerto, b.puerto)

    def rafaga() -> list[str]:
        """Four Tableros at once from each server: with two workers a server, both of
        each server's workers answer some of them."""
        with ThreadPoolExecutor(8) as pool:
            respuestas = list(
                pool.map(
                    lambda s: pedir(s.puerto, "GET", "/tablero/", galletas=galletas),
                    [a, b] * 4,
                )
            )
        assert {r.status for r in respuestas} == {200}
        return [r.texto for r in respuestas]

    viejo = forma.despliegue.manage(
        "shell",
        "-c",
        "from promociones.models import Asunto; print(Asunto.objects.get(clave='icsoe').nombre)",
    ).splitlines()[-1]
    for _ in range(3):  # every worker has the catalog in memory
        textos = rafaga()
        assert all(viejo in t for t in textos), (
            viejo,
            [t[-3000:] for t in textos if viejo not in t][:1],
        )

    nuevo = f"Servicios especializados (renombrado {int(time.time())})"
    # As an administrator's edit: the ORM's save(), committed at once (autocommit).
    cambio = float(
        forma.despliegue.manage(
            "shell",
            "-c",
            "import time; from promociones.models import Asunto; "
            f"a = Asunto.objects.get(clave='icsoe'); a.nombre = {nuevo!r}; a.save(); "
            "print(time.time())",
        )
        .strip()
        .splitlines()[-1]
    )
    visto = None
    while time.time() - cambio < 15:
        textos = rafaga()
        if all(nuevo in t and viejo not in t for t in textos):
            visto = time.time() - cambio
            break
        time.sleep(0.1)
    assert visto is not None, "el cambio del catálogo no se vio en 15 s en todos los workers"
    for _ in range(3):  # and no worker goes back to the old name
        assert all(nuevo in t and viejo not in t for t in rafaga())
    forma.tiempos["cambio del catálogo visto en los dos servidores"] = visto
    assert visto < 5, visto


def test_every_notice_is_sent_exactly_once_by_four_workers(forma: Forma) -> None:
    base, pg = forma.despliegue.base, forma.postgres
    marca = time.monotonic()
    while True:
        pendientes = pg.consultar(
            base, "SELECT count(*) FROM avisos_aviso WHERE estado = 'pendiente'"
        )[0][0]
        if pendientes == 0:
            break
        assert time.monotonic() - marca < 90, f"{pendientes} avisos siguen pendientes tras 90 s"
        time.sleep(0.2)
    forma.tiempos["avisos entregados (tras los registros)"] = time.monotonic() - marca
    avisos = pg.consultar(
        base,
        "SELECT destino, texto, estado, intentos, clave_idempotencia::text FROM avisos_aviso",
    )
    assert len(avisos) == CONTRIBUYENTES
    assert {(estado, intentos) for _, _, estado, intentos, _ in avisos} == {("enviado", 1)}
    assert {d for d, *_ in avisos} == {p.telefono for p in forma.presentaciones}

    # The gateway's lines, from all four workers' files: each notice exactly once.
    lineas = [(t, linea) for t in forma.despliegue.trabajadores for linea in t.enviados()]
    enviados = Counter((linea["destino"], linea["texto"]) for _, linea in lineas)
    assert enviados == Counter((d, texto) for d, texto, *_ in avisos)
    # And each idempotency key in exactly one worker's log, once.
    registros = [t.registro() for t in forma.despliegue.trabajadores]
    for *_, clave in avisos:
        assert sum(r.count(clave) for r in registros) == 1, clave
    for t in forma.despliegue.trabajadores:
        assert errores_en(t.registro()) == [], t.datos
    # The app servers sent nothing themselves (BUZON_AVISOS_EN_PROCESO=0).
    for servidor in forma.servidores:
        assert not (servidor.datos / "avisos" / "enviados.jsonl").exists()
    forma.cifras.update(
        {
            f"avisos enviados por {k}": v
            for k, v in sorted(Counter(t.datos.name for t, _ in lineas).items())
        }
    )

    # Each code, as the phone received it, confirms that phone on the other server than
    # the one it was asked on.
    codigos = {linea["destino"]: CODIGO.search(linea["texto"]) for _, linea in lineas}

    def confirmar(p: Presentacion) -> int:
        codigo = codigos[p.telefono]
        assert codigo, p.telefono
        cuerpo, cabeceras = json_de({"codigo": codigo.group(1)})
        return pedir(
            forma.servidores[p.servidor].puerto,
            "POST",
            "/api/v1/medios/telefono/confirmacion",
            cuerpo=cuerpo,
            cabeceras={**cabeceras, **con_token(p.token)},
        ).status

    with ThreadPoolExecutor(HILOS) as pool:
        assert Counter(pool.map(confirmar, forma.presentaciones)) == {200: CONTRIBUYENTES}
    confirmados = pg.consultar(
        base,
        "SELECT count(*) FROM contacto_mediocontacto WHERE confirmado IS NOT NULL",
    )[0][0]
    assert confirmados == CONTRIBUYENTES
