from django.apps import AppConfig


class AcusesConfig(AppConfig):
    name = "acuses"
    verbose_name = "Acuses"
