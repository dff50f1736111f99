"""Triggers written per database engine, for the migrations that create them.

The name starts with an underscore, so Django's migration loader does not take this
module for a migration. Keep it stable: applied migrations import it.
"""

from django.db import migrations


def por_motor(
    crear: dict[str, list[str]], quitar: dict[str, list[str]], que: str
) -> migrations.RunPython:
    """A RunPython that runs ``crear[vendor]`` forwards and ``quitar[vendor]`` backwards,
    refusing an engine it has no statements for (``que`` names them in the message)."""

    def ejecutar(sentencias_por_motor):
        def correr(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            if vendor not in sentencias_por_motor:
                raise RuntimeError(f"Sin {que} para la base {vendor}.")
            with schema_editor.connection.cursor() as cursor:
                for sentencia in sentencias_por_motor[vendor]:
                    cursor.execute(sentencia)

        return correr

    return migrations.RunPython(ejecutar(crear), ejecutar(quitar))
