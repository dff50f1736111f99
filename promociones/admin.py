"""Django admin for the catalog (services and asuntos); areas and staff roles are in
atencion's admin."""

from django.contrib import admin

from promociones.models import Asunto, Servicio


@admin.register(Servicio)
class ServicioAdmin(admin.ModelAdmin):
    list_display = [
        "nombre",
        "clave",
        "inicial_folio",
        "requiere_telefono",
        "requiere_evidencia",
        "plazo_dias_habiles",
    ]
    # The clave and initial are part of the API and of every issued folio.
    readonly_fields = ["clave", "inicial_folio"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Asunto)
class AsuntoAdmin(admin.ModelAdmin):
    list_display = ["nombre", "clave", "area", "plazo_dias_habiles", "orden", "activo"]
    list_editable = ["orden", "activo"]
    list_filter = ["activo", "area", "servicios"]
    search_fields = ["nombre", "clave"]
    filter_horizontal = ["servicios"]
    prepopulated_fields = {"clave": ["nombre"]}
