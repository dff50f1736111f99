"""The extra non-working days raise the catalog's version too (migration 0013's row).

What workers remember (the queue's pages and supervisor figures, the Tablero, Detalle)
is keyed on the catalog's read (promociones.consultas.catalogo_asuntos), and some of it
counts business days: how many are left, which requests are overdue, the median days
to answer. A day declared non-working in the admin used to reach those pages only when
each worker read the catalog again after a minute; now the database raises the version
in the declaration's own transaction, and every worker of every server shows it within
a catalog check (CATALOGO_REVISAR_CADA_SEGUNDOS, 1 s).
"""

from django.db import migrations

from promociones.migrations._disparadores import por_motor

TABLA = "calendario_diainhabil"
SUBIR = "UPDATE promociones_versioncatalogo SET version = version + 1 WHERE id = 1"
OPERACIONES = ("INSERT", "UPDATE", "DELETE")

SQLITE = [
    f"CREATE TRIGGER {TABLA}_version_{operacion.lower()} AFTER {operacion} ON {TABLA} "
    f"BEGIN {SUBIR}; END"
    for operacion in OPERACIONES
]
# Migration 0013's function, once per statement, TRUNCATE included.
POSTGRESQL = [
    f"CREATE TRIGGER {TABLA}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {TABLA} FOR EACH STATEMENT EXECUTE FUNCTION promociones_version_catalogo()"
]
QUITAR = {
    "sqlite": [f"DROP TRIGGER {TABLA}_version_{operacion.lower()}" for operacion in OPERACIONES],
    "postgresql": [f"DROP TRIGGER {TABLA}_version ON {TABLA}"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0015_version_con_historial_evidencia_y_consultas"),
        ("calendario", "0001_initial"),
    ]

    operations = [
        por_motor(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            QUITAR,
            "disparadores del calendario sobre la versión del catálogo",
        ),
    ]
