"""Django's own session engine on ``cuentas.Sesion``, for ``bench_trucos`` only: the
"without" side of the session read (two ORM lookups instead of one joined query)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db

from cuentas.models import Sesion
from cuentas.sesiones import id_de_usuario


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> type[Sesion]:
        return Sesion

    def create_model_instance(self, data: dict[str, Any]) -> Sesion:
        sesion = cast(Sesion, super().create_model_instance(data))
        sesion.usuario_id = id_de_usuario(data.get(SESSION_KEY))
        return sesion
