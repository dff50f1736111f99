from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


class UsuarioConContribuyente(ModelBackend):
    """Django's model backend, loading the taxpayer with the user.

    Every logged-in page needs both (the header shows the taxpayer's name, every query
    is scoped to it): one joined query instead of two on each request.
    """

    def get_user(self, user_id: Any) -> User | None:
        try:
            usuario = User._default_manager.select_related("contribuyente").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return usuario if self.user_can_authenticate(usuario) else None
