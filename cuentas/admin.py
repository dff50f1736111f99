from django.contrib import admin
from django.http import HttpRequest

from cuentas.models import Contribuyente, IntentoAcceso


@admin.register(Contribuyente)
class ContribuyenteAdmin(admin.ModelAdmin):
    list_display = ["rfc", "nombre", "tipo", "rfc_representante", "actualizado"]
    list_filter = ["tipo"]
    search_fields = ["rfc", "nombre", "rfc_representante", "curp"]
    # The e.firma is the source of these fields: each login rewrites them.
    readonly_fields = [
        "usuario",
        "rfc",
        "nombre",
        "tipo",
        "curp",
        "rfc_representante",
        "curp_representante",
        "numero_certificado",
        "creado",
        "actualizado",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(IntentoAcceso)
class IntentoAccesoAdmin(admin.ModelAdmin):
    """The audit trail: readable, never written or deleted by hand."""

    list_display = ["creado", "rfc", "direccion", "canal", "resultado", "numero_certificado"]
    list_filter = ["exitoso", "canal", "resultado"]
    search_fields = ["rfc", "direccion", "numero_certificado"]
    date_hierarchy = "creado"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
