"""Django admin for the catalog (services, asuntos, areas) and staff assignments only."""

from django.contrib import admin

from promociones.models import Adscripcion, Area, Asunto, Servicio


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


class AdscripcionInline(admin.TabularInline):
    model = Adscripcion
    extra = 0
    autocomplete_fields = ["usuario"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "clave"]
    search_fields = ["nombre", "clave"]
    inlines = [AdscripcionInline]


@admin.register(Adscripcion)
class AdscripcionAdmin(admin.ModelAdmin):
    list_display = ["usuario", "area", "rol"]
    list_filter = ["rol", "area"]
    search_fields = ["usuario__username", "usuario__first_name", "usuario__last_name"]
    autocomplete_fields = ["usuario"]
