"""The catalog's version: one row that the database raises whenever a servicio, an asunto
or the list of servicios an asunto is offered in changes, whatever makes the change (the
admin, the ORM's save() or update(), plain SQL, a later migration).

Each worker keeps the asunto list it read (promociones.consultas.catalogo_asuntos) and
asks this row, at most once a second (CATALOGO_REVISAR_CADA_SEGUNDOS, promociones.catalogo),
whether it is still current: an edit shows on every worker of every app server within
about a second, where a fixed 60-second cache showed it only when each worker's own
copy expired. Written by hand: the table has no model (nothing but these triggers
writes it, and Python only reads it, in promociones.catalogo).
"""

from django.db import migrations

from promociones.migrations._disparadores import por_motor

TABLA = "promociones_versioncatalogo"
DEL_CATALOGO = ("promociones_servicio", "promociones_asunto", "promociones_asunto_servicios")
SUBIR = "UPDATE promociones_versioncatalogo SET version = version + 1 WHERE id = 1"

# SQLite has row triggers only: one bump per changed row (the catalog is a few dozen
# rows, edited by hand). PostgreSQL bumps once per statement, TRUNCATE included.
SQLITE = [
    f"CREATE TRIGGER {tabla}_version_{operacion.lower()} AFTER {operacion} ON {tabla} "
    f"BEGIN {SUBIR}; END"
    for tabla in DEL_CATALOGO
    for operacion in ("INSERT", "UPDATE", "DELETE")
]
POSTGRESQL = [
    f"""CREATE FUNCTION promociones_version_catalogo() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {SUBIR};
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER {tabla}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {tabla} FOR EACH STATEMENT EXECUTE FUNCTION promociones_version_catalogo()"
        for tabla in DEL_CATALOGO
    ),
]
QUITAR = {
    "sqlite": [
        f"DROP TRIGGER {tabla}_version_{operacion.lower()}"
        for tabla in DEL_CATALOGO
        for operacion in ("INSERT", "UPDATE", "DELETE")
    ],
    "postgresql": [
        *(f"DROP TRIGGER {tabla}_version ON {tabla}" for tabla in DEL_CATALOGO),
        "DROP FUNCTION promociones_version_catalogo()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0012_borradores"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TABLE {TABLA} (id smallint PRIMARY KEY CHECK (id = 1), "
            "version bigint NOT NULL)",
            f"DROP TABLE {TABLA}",
        ),
        migrations.RunSQL(
            "INSERT INTO promociones_versioncatalogo (id, version) VALUES (1, 1)",
            migrations.RunSQL.noop,
        ),
        por_motor(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            QUITAR,
            "disparadores de la versión del catálogo",
        ),
    ]
