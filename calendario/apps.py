from django.apps import AppConfig


class CalendarioConfig(AppConfig):
    name = "calendario"
    verbose_name = "Calendario"
