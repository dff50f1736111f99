"""``manage.py token_personal USERNAME``: a new personal API token for a staff account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cuentas.autenticacion import VIGENCIA_TOKEN_PERSONAL, crear_token_personal


class Command(BaseCommand):
    help = (
        "Crea un token personal de la API para una cuenta de personal "
        "(el token va solo en la última línea)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="nombre de usuario de la cuenta de personal")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        usuario = get_user_model().objects.filter(username=username).first()
        if usuario is None:
            raise CommandError(f"No existe la cuenta «{username}».")
        if not usuario.is_active:
            raise CommandError(f"La cuenta «{username}» está desactivada.")
        if not usuario.is_staff and not usuario.adscripciones.exists():
            raise CommandError(
                f"La cuenta «{username}» no es de personal: los contribuyentes inician "
                "sesión con su e.firma en POST /api/v1/sesion."
            )
        token = crear_token_personal(usuario)
        dias = VIGENCIA_TOKEN_PERSONAL.days
        self.stdout.write(
            f"Token personal de «{username}», vigente {dias} días. "
            "Guárdalo: no se vuelve a mostrar."
        )
        self.stdout.write(token)
