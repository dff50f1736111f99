# Areas and staff roles move from promociones to atencion (decision 0013). Only Django's
# picture of the models moves: the tables keep their names and their rows, and nothing
# is rebuilt (on SQLite a rebuilt table would lose the request-count triggers).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mover_tipos(de, a, modelos):
    def mover(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for modelo in modelos:
            if not ContentType.objects.filter(app_label=a, model=modelo).exists():
                ContentType.objects.filter(app_label=de, model=modelo).update(app_label=a)

    return mover


class Migration(migrations.Migration):
    dependencies = [
        ("atencion", "0001_initial"),
        ("promociones", "0006_huella_idempotencia"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Area",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("clave", models.SlugField(max_length=60, unique=True)),
                        ("nombre", models.CharField(max_length=200)),
                    ],
                    options={
                        "verbose_name": "área",
                        "ordering": ["nombre"],
                        "db_table": "promociones_area",
                    },
                ),
                migrations.CreateModel(
                    name="Adscripcion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("rol", models.CharField(choices=[("analista", "Analista"), ("supervisor", "Supervisor")], max_length=10)),
                        ("usuario", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="adscripciones", to=settings.AUTH_USER_MODEL)),
                        ("area", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="adscripciones", to="atencion.area")),
                    ],
                    options={
                        "verbose_name": "adscripción",
                        "verbose_name_plural": "adscripciones",
                        "db_table": "promociones_adscripcion",
                        "constraints": [models.UniqueConstraint(fields=("usuario", "area"), name="adscripcion_unica")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            mover_tipos("promociones", "atencion", ["area", "adscripcion"]),
            mover_tipos("atencion", "promociones", ["area", "adscripcion"]),
        ),
    ]
