"""Django admin for the institution: areas and each staff member's role in them."""

from django.contrib import admin

from atencion.models import Adscripcion, Area


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
