"""The Jinja2 environment every page and SMS text is rendered with.

Pages render with Jinja2 rather than Django's template language because the Tablero
must answer at a third of a bare view's rate, and Django's engine spent more time on
the page frame (header, menu, filters, pagination) than the query and the rows
together; Jinja2 compiles each template to Python once. Django's own filters are
offered under their usual names so the output stays the same; see
docs/decisions/0010-paginas-con-jinja2.md.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import defaultfilters
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from jinja2 import Environment, pass_environment, select_autoescape
from markupsafe import Markup


def _fecha(valor: date | datetime | None, formato: str) -> str:
    """Django's ``date`` filter, after the conversion its engine applies first: an aware
    moment is shown in the current time zone (America/Mexico_City)."""
    if isinstance(valor, datetime) and timezone.is_aware(valor):
        valor = timezone.localtime(valor)
    return defaultfilters.date(valor, formato) if valor else ""


def _url(nombre: str, *args: Any, **kwargs: Any) -> str:
    if args or kwargs:
        return reverse(nombre, args=args or None, kwargs=kwargs or None)
    # A link without arguments is the same on every page while the URLconf and the
    # script prefix stay: the page frame has six (footer, session notice, contact means),
    # each a reverse() that cost the Tablero a sixth of its time (decision 0022).
    return _url_fija(nombre, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=256)
def _url_fija(nombre: str, urlconf: Any, prefijo: str) -> str:
    return reverse(nombre, urlconf=urlconf)


@pass_environment
def _marco(env: Environment) -> dict[str, Markup]:
    """The frame's request-independent parts (buzon/marco.html's macros), made once per
    URLconf and script prefix: every page of a signed-in person used to run the five
    macros again, an eighth of the Tablero's render (decision 0023)."""
    return _marco_fijo(env, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=16)
def _marco_fijo(env: Environment, urlconf: Any, prefijo: str) -> dict[str, Markup]:
    from buzon.context_processors import rutas_fijas  # they import this module's siblings

    modulo: Any = env.get_template("buzon/marco.html").module
    rutas = rutas_fijas()
    # A macro of an autoescaped template returns Markup: placed as it is, never escaped
    # again.
    return {
        "cabeza": modulo.cabeza(),
        "salto": modulo.salto(),
        "barra_institucional": modulo.barra_institucional(),
        "marca": modulo.marca(rutas),
        "pie": modulo.pie(rutas),
    }


def entorno(**opciones: Any) -> Environment:
    # HTML is escaped; the SMS texts (.txt) are plain text and must reach the phone as
    # typed, «&» included.
    opciones.pop("autoescape", None)
    env = Environment(
        autoescape=select_autoescape(enabled_extensions=("html",), default=False), **opciones
    )
    env.globals.update(static=staticfiles_storage.url, url=_url, marco_fijo=_marco)
    env.filters.update(
        date=_fecha,
        linebreaks=defaultfilters.linebreaks_filter,
        linebreaksbr=defaultfilters.linebreaksbr,
        filesizeformat=defaultfilters.filesizeformat,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
    )
    return env
