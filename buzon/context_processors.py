from functools import cache
from typing import Any

from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


@cache
def rutas_fijas() -> dict[str, str]:
    # The header's links are the same on every page and the URLconf never changes in a
    # running process; reversing them once spares each page ~6 reverse() calls (a sixth
    # of the Tablero's render time).
    return {
        "inicio": reverse("inicio"),
        "soporte": reverse("soporte"),
        "salir": reverse("cuentas:logout"),
        "aclaraciones": reverse("promociones:servicio", args=["aclaracion"]),
        "orientaciones": reverse("promociones:servicio", args=["orientacion"]),
        "tablero": reverse("promociones:tablero"),
        "medios": reverse("contacto:medios"),
        "renovar_sesion": reverse("cuentas:renovar_sesion"),
        "login": reverse("cuentas:login"),
    }


def rutas(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The fixed links of the page header and menu, as ``rutas.<nombre>``."""
    return {"rutas": rutas_fijas()}


def campo_csrf(request: HttpRequest) -> dict[str, Any]:
    """``csrf_input`` made once per page, when first used: Django's own is made again at
    every use, and each making masks the token with 32 characters drawn one urandom call
    at a time; the frame alone has two forms (Salir, the contact-means reminder). Every
    form of the page carries the same masked token, which Django accepts as it accepts
    any masking of the session's secret (decision 0022). Unused, it is never made, so a
    page without forms sets no CSRF cookie."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}
