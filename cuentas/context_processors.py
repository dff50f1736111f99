from typing import Any

from django.http import HttpRequest


def contribuyente(request: HttpRequest) -> dict[str, Any]:
    """The logged-in taxpayer, for the header that shows the name or razón social."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"contribuyente": None}
    return {"contribuyente": getattr(user, "contribuyente", None)}
