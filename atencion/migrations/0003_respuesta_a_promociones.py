# The answer now belongs to the request (promociones 0007 took it over); only Django's
# picture of the models changes, the table atencion_respuesta stays as it is.

from django.db import migrations



def mover(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="promociones", model="respuesta").exists():
        ContentType.objects.filter(app_label="atencion", model="respuesta").update(
            app_label="promociones"
        )


def devolver(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="atencion", model="respuesta").exists():
        ContentType.objects.filter(app_label="promociones", model="respuesta").update(
            app_label="atencion"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("atencion", "0002_area_y_adscripcion"),
        ("promociones", "0007_area_a_atencion_respuesta_aqui"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Respuesta")],
            database_operations=[],
        ),
        migrations.RunPython(mover, devolver),
    ]
