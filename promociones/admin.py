"""Django admin for the catalog (services and asuntos) and, read only, the audit of what
staff viewed and did on each request; areas and staff roles are in atencion's admin."""

from django.contrib import admin

from promociones.models import Asunto, ConsultaInstitucional, Servicio


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


@admin.register(ConsultaInstitucional)
class ConsultaInstitucionalAdmin(admin.ModelAdmin):
    """Every row of every request, to read: the audit is append-only, so nobody (not even
    a superuser) adds, edits or deletes a row here."""

    list_display = ["creado", "solicitud", "usuario", "rol", "area", "accion", "canal"]
    list_filter = ["accion", "canal", "rol", "area"]
    search_fields = ["solicitud__folio", "usuario__username"]
    list_select_related = ["solicitud", "usuario", "area"]
    ordering = ["-creado", "-id"]
    show_full_result_count = False  # a COUNT(*) of the whole audit on every page

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
