from django.apps import AppConfig


class ArchivosConfig(AppConfig):
    name = "archivos"
    verbose_name = "Archivos"
