from django.apps import AppConfig


class EfirmaConfig(AppConfig):
    name = "efirma"
    verbose_name = "e.firma"
