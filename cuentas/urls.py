from django.urls import path

from cuentas import api, views

app_name = "cuentas"

urlpatterns = [
    path("acceso/", views.acceso, name="login"),
    path("acceso/reto", views.reto, name="reto"),
    path("salir/", views.salir, name="logout"),
    path("sesion/renovar", views.renovar_sesion, name="renovar_sesion"),
    path("api/v1/sesion/reto", api.reto, name="api_reto"),
    path("api/v1/sesion", api.sesion, name="api_sesion"),
]
