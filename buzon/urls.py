from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from atencion import segundo_factor
from buzon import views


class SitioAdmin(admin.AdminSite):
    """The admin answers a staff session that passed the second factor, as every staff
    page does (atencion.ingreso.personal_requerido); ``is_staff`` alone, in a session
    signed in any other way or whose device was since removed, is sent to sign in.
    django-otp's OTPAdminSite asks ``request.user.is_verified()``, which needs its
    OTPMiddleware; this is the same check by the staff sign-in's own definition."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and segundo_factor.sesion_verificada(request)


# The instance every admin.py registers on (django-otp's documented way to guard it).
admin.site.__class__ = SitioAdmin

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
