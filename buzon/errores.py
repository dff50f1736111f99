"""The one error type for rules a person broke, shared by pages, the API and commands."""

from __future__ import annotations

from django.http import Http404


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


NO_ENCONTRADA = "No existe una solicitud con ese folio."


class NoEncontrada(ErrorDominio, Http404):
    """A request this person may not see: unknown and forbidden are the same answer.

    Being an Http404, a page that lets it through answers with the site's 404 page; being
    an ErrorDominio, the API answers ``{"codigo": "no_encontrada"}`` with status 404.
    Both access modules (``promociones.acceso``, ``atencion.acceso``) raise only this.
    """

    def __init__(self, mensaje: str = NO_ENCONTRADA) -> None:
        super().__init__("no_encontrada", mensaje, status=404)
