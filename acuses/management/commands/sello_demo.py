"""``manage.py sello_demo``: a demo sealing key and certificate for `make run`.

Idempotent: when the configured certificate and key exist it says so and changes
nothing. It only ever writes under ``$BUZON_DATA_DIR/demo/sello``; a production
configuration pointing elsewhere is never overwritten. ``--rotar`` retires the current
demo certificate to the ``anteriores`` folder (so its acuses stay verifiable) and makes a
new pair, which is how a real rotation works too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from acuses import sello


def carpeta_demo() -> Path:
    return Path(settings.DATA_DIR) / "demo" / "sello"


class Command(BaseCommand):
    help = "Crea (si falta) el par de llave y certificado de sello de acuses de demostración."
    # Only files are touched: no reason to fail on a check about URLs or models.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotar",
            action="store_true",
            help="Retira el certificado actual a 'anteriores' y crea un par nuevo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cert = Path(settings.ACUSE_SELLO_CERT)
        llave = Path(settings.ACUSE_SELLO_KEY)
        carpeta = carpeta_demo()
        es_demo = cert == carpeta / "sello.cer" and llave == carpeta / "sello.key"
        if cert.exists() and llave.exists() and not options["rotar"]:
            material = sello.material()
            self.stdout.write(
                f"Sello de acuses: {cert} (certificado {material.numero}); ya existe."
            )
            return
        if not es_demo:
            raise CommandError(
                "BUZON_SELLO_CERT y BUZON_SELLO_KEY apuntan fuera de la carpeta de "
                f"demostración ({carpeta}); este comando no crea ni rota ese par. "
                "Instale la llave y el certificado del Instituto en esas rutas."
            )
        if options["rotar"] and cert.exists():
            anteriores = Path(settings.ACUSE_SELLO_CERTS_ANTERIORES_DIR)
            anteriores.mkdir(parents=True, exist_ok=True)
            numero = sello.material().numero
            shutil.copy2(cert, anteriores / f"{numero}.cer")
            self.stdout.write(f"Certificado {numero} retirado a {anteriores}.")
        # A password set in the environment wins over the generated one, as in _password().
        _cer, _key, archivo_password = sello.generar_par(
            carpeta, password=settings.ACUSE_SELLO_PASSWORD or None
        )
        material = sello.material()
        donde = archivo_password or "BUZON_SELLO_PASSWORD"
        self.stdout.write(
            f"Sello de acuses de demostración creado en {carpeta} (certificado "
            f"{material.numero}); la contraseña de la llave está en {donde}."
        )
