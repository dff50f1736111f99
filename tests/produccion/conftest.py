"""Fixtures of the production-shape tests: the suite's PostgreSQL (databases of each
test's own), the storage suite's S3 server on loopback, and the environment every
process of a deployment shares.

Without a PostgreSQL these tests skip, saying why; under BUZON_REQUIRE_POSTGRES=1 (CI's
PostgreSQL run) they fail instead. The S3 server follows BUZON_REQUIRE_S3 the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archivos.tests.conftest import servidor_s3  # noqa: F401 — the storage suite's server
from archivos.tests.servidor_s3 import ServidorS3
from buzon.tests.ayudas import manage_en_produccion
from conftest import skip_or_fail
from tests.produccion.despliegue import (
    Despliegue,
    Efirma,
    Postgres,
    autoridad_y_efirma,
    entorno_comun,
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    url = os.environ.get("DATABASE_URL", "")
    partes = urlsplit(url)
    if partes.scheme not in ("postgres", "postgresql", "pgsql"):
        skip_or_fail(
            "POSTGRES",
            "La forma de producción necesita PostgreSQL: define DATABASE_URL=postgres://… "
            "(la corrida de CI con PostgreSQL lo hace); con SQLite no corre.",
        )
    servidor = Postgres(url)
    try:
        servidor.version_mayor()
    except Exception as exc:  # psycopg's OperationalError, or a refused socket
        skip_or_fail(
            "POSTGRES", f"PostgreSQL no responde en {partes.hostname}:{partes.port}: {exc}"
        )
    yield servidor
    servidor.borrar_todas()


@pytest.fixture(scope="session")
def esquema(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once per run, copied for each deployment (CREATE DATABASE …
    TEMPLATE): ``migrate`` is the release's first step, and paying it once is enough."""
    base = postgres.base_nueva("buzon_esquema")
    manage_en_produccion(
        tmp_path_factory.mktemp("esquema"), "migrate", "--noinput", "-v0", DATABASE_URL=base
    )
    return base


@pytest.fixture(scope="session")
def estaticos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``collectstatic`` under production settings (hashed, compressed), once per run."""
    datos = tmp_path_factory.mktemp("estaticos")
    manage_en_produccion(datos, "collectstatic", "--noinput", "-v0")
    return datos / "static"


@pytest.fixture(scope="module")
def efirma(tmp_path_factory: pytest.TempPathFactory) -> tuple[Efirma, Path]:
    """An e.firma, and the folder with its CA that every server of the test trusts."""
    confianza = tmp_path_factory.mktemp("confianza")
    return autoridad_y_efirma(confianza), confianza


def nuevo_despliegue(
    postgres: Postgres,
    esquema: str,
    estaticos: Path,
    s3: ServidorS3,
    sello: Path,
    confianza: Path,
    raiz: Path,
) -> Despliegue:
    """A fresh database (the migrated schema, no rows but the seeded catalog) and a
    fresh bucket. The servers go into service only once /salud/lista finds every
    migration applied."""
    bucket = s3.bucket_nuevo()
    return Despliegue(
        base=postgres.base_nueva(copia_de=esquema),
        bucket=bucket,
        comun=entorno_comun(s3=s3.entorno(bucket), sello=sello, confianza=confianza),
        raiz=raiz,
        estaticos=estaticos,
    )
