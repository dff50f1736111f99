"""Claims with an owner and a deadline, and a fixed idempotency key per notice.

The key is added nullable, filled row by row (a column default would give every
existing row the same uuid), then made unique and required.
"""

import uuid

from django.db import migrations, models


def asignar_claves(apps, schema_editor):
    Aviso = apps.get_model("avisos", "Aviso")
    for pk in Aviso.objects.filter(clave_idempotencia__isnull=True).values_list("pk", flat=True):
        Aviso.objects.filter(pk=pk).update(clave_idempotencia=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("avisos", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="aviso",
            name="clave_idempotencia",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(asignar_claves, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="aviso",
            name="clave_idempotencia",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AddField(
            model_name="aviso",
            name="reclamado_por",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="aviso",
            name="reclamo_vence",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="aviso",
            name="envio_iniciado",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
