"""Borrador: what a taxpayer is writing in a service's form, one per taxpayer and service
(promociones.borradores)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cuentas", "0003_usuarios_de_contribuyentes"),
        ("promociones", "0011_canalizada"),
    ]

    operations = [
        migrations.CreateModel(
            name="Borrador",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("descripcion", models.TextField(blank=True, default="")),
                ("telefono", models.CharField(blank=True, default="", max_length=20)),
                ("clave_idempotencia", models.CharField(max_length=100)),
                ("creado", models.DateTimeField()),
                ("actualizado", models.DateTimeField()),
                (
                    "asunto",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="promociones.asunto",
                    ),
                ),
                (
                    "contribuyente",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="borradores",
                        to="cuentas.contribuyente",
                    ),
                ),
                (
                    "servicio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="promociones.servicio",
                    ),
                ),
            ],
            options={
                "verbose_name": "borrador",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contribuyente", "servicio"), name="borrador_por_servicio"
                    )
                ],
            },
        ),
    ]
