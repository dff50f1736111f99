"""``manage.py demo``: the demo CA, e.firmas and staff accounts (kept between runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from buzon.demo import crear_demo


class Command(BaseCommand):
    help = "Crea (o reutiliza) la AC de demostración, las e.firmas de demostración y el personal."

    def handle(self, *args: Any, **options: Any) -> None:
        r = crear_demo()
        w = self.stdout.write
        w("Datos de demostración listos (se conservan entre ejecuciones).")
        w(f"  AC de demostración: {r.carpeta_ca}")
        if Path(settings.EFIRMA_CA_DIR).resolve() != r.carpeta_ca.resolve():
            w(
                f"  Aviso: BUZON_EFIRMA_CA_DIR es {settings.EFIRMA_CA_DIR}; las e.firmas de "
                "demostración no serán aceptadas mientras esa carpeta no confíe en la AC de "
                "demostración."
            )
        w(f"  e.firmas de demostración en {r.carpeta_efirma}:")
        for efirma, cer, key in r.archivos:
            w(f"    {efirma.nombre} — RFC {efirma.rfc} — {efirma.descripcion}")
            w(f"      {cer}")
            w(f"      {key}")
        w(f"  Contraseña de todas las llaves privadas (.key): {r.contrasena_efirma}")
        w("  Personal (usuario / contraseña, y su aplicación de autenticación TOTP):")
        for p in r.personal:
            w(f"    {p.username} / {p.contrasena} — {p.descripcion}")
            w(f"      {p.totp}")
