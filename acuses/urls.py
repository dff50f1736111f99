from django.urls import path

from acuses import api, views

app_name = "acuses"

urlpatterns = [
    path("solicitudes/<str:folio>/acuses/<slug:tipo>.pdf", views.descargar, name="descargar"),
    path("verificar/", views.verificar, name="verificar_archivo"),
    path("verificar/<slug:codigo>", views.verificar, name="verificar"),
    path("api/v1/verificar", api.verificar, name="api_verificar"),
    path(
        "api/v1/solicitudes/<str:folio>/acuses/<slug:tipo>",
        api.descargar,
        name="api_descargar",
    ),
]
