from django.apps import AppConfig


class LimitesConfig(AppConfig):
    name = "limites"
    verbose_name = "Límites de intentos"
