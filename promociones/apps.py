from django.apps import AppConfig


class PromocionesConfig(AppConfig):
    name = "promociones"
    verbose_name = "Promociones Electrónicas"
