from django.urls import path

from avisos import views

app_name = "avisos"

urlpatterns = [
    path("api/v1/avisos/entregas", views.entregas, name="api_entregas"),
]
