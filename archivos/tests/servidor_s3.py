"""A real S3-compatible server on loopback for the tests: moto's standalone server, in a
process of its own on a free port, reached over HTTP like any other S3 endpoint.

The service never knows which server it talks to: the tests configure
``archivos.s3.AlmacenS3`` with an endpoint, a region and keys, exactly as production
does with ``BUZON_S3_*``. The test harness alone uses boto3 directly (to create buckets,
and to look at or damage an object behind the service's back).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buzon.tests.ayudas import puerto_libre

REGION = "us-east-1"
CLAVE = "buzon-pruebas"
SECRETO = "buzon-pruebas-secreto"


@dataclass
class ServidorS3:
    url: str
    proceso: subprocess.Popen[bytes]

    def cliente(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=CLAVE,
            aws_secret_access_key=SECRETO,
        )

    def bucket_nuevo(self) -> str:
        nombre = f"buzon-{uuid.uuid4().hex[:20]}"
        self.cliente().create_bucket(Bucket=nombre)
        return nombre

    def opciones(self, bucket: str) -> dict[str, Any]:
        """``STORAGES["default"]["OPTIONS"]`` as settings.py builds them from BUZON_S3_*."""
        return {
            "bucket_name": bucket,
            "endpoint_url": self.url,
            "region_name": REGION,
            "access_key": CLAVE,
            "secret_key": SECRETO,
        }

    def entorno(self, bucket: str) -> dict[str, str]:
        """The environment a server process needs to store its files in ``bucket``."""
        return {
            "BUZON_S3_BUCKET": bucket,
            "BUZON_S3_ENDPOINT_URL": self.url,
            "BUZON_S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": CLAVE,
            "AWS_SECRET_ACCESS_KEY": SECRETO,
        }

    def detener(self) -> None:
        self.proceso.terminate()
        try:
            self.proceso.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proceso.kill()
            self.proceso.wait(timeout=10)


def iniciar_servidor_s3(carpeta: Path, *, espera: float = 30.0) -> ServidorS3:
    """Starts the server and returns once it answers; raises RuntimeError (with its
    output) if it does not within ``espera`` seconds."""
    puerto = puerto_libre()
    registro = (carpeta / "s3.log").open("ab")
    proceso = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(puerto)],
        stdout=registro,
        stderr=registro,
        start_new_session=True,
    )
    registro.close()
    url = f"http://127.0.0.1:{puerto}"
    limite = time.monotonic() + espera
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return ServidorS3(url, proceso)
        except OSError:
            pass
        if proceso.poll() is not None or time.monotonic() > limite:
            proceso.kill()
            salida = (carpeta / "s3.log").read_text(errors="replace")
            raise RuntimeError(f"El servidor S3 de pruebas no respondió en {url}:\n{salida}")
        time.sleep(0.1)
