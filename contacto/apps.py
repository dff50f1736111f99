from django.apps import AppConfig


class ContactoConfig(AppConfig):
    name = "contacto"
    verbose_name = "Medios de contacto"
