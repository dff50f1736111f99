"""Taxpayers' users get the ``efirma:`` prefix (cuentas.services.PREFIJO_USUARIO).

Until now the e.firma login took the user whose username was the RFC, so an e.firma
whose RFC was a staff username signed in as that staff account, and the account became
the taxpayer's. A taxpayer row that points to such a user (one with a password, or
marked staff) gets a user of its own, and the e.firma session tokens issued to the
staff user are revoked; the staff account itself is left as it was. Every other
taxpayer's user is only renamed.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.crypto import get_random_string

PREFIJO = "efirma:"


def _sin_contrasena(usuario):
    # As Django's has_usable_password(): unusable passwords start with "!".
    return not usuario.password or usuario.password.startswith("!")


def separar(apps, schema_editor):
    Usuario = apps.get_model(settings.AUTH_USER_MODEL)
    Contribuyente = apps.get_model("cuentas", "Contribuyente")
    TokenApi = apps.get_model("cuentas", "TokenApi")
    for c in Contribuyente.objects.select_related("usuario").order_by("pk"):
        u = c.usuario
        nombre = PREFIJO + c.rfc
        if u.username == nombre or Usuario.objects.filter(username=nombre).exists():
            continue
        if u.is_staff or u.is_superuser or not _sin_contrasena(u):
            TokenApi.objects.filter(usuario=u, tipo="sesion", revocado__isnull=True).update(
                revocado=timezone.now()
            )
            c.usuario = Usuario.objects.create(
                username=nombre, password="!" + get_random_string(40)
            )
            c.save(update_fields=["usuario"])
        else:
            u.username = nombre
            u.save(update_fields=["username"])


def juntar(apps, schema_editor):
    Usuario = apps.get_model(settings.AUTH_USER_MODEL)
    Contribuyente = apps.get_model("cuentas", "Contribuyente")
    for c in Contribuyente.objects.select_related("usuario"):
        u = c.usuario
        if u.username == PREFIJO + c.rfc and not Usuario.objects.filter(username=c.rfc).exists():
            u.username = c.rfc
            u.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("cuentas", "0002_sesion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(separar, juntar)]
