from django.contrib import admin
from django.urls import include, path

from buzon import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("soporte/", views.soporte, name="soporte"),
    path("admin/", admin.site.urls),
    path("", include("cuentas.urls")),
    path("", include("promociones.urls")),
    path("", include("acuses.urls")),
    path("", include("atencion.urls")),
]
