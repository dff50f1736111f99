"""The taxpayer's version (0005) also moves with what Detalle shows besides the request's
own row: its history (Evento), its evidence (Evidencia) and the institution's views and
actions on it (ConsultaInstitucional, written when staff open a request, which changes
nothing of the request itself). Detalle, page and API, is remembered per worker under
that version (promociones.consultas.detalle_recordado, decision 0017), so each of these
must raise it in the same transaction, whatever writes the row.

Acuses and answers are written only by the pipeline, in the transaction of a history row
(promociones.pipeline.efectos: every action leaves an Evento): the Evento's trigger
covers them without a trigger on tables of other apps.
"""

from django.db import migrations

from promociones.migrations._disparadores import por_motor

TABLAS = ("promociones_evento", "promociones_evidencia", "promociones_consultainstitucional")


def _subir(fila):
    return (
        "UPDATE promociones_conteosolicitudes SET version = version + 1 "
        "WHERE contribuyente_id = (SELECT contribuyente_id FROM promociones_solicitud "
        f"WHERE id = {fila}.solicitud_id)"
    )


SQLITE = [
    sentencia
    for tabla in TABLAS
    for sentencia in (
        f"CREATE TRIGGER {tabla}_version_alta AFTER INSERT ON {tabla} BEGIN {_subir('NEW')}; END",
        f"CREATE TRIGGER {tabla}_version_cambio AFTER UPDATE ON {tabla} "
        f"BEGIN {_subir('OLD')}; {_subir('NEW')}; END",
        f"CREATE TRIGGER {tabla}_version_baja AFTER DELETE ON {tabla} BEGIN {_subir('OLD')}; END",
    )
]
POSTGRESQL = [
    f"""CREATE FUNCTION promociones_version_de_solicitud() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {_subir("OLD")}; END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {_subir("NEW")}; END IF;
        RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER {tabla}_version AFTER INSERT OR UPDATE OR DELETE ON {tabla} "
        "FOR EACH ROW EXECUTE FUNCTION promociones_version_de_solicitud()"
        for tabla in TABLAS
    ),
]
QUITAR = {
    "sqlite": [
        f"DROP TRIGGER {tabla}_version_{cual}"
        for tabla in TABLAS
        for cual in ("alta", "cambio", "baja")
    ],
    "postgresql": [
        *(f"DROP TRIGGER {tabla}_version ON {tabla}" for tabla in TABLAS),
        "DROP FUNCTION promociones_version_de_solicitud()",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("promociones", "0014_version_por_area_e_indices_supervision"),
    ]

    operations = [
        por_motor(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            QUITAR,
            "disparadores de la versión de lo que muestra Detalle",
        ),
    ]
