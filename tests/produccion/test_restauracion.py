"""Backup and restore, as docs/deploy.md tells an operator to do them: a deployment on
PostgreSQL and S3 with several acuses (three receptions, a prórroga, a canalización, two
answers with their documents) is dumped (``pg_dump -Fc``) and its bucket copied object by
object; the original database is dropped and its bucket emptied; the dump is restored
into a new database (``pg_restore``) and the objects into a new bucket, and a new app
server on them shows that every acuse still verifies (its PDF by ``POST
/api/v1/verificar``, its code by ``/verificar/{codigo}``), every evidence and answer
document comes back with its SHA-256, and a new filing gets the next folio."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from archivos.tests.servidor_s3 import ServidorS3
from atencion.tests.conftest import PDF  # a PDF a reader opens (answers must open)
from conftest import skip_or_fail
from promociones.tests.conftest import zip_bytes
from tests.produccion.conftest import nuevo_despliegue
from tests.produccion.despliegue import (
    Despliegue,
    Efirma,
    Postgres,
    Servidor,
    con_token,
    errores_en,
    json_de,
    multipart,
    pedir,
)

NOTA = "Se turna al área que lleva el caso; la revisión toma cinco días más."


@pytest.fixture(scope="module")
def binarios(postgres: Postgres) -> tuple[Path, Path]:
    """pg_dump and pg_restore of the server's major version (or newer)."""
    pg_dump, pg_restore = postgres.binario("pg_dump"), postgres.binario("pg_restore")
    if pg_dump is None or pg_restore is None:
        skip_or_fail(
            "POSTGRES",
            f"Faltan pg_dump o pg_restore de PostgreSQL {postgres.version_mayor()} o más "
            "nuevo (paquete postgresql-client): la prueba de restauración no corre.",
        )
    return pg_dump, pg_restore


def presentar(servidor: Servidor, token: str, evidencia: bytes, asunto: str) -> dict[str, Any]:
    cuerpo, cabeceras = multipart(
        {
            "servicio": "aclaracion",
            "asunto": asunto,
            "descripcion": "No se refleja mi pago de cuotas del bimestre 2026-01.",
            "telefono": "5512345678",
        },
        {"evidencia": ("evidencia.zip", evidencia, "application/zip")},
    )
    r = pedir(
        servidor.puerto,
        "POST",
        "/api/v1/solicitudes",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(token)},
    )
    assert r.status == 201, r.cuerpo
    return dict(r.json())


def accion(servidor: Servidor, personal: str, folio: str, que: str, datos: dict[str, Any]) -> None:
    cuerpo, cabeceras = json_de(datos)
    r = pedir(
        servidor.puerto,
        "POST",
        f"/api/v1/atencion/solicitudes/{folio}/{que}",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(personal)},
    )
    assert r.status == 200, r.cuerpo


def responder(servidor: Servidor, personal: str, folio: str, documento: bytes) -> None:
    cuerpo, cabeceras = multipart(
        {"texto": "Su pago quedó aplicado el 5 de marzo."},
        {"documento": ("respuesta.pdf", documento, "application/pdf")},
    )
    r = pedir(
        servidor.puerto,
        "POST",
        f"/api/v1/atencion/solicitudes/{folio}/respuesta",
        cuerpo=cuerpo,
        cabeceras={**cabeceras, **con_token(personal)},
    )
    assert r.status == 200, r.cuerpo


def sha256(datos: bytes) -> str:
    return hashlib.sha256(datos).hexdigest()


def copiar_bucket(s3: ServidorS3, origen: str, destino: str) -> dict[str, str]:
    """Every object of ``origen`` into ``destino`` through the client, as a backup job
    copies it elsewhere; each name with its content's SHA-256."""
    cliente = s3.cliente()
    copiados = {}
    for pagina in cliente.get_paginator("list_objects_v2").paginate(Bucket=origen):
        for objeto in pagina.get("Contents", ()):
            datos = cliente.get_object(Bucket=origen, Key=objeto["Key"])["Body"].read()
            cliente.put_object(Bucket=destino, Key=objeto["Key"], Body=datos)
            copiados[objeto["Key"]] = sha256(datos)
    return copiados


def vaciar_bucket(s3: ServidorS3, bucket: str) -> None:
    cliente = s3.cliente()
    for pagina in cliente.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for objeto in pagina.get("Contents", ()):
            cliente.delete_object(Bucket=bucket, Key=objeto["Key"])


def test_a_dump_and_a_bucket_copy_restore_a_deployment_where_every_acuse_verifies(
    postgres: Postgres,
    esquema: str,
    estaticos: Path,
    servidor_s3: ServidorS3,
    sello_de_prueba: Path,
    efirma: tuple[Efirma, Path],
    binarios: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    pg_dump, pg_restore = binarios
    original = nuevo_despliegue(
        postgres, esquema, estaticos, servidor_s3, sello_de_prueba, efirma[1], tmp_path / "original"
    )
    restaurado: Despliegue | None = None
    try:
        sembrado = original.sembrar(3)
        personal = sembrado["personal"]
        titulares = sembrado["contribuyentes"]
        servidor = original.iniciar_servidor("servidor", trabajadores=1)

        evidencias = [zip_bytes(f"Comprobante {i}\n".encode() * 30) for i in range(3)]
        solicitudes = [
            presentar(servidor, t["token"], e, asunto="emisiones")
            for t, e in zip(titulares, evidencias, strict=True)
        ]
        folios = [s["folio"] for s in solicitudes]
        documentos = {folios[1]: PDF, folios[2]: PDF.replace(b"612 792", b"595 842")}
        accion(servidor, personal, folios[0], "prorroga", {"nota": NOTA, "dias_habiles": 5})
        accion(
            servidor,
            personal,
            folios[1],
            "canalizacion",
            {"nota": NOTA, "servicio": "orientacion", "asunto": "emisiones"},
        )
        for folio, documento in documentos.items():
            responder(servidor, personal, folio, documento)

        # What the taxpayers hold before the disaster: every acuse PDF and its code.
        acuses: list[tuple[str, str, str, bytes]] = []  # (folio, tipo, codigo, pdf)
        for t, folio in zip(titulares, folios, strict=True):
            token = con_token(t["token"])
            detalle = pedir(servidor.puerto, "GET", f"/api/v1/solicitudes/{folio}", cabeceras=token)
            for acuse in detalle.json()["acuses"]:
                descarga = pedir(servidor.puerto, "GET", acuse["url"], cabeceras=token)
                assert descarga.status == 200 and descarga.cuerpo.startswith(b"%PDF-")
                acuses.append((folio, acuse["tipo"], acuse["codigo_verificacion"], descarga.cuerpo))
        assert sorted(tipo for _, tipo, _, _ in acuses) == sorted(
            ["recepcion"] * 3 + ["prorroga", "canalizacion", "respuesta", "respuesta"]
        )
        assert errores_en(servidor.registro()) == []
        original.detener()

        # The backup: a dump of the database, a copy of every object.
        volcado = tmp_path / "buzon.dump"
        subprocess.run(
            [str(pg_dump), "--format=custom", "--file", str(volcado), original.base],
            check=True,
            capture_output=True,
        )
        respaldo = servidor_s3.bucket_nuevo()
        copiados = copiar_bucket(servidor_s3, original.bucket, respaldo)
        assert any(k.startswith("evidencias/") for k in copiados), copiados

        # The disaster: the database and the bucket are gone.
        postgres.borrar(original.base)
        vaciar_bucket(servidor_s3, original.bucket)

        # The restore: a new, empty database and a new bucket, then a new app server.
        base = postgres.base_nueva("buzon_restaurada")
        subprocess.run(
            [str(pg_restore), "--no-owner", "--exit-on-error", "--dbname", base, str(volcado)],
            check=True,
            capture_output=True,
        )
        bucket = servidor_s3.bucket_nuevo()
        assert copiar_bucket(servidor_s3, respaldo, bucket) == copiados
        restaurado = Despliegue(
            base=base,
            bucket=bucket,
            comun={**original.comun, **servidor_s3.entorno(bucket)},
            raiz=tmp_path / "restaurado",
            estaticos=estaticos,
        )
        nuevo = restaurado.iniciar_servidor("servidor", trabajadores=1)
        lista = pedir(nuevo.puerto, "GET", "/salud/lista")
        assert lista.status == 200 and lista.json()["lista"] is True, lista.cuerpo

        for folio, _tipo, codigo, pdf in acuses:
            cuerpo, cabeceras = multipart({}, {"acuse": ("acuse.pdf", pdf, "application/pdf")})
            veredicto = pedir(
                nuevo.puerto, "POST", "/api/v1/verificar", cuerpo=cuerpo, cabeceras=cabeceras
            ).json()
            assert veredicto["valido"] is True, (folio, veredicto)
            assert (veredicto["folio"], veredicto["codigo_verificacion"]) == (folio, codigo)
            por_codigo = pedir(
                nuevo.puerto,
                "GET",
                f"/verificar/{codigo}",
                cabeceras={"Accept": "application/json"},
            )
            assert por_codigo.status == 200 and por_codigo.json()["valido"] is True, codigo
            assert por_codigo.json()["folio"] == folio
        # The verifier is no rubber stamp: one byte changed in a sealed PDF, and it says so.
        _, _, _, pdf = acuses[0]
        cambiado = pdf.replace(b"/Type /Page", b"/Type /Pags", 1)
        assert cambiado != pdf
        cuerpo, cabeceras = multipart({}, {"acuse": ("acuse.pdf", cambiado, "application/pdf")})
        falso = pedir(nuevo.puerto, "POST", "/api/v1/verificar", cuerpo=cuerpo, cabeceras=cabeceras)
        assert falso.json()["valido"] is False, falso.cuerpo

        for t, s, evidencia in zip(titulares, solicitudes, evidencias, strict=True):
            token = con_token(t["token"])
            leida = pedir(
                nuevo.puerto, "GET", f"/api/v1/solicitudes/{s['folio']}/evidencia", cabeceras=token
            )
            assert leida.status == 200
            assert sha256(leida.cuerpo) == s["evidencia"]["sha256"] == sha256(evidencia)
            respuesta = documentos.get(s["folio"])
            if respuesta is not None:
                leido = pedir(
                    nuevo.puerto,
                    "GET",
                    f"/api/v1/solicitudes/{s['folio']}/respuesta/documento",
                    cabeceras=token,
                )
                assert leido.status == 200 and sha256(leido.cuerpo) == sha256(respuesta)

        # The restored database goes on where the original stopped: the next folio.
        otra = presentar(nuevo, titulares[0]["token"], zip_bytes(), asunto="icsoe")
        assert otra["folio"] not in folios
        assert (
            int(otra["folio"].rsplit("-", 1)[1])
            == max(int(f.rsplit("-", 1)[1]) for f in folios) + 1
        )
        assert errores_en(nuevo.registro()) == []
    finally:
        original.detener()
        if restaurado is not None:
            restaurado.detener()
            postgres.borrar(restaurado.base)
        postgres.borrar(original.base)
