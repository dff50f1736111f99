"""The site's public base URL: the address printed in acuses (QR code and link) and in
notices, so it must be one a person can open from anywhere, not where the process
happens to listen. Pure Python: settings read it before Django is set up."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["UrlPublicaInvalida", "base_publica", "direccion_servida"]

# Addresses that mean "every interface" to a server but reach nothing as a link.
_TODAS_LAS_INTERFACES = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


class UrlPublicaInvalida(ValueError):
    """The configured base URL cannot be printed on an acuse as it is."""


def base_publica(valor: str, *, solo_https: bool = False) -> str:
    """``valor`` checked and normalised: scheme and host in lower case, no trailing slash
    (callers append ``/verificar/…``), a path prefix kept when the site lives under one.

    Raises :class:`UrlPublicaInvalida` for anything a reader of the acuse could not open
    or that would change what the link means: another scheme (``https`` only when
    ``solo_https``), no host, a user or password, a query or a fragment, a bad port,
    spaces or control characters.
    """
    texto = valor.strip()
    if not texto:
        raise UrlPublicaInvalida("is empty")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in texto):
        raise UrlPublicaInvalida(f"{texto!r} has spaces or control characters")
    partes = urlsplit(texto)
    esquema = partes.scheme.lower()
    permitidos = ("https",) if solo_https else ("http", "https")
    if esquema not in permitidos:
        raise UrlPublicaInvalida(
            f"{texto!r} must start with {' or '.join(e + '://' for e in permitidos)}"
        )
    if not partes.hostname:
        raise UrlPublicaInvalida(f"{texto!r} has no host")
    if partes.username is not None or partes.password is not None:
        raise UrlPublicaInvalida(f"{texto!r} must not carry a user or password")
    if partes.query or partes.fragment or texto.endswith(("?", "#")):
        raise UrlPublicaInvalida(f"{texto!r} must not carry a query (?) or a fragment (#)")
    try:
        puerto = partes.port
    except ValueError:
        raise UrlPublicaInvalida(f"{texto!r} has an invalid port") from None
    servidor = partes.hostname.lower()
    if ":" in servidor:  # an IPv6 literal goes back in brackets
        servidor = f"[{servidor}]"
    if puerto is not None:
        servidor = f"{servidor}:{puerto}"
    return urlunsplit((esquema, servidor, partes.path.rstrip("/"), "", ""))


def direccion_servida(host: str, puerto: int) -> str:
    """``http://host:port``, where ``make run`` serves, as a URL a browser opens: an
    address that means every interface becomes the loopback one."""
    host = _TODAS_LAS_INTERFACES.get(host.strip(), host.strip())
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return base_publica(f"http://{host}:{puerto}")
