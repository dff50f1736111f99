from functools import cache

from django.http import HttpRequest
from django.urls import reverse


@cache
def _rutas() -> dict[str, str]:
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
    }


def rutas(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The fixed links of the page header and menu, as ``rutas.<nombre>``."""
    return {"rutas": _rutas()}
