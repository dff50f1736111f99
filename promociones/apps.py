from django.apps import AppConfig


class PromocionesConfig(AppConfig):
    name = "promociones"
    verbose_name = "Promociones Electrónicas"

    def ready(self) -> None:
        from cuentas.sesiones import Adjunta, adjuntar
        from promociones.consultas import VERSION_TRAIDA
        from promociones.models import ConteoSolicitudes

        # The version of the taxpayer's requests comes with the session's read, so the
        # Tablero and the Detalle read none of their own (decision 0023).
        adjuntar(Adjunta(ConteoSolicitudes, "version", VERSION_TRAIDA))
