from django.contrib import admin
from django.urls import include, path

from buzon import views

urlpatterns = [
    path("", views.inicio, name="inicio"),
    path("soporte/", views.soporte, name="soporte"),
    # Before admin.site.urls: the admin's login form would bypass the attempt limit.
    path("admin/login/", views.acceso_admin, name="acceso_admin"),
    path("admin/", admin.site.urls),
    path("", include("cuentas.urls")),
    path("", include("promociones.urls")),
    path("", include("acuses.urls")),
    path("", include("atencion.urls")),
    path("", include("contacto.urls")),
    path("", include("avisos.urls")),
    path("", include("operacion.urls")),
]

handler400 = views.solicitud_incorrecta
handler403 = views.acceso_denegado
handler404 = views.no_encontrada
handler500 = views.error_servidor
