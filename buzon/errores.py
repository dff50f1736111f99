"""The one error type for rules a person broke, shared by pages, the API and commands."""

from __future__ import annotations


class ErrorDominio(Exception):
    """A rule a person broke: a stable code for programs, Spanish for people.

    ``campo`` names the form field the message belongs next to (None: the whole form);
    ``status`` is the HTTP status the API answers with.
    """

    def __init__(
        self, codigo: str, mensaje: str, *, campo: str | None = None, status: int = 400
    ) -> None:
        super().__init__(mensaje)
        self.codigo = codigo
        self.mensaje = mensaje
        self.campo = campo
        self.status = status
