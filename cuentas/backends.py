"""The authentication backend: Django's ModelBackend, bringing the taxpayer along.

Every signed-in page reads ``request.user.contribuyente``; loading the user with
``select_related`` saves the second lookup. When the request's session already brought
its user (``cuentas.sesiones``, decision 0012) and the signed data names that same user,
no query is made at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from cuentas.sesiones import id_de_usuario, usuario_precargado


class UsuarioConContribuyente(ModelBackend):
    """Same answer as Django's ModelBackend; the user comes with its taxpayer cached."""

    def get_user(self, user_id: Any) -> User | None:
        pk = id_de_usuario(user_id)
        if pk is None:
            return None
        usuario = usuario_precargado(pk)
        if usuario is None:
            usuario = User.objects.select_related("contribuyente").filter(pk=pk).first()
            if usuario is None:
                return None
        return usuario if self.user_can_authenticate(usuario) else None
