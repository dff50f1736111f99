"""Two things the staff side reads per area.

**A version per area.** One row per area that the database raises whenever a request
of that area is inserted, changed or deleted (a canalización raises both areas), in the
same transaction and whatever made the change, as 0005 does per taxpayer. The staff
queue remembers a page it rendered while the sum of its areas' versions is the one it
was rendered at (atencion.cola, decision 0016). Written by hand, with no model: only
these triggers write it, and only atencion.memoria reads it.

**Two indexes for the supervisor page** (atencion.indicadores), both engines:
``(recibida, area)`` replaces ``(recibida)``: the weekly filings and the recent
requests of some areas are read from the index alone instead of from a million rows
(the queue's date filters still use it by its first column); ``(area, estatus,
fecha_respuesta_o_canalizacion, computo_desde, respuesta_a_partir_del)`` answers the
90 days' answers per area, on time or not, from the index in the order they are
grouped. A million requests over 8 areas: 1,559 → 137 ms on SQLite and 441 → 124 ms on
PostgreSQL for all areas (bench/README.md, «Supervisión»).
"""

from django.db import migrations, models

from promociones.migrations._disparadores import por_motor

TABLA = "promociones_versionarea"


def _subir(area, si="true"):
    # INSERT … SELECT with a WHERE: SQLite's grammar needs one before ON CONFLICT.
    return (
        f"INSERT INTO {TABLA} (area_id, version) SELECT {area}, 1 WHERE {si} "
        f"ON CONFLICT (area_id) DO UPDATE SET version = {TABLA}.version + 1"
    )


# The areas that already have requests, from version 1 (a bulk load that bypassed the
# triggers fills the table with this too: bench.sembrar.insertar_solicitudes).
LLENAR = (
    f"INSERT INTO {TABLA} (area_id, version) "
    "SELECT DISTINCT area_id, 1 FROM promociones_solicitud"
)

SQLITE = [
    "CREATE TRIGGER promociones_version_area_alta AFTER INSERT ON promociones_solicitud "
    f"BEGIN {_subir('NEW.area_id')}; END",
    # Two statements when the area changed, one otherwise: each area moves once.
    "CREATE TRIGGER promociones_version_area_cambio AFTER UPDATE ON promociones_solicitud "
    f"BEGIN {_subir('OLD.area_id')}; "
    f"{_subir('NEW.area_id', 'NEW.area_id IS NOT OLD.area_id')}; END",
    "CREATE TRIGGER promociones_version_area_baja AFTER DELETE ON promociones_solicitud "
    f"BEGIN {_subir('OLD.area_id')}; END",
]
POSTGRESQL = [
    f"""CREATE FUNCTION promociones_version_area() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {_subir("OLD.area_id")}; END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.area_id IS DISTINCT FROM OLD.area_id)
        THEN {_subir("NEW.area_id")}; END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER promociones_version_area AFTER INSERT OR UPDATE OR DELETE "
    "ON promociones_solicitud FOR EACH ROW EXECUTE FUNCTION promociones_version_area()",
]
QUITAR = {
    "sqlite": [
        "DROP TRIGGER promociones_version_area_alta",
        "DROP TRIGGER promociones_version_area_cambio",
        "DROP TRIGGER promociones_version_area_baja",
    ],
    "postgresql": [
        "DROP TRIGGER promociones_version_area ON promociones_solicitud",
        "DROP FUNCTION promociones_version_area()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0013_version_del_catalogo"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TABLE {TABLA} (area_id integer PRIMARY KEY, version bigint NOT NULL)",
            f"DROP TABLE {TABLA}",
        ),
        migrations.RunSQL(LLENAR, migrations.RunSQL.noop),
        por_motor(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            QUITAR,
            "disparadores de la versión por área",
        ),
        migrations.RemoveIndex(model_name="solicitud", name="sol_recibida"),
        migrations.AddIndex(
            model_name="solicitud",
            index=models.Index(fields=["recibida", "area"], name="sol_recibida_area"),
        ),
        migrations.AddIndex(
            model_name="solicitud",
            index=models.Index(
                fields=[
                    "area",
                    "estatus",
                    "fecha_respuesta_o_canalizacion",
                    "computo_desde",
                    "respuesta_a_partir_del",
                ],
                name="sol_area_respondidas",
            ),
        ),
    ]
