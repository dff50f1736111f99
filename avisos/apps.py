from django.apps import AppConfig


class AvisosConfig(AppConfig):
    name = "avisos"
    verbose_name = "Avisos"
