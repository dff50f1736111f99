from django.apps import AppConfig


class BuzonConfig(AppConfig):
    name = "buzon"
    verbose_name = "Buzón IMSS"
