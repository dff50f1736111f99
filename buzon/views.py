from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def inicio(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and hasattr(request.user, "contribuyente"):
        return redirect("promociones:tablero")
    return redirect("cuentas:login")


def soporte(request: HttpRequest) -> HttpResponse:
    return render(request, "buzon/soporte.html")
