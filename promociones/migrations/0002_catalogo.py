"""Seeds the catalog: the two services, the areas and the asuntos of the official guide.

Administrators edit everything afterwards in Django admin; re-running the migration on an
existing database only fills in what is missing and never overwrites their edits.
"""

from django.db import migrations

SERVICIOS = [
    {
        "clave": "aclaracion",
        "nombre": "Aclaración",
        "nombre_plural": "Aclaraciones",
        "inicial_folio": "A",
        "requiere_telefono": True,
        "requiere_evidencia": True,
        "plazo_dias_habiles": 10,
    },
    {
        "clave": "orientacion",
        "nombre": "Orientación",
        "nombre_plural": "Orientaciones",
        "inicial_folio": "O",
        "requiere_telefono": False,
        "requiere_evidencia": False,
        "plazo_dias_habiles": 5,
    },
]

AREAS = [
    ("atencion-buzon", "Atención a usuarios del Buzón IMSS"),
    ("cobranza-32d", "Cobranza y opinión de cumplimiento (artículo 32-D)"),
    ("emisiones", "Emisiones de cuotas obrero-patronales"),
    ("icsoe", "Servicios especializados (ICSOE)"),
]

ASUNTOS = [
    {
        "clave": "32d-opinion-publica",
        "nombre": "32D Opinión Pública",
        "area": "cobranza-32d",
        "orden": 10,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Verifica que estés al corriente en el pago de cuotas obrero-patronales, "
            "capitales constitutivos y créditos fiscales de todos tus registros patronales; "
            "un solo registro con adeudo hace que la opinión sea negativa.\n"
            "• Revisa la fecha de emisión de tu opinión de cumplimiento: se genera con la "
            "información a la fecha de consulta, por lo que un pago reciente puede tardar "
            "en reflejarse. Vuelve a consultarla antes de solicitar la aclaración.\n"
            "• Si tienes un convenio de pago en parcialidades o una garantía del interés "
            "fiscal, confirma que esté vigente y al corriente.\n"
            "• Confirma si autorizaste que tu opinión sea pública; de lo contrario, los "
            "terceros no podrán consultarla.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: la opinión de cumplimiento "
            "en PDF, los comprobantes de pago (SUA o SIPARE) de los periodos que consideras "
            "cubiertos y, en su caso, el convenio o la garantía."
        ),
    },
    {
        "clave": "32d-terceros-autorizados",
        "nombre": "32D Terceros autorizados",
        "area": "cobranza-32d",
        "orden": 20,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Verifica que el RFC del tercero al que autorizaste consultar tu opinión de "
            "cumplimiento esté escrito correctamente (12 caracteres para personas morales, "
            "13 para personas físicas).\n"
            "• Confirma que la autorización siga vigente y no la hayas revocado.\n"
            "• Si eres el tercero autorizado, verifica que consultas con tu propia e.firma "
            "vigente y que el RFC del contribuyente que te autorizó es el correcto.\n"
            "• Revisa la fecha de la opinión consultada: refleja la situación a esa fecha.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: el acuse o la captura de "
            "pantalla de la autorización, la opinión de cumplimiento en PDF y la captura "
            "del mensaje de error que recibió el tercero, con fecha y hora visibles."
        ),
    },
    {
        "clave": "activacion-buzon",
        "nombre": "Activación Buzón IMSS",
        "area": "atencion-buzon",
        "orden": 30,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Verifica que tu e.firma esté vigente y que uses el certificado (.cer) y la "
            "llave privada (.key) que corresponden entre sí; un Certificado de Sello "
            "Digital (CSD) no sirve para ingresar.\n"
            "• Confirma que el RFC que escribes es el mismo del certificado.\n"
            "• Revisa que tus medios de contacto (correo electrónico y número celular) "
            "estén registrados y confirmados con el código que se te envió.\n"
            "• Si eres persona moral, verifica que la e.firma sea la de la empresa y que "
            "tu representante legal esté registrado.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: capturas de pantalla del "
            "mensaje de error con fecha y hora visibles y, en su caso, el acuse de "
            "activación o de registro de medios de contacto. Nunca adjuntes tu llave "
            "privada (.key) ni su contraseña."
        ),
    },
    {
        "clave": "emisiones",
        "nombre": "Emisiones",
        "area": "emisiones",
        "orden": 40,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Identifica el registro patronal y el periodo (mensual o bimestral) de la "
            "emisión que quieres aclarar.\n"
            "• Verifica que los movimientos afiliatorios (altas, bajas y modificaciones "
            "de salario) se hayan presentado en tiempo en IDSE; un movimiento extemporáneo "
            "cambia la emisión del periodo.\n"
            "• Compara la emisión con tu cálculo en el SUA: trabajadores, días cotizados, "
            "salario base de cotización, ausentismos e incapacidades.\n"
            "• Revisa la prima de riesgo de trabajo aplicada en el periodo.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: el archivo de la emisión "
            "(EMA o EBA), los acuses de IDSE de los movimientos que no se reflejan, tu "
            "cálculo del SUA y los comprobantes de pago del periodo."
        ),
    },
    {
        "clave": "icsoe",
        "nombre": "ICSOE",
        "area": "icsoe",
        "orden": 50,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Identifica el cuatrimestre de la Informativa de Contratos de Servicios u "
            "Obras Especializados (ICSOE) que quieres aclarar y su fecha límite de "
            "presentación.\n"
            "• Verifica tu número de registro en el REPSE y que siga vigente.\n"
            "• Ten a la mano los datos de cada contrato: RFC del cliente, número o "
            "identificador, objeto, vigencia, monto y número estimado de trabajadores.\n"
            "• Revisa que los registros patronales asociados a los trabajadores sean los "
            "correctos.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: el acuse de presentación "
            "de la ICSOE, el archivo que enviaste, los contratos involucrados y la "
            "constancia de registro en el REPSE."
        ),
    },
    {
        "clave": "notificacion-electronica",
        "nombre": "Notificación Electrónica",
        "area": "atencion-buzon",
        "orden": 60,
        "recomendaciones": (
            "Antes de registrar tu planteamiento:\n"
            "• Identifica el documento notificado: su número o folio, el área que lo "
            "emitió y la fecha en que se depositó en tu Buzón IMSS.\n"
            "• Revisa la fecha en que abriste la notificación: a partir de ella, o del "
            "plazo legal si no la abriste, se cuentan los plazos para atenderla.\n"
            "• Verifica que tus medios de contacto (correo electrónico y celular) estén "
            "confirmados; los avisos de notificación se envían a ellos.\n\n"
            "Para una aclaración adjunta en un solo archivo .zip: el documento notificado, "
            "su acuse de notificación y capturas de pantalla del problema con fecha y hora "
            "visibles."
        ),
    },
]


def sembrar(apps, schema_editor):
    Servicio = apps.get_model("promociones", "Servicio")
    try:
        Area = apps.get_model("promociones", "Area")
    except LookupError:
        # Tests reseed the catalog with the current models, where areas belong to
        # atencion (migration promociones 0007); the table is the same.
        Area = apps.get_model("atencion", "Area")
    Asunto = apps.get_model("promociones", "Asunto")

    servicios = []
    for datos in SERVICIOS:
        servicio, _ = Servicio.objects.get_or_create(
            clave=datos["clave"], defaults={k: v for k, v in datos.items() if k != "clave"}
        )
        servicios.append(servicio)
    areas = {}
    for clave, nombre in AREAS:
        areas[clave], _ = Area.objects.get_or_create(clave=clave, defaults={"nombre": nombre})
    for datos in ASUNTOS:
        asunto, creado = Asunto.objects.get_or_create(
            clave=datos["clave"],
            defaults={
                "nombre": datos["nombre"],
                "area": areas[datos["area"]],
                "orden": datos["orden"],
                "recomendaciones": datos["recomendaciones"],
                "activo": True,
            },
        )
        if creado:
            asunto.servicios.set(servicios)


class Migration(migrations.Migration):
    dependencies = [("promociones", "0001_initial")]

    operations = [migrations.RunPython(sembrar, migrations.RunPython.noop)]
