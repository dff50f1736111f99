from django.urls import path

from operacion import metricas, salud

app_name = "operacion"

urlpatterns = [
    path("salud", salud.salud, name="salud"),
    path("salud/lista", salud.lista, name="salud_lista"),
    path("metricas", metricas.metricas, name="metricas"),
]
