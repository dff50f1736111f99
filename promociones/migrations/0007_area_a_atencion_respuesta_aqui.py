# The institution's areas and roles now belong to atencion, and the answer to the
# request (decision 0013). Only Django's picture of the models changes; the tables keep
# their names and rows, and none is rebuilt (a rebuilt SQLite table would lose the
# request-count triggers of 0004/0005).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0006_huella_idempotencia"),
        ("atencion", "0002_area_y_adscripcion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="asunto",
                    name="area",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="asuntos", to="atencion.area"),
                ),
                migrations.AlterField(
                    model_name="solicitud",
                    name="area",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="solicitudes", to="atencion.area"),
                ),
                migrations.DeleteModel(name="Adscripcion"),
                migrations.DeleteModel(name="Area"),
                migrations.CreateModel(
                    name="Respuesta",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("texto", models.TextField()),
                        ("creada", models.DateTimeField()),
                        ("documento_nombre", models.CharField(max_length=255)),
                        ("documento_bytes", models.PositiveIntegerField()),
                        ("documento_sha256", models.CharField(max_length=64)),
                        ("documento", models.FileField(max_length=200, upload_to="")),
                        ("autor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("solicitud", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="respuesta", to="promociones.solicitud")),
                    ],
                    options={"verbose_name": "respuesta", "db_table": "atencion_respuesta"},
                ),
            ],
            database_operations=[],
        ),
    ]
