from django.apps import AppConfig


class PromocionesConfig(AppConfig):
    name = "promociones"
    verbose_name = "Promociones Electrónicas"

    def ready(self) -> None:
        from cuentas.backends import cargar_con_el_contribuyente
        from promociones.models import ConteoSolicitudes

        # The Tablero's total and version arrive with the signed-in taxpayer.
        cargar_con_el_contribuyente(ConteoSolicitudes)
