from django.urls import path

from acuses import api, views

app_name = "acuses"

urlpatterns = [
    path("verificar/", views.verificar, name="verificar_archivo"),
    path("verificar/<slug:codigo>", views.verificar, name="verificar"),
    path("api/v1/verificar", api.verificar, name="api_verificar"),
]
