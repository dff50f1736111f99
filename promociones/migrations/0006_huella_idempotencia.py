from django.db import migrations, models

# A plain ADD COLUMN, not Django's AddField: on SQLite AddField of a NOT NULL column
# rebuilds the table, which drops the counting triggers of migrations 0004 and 0005.


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0005_version_de_solicitudes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE promociones_solicitud "
                    "ADD COLUMN huella_idempotencia varchar(64) NOT NULL DEFAULT ''",
                    "ALTER TABLE promociones_solicitud DROP COLUMN huella_idempotencia",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="solicitud",
                    name="huella_idempotencia",
                    field=models.CharField(blank=True, default="", max_length=64),
                ),
            ],
        ),
    ]
