"""The one error type for rules a person broke, and the one catalogue of what each says.

Every error the site answers with is an entry of :data:`CATALOGO`: its Spanish message
(a ``str.format`` template when it names values), the form field it belongs next to and
the HTTP status the API answers with. Code raises ``ErrorDominio("<clave>", **valores)``
and never spells a message, field or status itself, so the catalogue, the OpenAPI
document and ``buzon/tests/test_catalogo_errores.py`` can be checked against each other.

A key is the public code (``codigo``), or ``codigo.variante`` when the same code is
answered in several situations with different words (or, once, a different status):
the client sees only the part before the dot. The codes are the public contract
(CONTRACT.md): they are never renamed, only added.

This module imports no app: every app raises its errors from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from buzon.lib.texto import MAX_CARACTERES_DESCRIPCION, MENSAJE_MARCAS


@dataclass(frozen=True)
class Entrada:
    mensaje: str  # Spanish, for a person; a str.format template when it names values
    status: int = 400
    campo: str | None = None  # the form field the message belongs next to; None: the form
    # False: no route docs/api/openapi.json describes can answer it (pages, commands, the
    # session, staff and verification routes the document does not cover yet).
    en_openapi: bool = True


def _fuera_del_documento(entradas: dict[str, Entrada]) -> dict[str, Entrada]:
    return {
        clave: Entrada(e.mensaje, e.status, e.campo, en_openapi=False)
        for clave, e in entradas.items()
    }


_REGLA_EVIDENCIA = "El archivo debe ser .zip y pesar menos de 10 MB."
_REGLA_DOCUMENTO = "Adjunta el documento de respuesta en PDF, de menos de 10 MB."
_MUY_LARGO = "El texto debe ser menor a 4,000 caracteres."

_GENERALES: dict[str, Entrada] = {
    # Any route: the body limits (buzon.middleware), JSON bodies, a busy or full server.
    "json_invalido": Entrada("El cuerpo de la petición no es JSON válido."),
    "json_invalido.no_es_objeto": Entrada("El cuerpo de la petición debe ser un objeto JSON."),
    "cuerpo_muy_grande": Entrada(
        "El envío es demasiado grande para esta operación: el máximo es de {maximo}. "
        "Reduce el tamaño del archivo e inténtalo de nuevo.",
        413,
    ),
    # The body fit its route but its text fields exceed DATA_UPLOAD_MAX_MEMORY_SIZE.
    "cuerpo_muy_grande.campos_de_texto": Entrada(
        "Los campos de texto del envío son demasiado grandes para esta operación. "
        "Revisa la descripción: debe ser menor a 4,000 caracteres.",
        413,
    ),
    "demasiados_archivos": Entrada(
        "El envío trae más archivos de los que admite esta operación (máximo {maximo}). "
        "Adjunta un solo archivo."
    ),
    "demasiados_archivos.ninguno": Entrada("Esta operación no admite archivos adjuntos."),
    "servicio_ocupado": Entrada(
        "El servicio está ocupado en este momento y no pudo completar tu operación; no se "
        "guardó nada a medias. Inténtalo de nuevo en unos segundos.",
        503,
    ),
    "almacenamiento_lleno": Entrada(
        "No pudimos guardar el archivo en este momento y no se registró nada. "
        "Inténtalo de nuevo más tarde.",
        503,
    ),
    # The file storage (object storage) did not answer: nothing was recorded or served.
    "almacenamiento_no_disponible": Entrada(
        "El almacenamiento de archivos no responde en este momento; no se registró ni se "
        "entregó nada. Inténtalo de nuevo en unos minutos.",
        503,
    ),
    # A stored file read back does not match the size and SHA-256 recorded when it was
    # received (archivos.almacen.abrir_verificado): it is never served; staff see it.
    "archivo_alterado": Entrada(
        "El archivo guardado no coincide con su huella digital (SHA-256) registrada al "
        "recibirlo: pudo dañarse o alterarse en el almacenamiento, y no se entrega para no "
        "darte un archivo distinto del original. El incidente quedó registrado para el "
        "personal del IMSS.",
        500,
    ),
    "archivo_alterado.faltante": Entrada(
        "El archivo registrado no se encuentra en el almacenamiento, así que no se puede "
        "entregar. El incidente quedó registrado para el personal del IMSS.",
        500,
    ),
    "no_autenticado": Entrada(
        "Falta un token de acceso válido: inicia sesión con tu e.firma en "
        "POST /api/v1/sesion y envía «Authorization: Bearer <token>».",
        401,
    ),
    "solo_contribuyentes": Entrada(
        "Esta operación es solo para contribuyentes que ingresan con su e.firma.", 403
    ),
    # Two codes for "not found", both public: ``no_encontrada`` is a request (la
    # solicitud) this person may not see; ``no_encontrado`` anything else (a route, a
    # contact means, a notice). Contract tests name each.
    "no_encontrada": Entrada("No existe una solicitud con ese folio.", 404),
    "no_encontrado": Entrada("No existe el recurso solicitado.", 404),
    "pagina_invalida": Entrada("La página debe ser un número entero entre 1 y {maximo:,}."),
}

# Django's own failures under /api/ (buzon.views), answered by every route alike.
_DEL_SERVIDOR: dict[str, Entrada] = _fuera_del_documento(
    {
        "solicitud_incorrecta": Entrada("La petición no es válida."),
        "acceso_denegado": Entrada("Tu cuenta no tiene permiso para esta operación.", 403),
        "csrf_invalido": Entrada(
            "Falta la verificación de seguridad (CSRF) de la sesión del navegador; "
            "la API se usa con «Authorization: Bearer <token>».",
            403,
        ),
        "metodo_no_permitido": Entrada(
            "El método {metodo} no se admite aquí; usa {permitidos}.", 405
        ),
        "error_interno": Entrada(
            "Ocurrió un error en el servidor; quedó registrado. Inténtalo más tarde.", 500
        ),
    }
)

_SOLICITUDES: dict[str, Entrada] = {
    "servicio_invalido": Entrada("Elige un servicio válido.", campo="servicio"),
    "asunto_invalido": Entrada("Elige un asunto válido.", campo="asunto"),
    "asunto_invalido.del_servicio": Entrada(
        "Elige uno de los asuntos disponibles para {servicios}.", campo="asunto"
    ),
    "descripcion_requerida": Entrada("Describe tu planteamiento.", campo="descripcion"),
    "descripcion_muy_larga": Entrada(
        "La descripción debe ser menor a 4,000 caracteres "
        f"(máximo {MAX_CARACTERES_DESCRIPCION:,}).",
        campo="descripcion",
    ),
    "descripcion_muy_larga.marcas": Entrada(
        f"La descripción {MENSAJE_MARCAS}", campo="descripcion"
    ),
    "telefono_invalido": Entrada(
        "El teléfono debe tener exactamente 10 dígitos.", campo="telefono"
    ),
    "telefono_requerido": Entrada(
        "El teléfono a 10 dígitos es obligatorio para una {servicio}.", campo="telefono"
    ),
    "evidencia_requerida": Entrada(
        "Adjunta un archivo .zip con la evidencia; es obligatorio para una {servicio}.",
        campo="evidencia",
    ),
    "evidencia_no_zip": Entrada(_REGLA_EVIDENCIA, campo="evidencia"),
    "evidencia_no_zip.extension": Entrada(
        "«{nombre}» no es un archivo .zip. Comprime tus documentos en un .zip de menos de "
        "10 MB y adjúntalo.",
        campo="evidencia",
    ),
    "evidencia_no_zip.vacio": Entrada(
        "«{nombre}» está vacío (0 bytes). Adjunta el .zip con tus documentos.",
        campo="evidencia",
    ),
    "evidencia_no_zip.sin_entradas": Entrada(
        "«{nombre}» es un .zip vacío: no contiene ningún documento. Agrega tus documentos "
        "al .zip y vuelve a adjuntarlo.",
        campo="evidencia",
    ),
    "evidencia_sin_archivos": Entrada(
        "«{nombre}» solo contiene carpetas vacías, sin ningún documento. "
        "Agrega tus documentos al .zip y vuelve a adjuntarlo.",
        campo="evidencia",
    ),
    # The zip inspector's sentence replaces this one: it names the file inside the zip
    # at fault and why (buzon.lib.zips).
    "evidencia_peligrosa": Entrada(
        "El .zip contiene un archivo que podría dañar a quien lo abra; no se aceptó.",
        campo="evidencia",
    ),
    "evidencia_infectada": Entrada(
        "El antivirus detectó «{firma}» en el archivo; no se recibió. "
        "Revisa tus documentos y vuelve a enviarlos.",
        campo="evidencia",
    ),
    "evidencia_muy_grande": Entrada(_REGLA_EVIDENCIA, 413, "evidencia"),
    "evidencia_muy_grande.tamano": Entrada(
        "«{nombre}» pesa {tamano}; debe pesar menos de 10 MB. Incluye solo los documentos "
        "necesarios o reduce su tamaño.",
        413,
        "evidencia",
    ),
    "antivirus_no_disponible": Entrada(
        "No se pudo revisar el archivo con el antivirus en este momento; intenta de nuevo "
        "en unos minutos.",
        503,
        "evidencia",
    ),
    "idempotencia_invalida": Entrada("La clave de idempotencia admite hasta {maximo} caracteres."),
    "idempotencia_reutilizada": Entrada(
        "Esta clave de idempotencia ya se usó para una solicitud con otros datos. "
        "Usa una clave nueva para cada solicitud distinta.",
        409,
    ),
    # The list's filters; ``campo`` is the parameter that failed (given where raised).
    "fecha_invalida": Entrada(
        "Escribe la fecha como AAAA-MM-DD, entre los años {desde} y {hasta}."
    ),
    "estatus_invalido": Entrada("Elige un estatus válido.", campo="estatus"),
    "rango_invalido": Entrada(
        "La fecha inicial debe ser anterior o igual a la final.", campo="recibida_hasta"
    ),
    "sin_evidencia": Entrada("Esta solicitud no tiene evidencia adjunta.", 404),
    "sin_respuesta": Entrada("Esta solicitud aún no tiene respuesta.", 404),
    "acuse_no_encontrado": Entrada("La solicitud no tiene un acuse de ese tipo.", 404),
    "acuse_no_disponible": Entrada(
        "El acuse no está disponible en este momento. Inténtalo de nuevo más tarde; "
        "tu solicitud y su acuse están registrados.",
        503,
    ),
}

_MEDIOS: dict[str, Entrada] = {
    "telefono_invalido.celular": Entrada(
        "Escribe un número celular de 10 dígitos.", campo="numero"
    ),
    "telefono_ya_confirmado": Entrada("Ese número ya es tu celular confirmado.", campo="numero"),
    "correo_invalido": Entrada(
        "Escribe una dirección de correo válida (por ejemplo, nombre@dominio.mx).",
        campo="direccion",
    ),
    "correo_ya_confirmado": Entrada("Esa dirección ya está confirmada.", campo="direccion"),
    "limite_de_correos": Entrada(
        "Puedes registrar hasta {maximo} direcciones de correo; quita una para agregar otra.",
        campo="direccion",
    ),
    "codigo_invalido": Entrada(
        "El código no coincide. Te quedan {quedan} intentos.", campo="codigo"
    ),
    "codigo_invalido.sin_intentos": Entrada(
        "El código no coincide y ya no quedan intentos; pide uno nuevo.", campo="codigo"
    ),
    "codigo_invalido.sin_pendiente": Entrada(
        "No hay un código pendiente para ese medio.", campo="codigo"
    ),
    "codigo_vencido": Entrada("El código venció (dura 72 horas); pide uno nuevo.", campo="codigo"),
    "demasiados_intentos.reenvio": Entrada(
        "Ya te enviamos un código hace menos de un minuto; espera para pedir otro.", 429
    ),
    "demasiados_intentos.codigos_del_dia": Entrada(
        "Ya pediste demasiados códigos hoy para este medio; inténtalo mañana.", 429
    ),
    "demasiados_intentos.codigo_agotado": Entrada(
        "Agotaste los cinco intentos de este código; pide uno nuevo.", 429
    ),
    "no_encontrado.medio": Entrada("Ese medio de contacto no existe.", 404),
    "no_encontrado.correo": Entrada("Esa dirección no está registrada.", 404),
    "no_encontrado.celular": Entrada("No tienes un celular registrado.", 404),
}

# POST /api/v1/avisos/entregas: the SMS gateway's signed delivery receipts.
_ENTREGAS: dict[str, Entrada] = {
    # Same code as the e.firma verdict, another meaning and status: the gateway's HMAC.
    "firma_invalida.acuse_entrega": Entrada("La firma del acuse de entrega no es válida.", 401),
    "acuse_vencido": Entrada(
        "La marca de tiempo del acuse de entrega está fuera de la ventana permitida."
    ),
    "cuerpo_muy_grande.acuse_entrega": Entrada("El acuse de entrega es demasiado grande.", 413),
    "acuse_invalido": Entrada("El acuse de entrega debe ser {{id, estado, detalle}}."),
    "acuse_invalido.id": Entrada("El id del acuse de entrega no es válido."),
    "acuse_repetido": Entrada("Este acuse de entrega ya se recibió.", 409),
    "no_encontrado.aviso": Entrada("No hay un aviso con ese id.", 404),
}

# The session (POST /api/v1/sesion and the login page). The e.firma codes are
# efirma's verdicts (efirma.errores); cuentas maps each to its entry here, passing the
# verdict's own explanation, which may name a date or a certificate number. The
# messages below are the verdicts' defaults; cuentas' tests keep the two equal.
_SESION: dict[str, Entrada] = _fuera_del_documento(
    {
        "campo_requerido": Entrada("Falta {nombre} («{campo}»)."),
        "base64_invalido": Entrada("{nombre} («{campo}») debe ir en base64."),
        "reto_invalido": Entrada(
            "El reto de seguridad no es válido: ya se usó, venció o no corresponde a esta "
            "sesión. Vuelve a intentarlo."
        ),
        "demasiados_intentos.retos": Entrada(
            "Se pidieron demasiados retos de seguridad desde tu conexión en poco tiempo. "
            "Espera un momento e inténtalo de nuevo.",
            429,
        ),
        "demasiados_intentos.accesos": Entrada(
            "Hubo demasiados intentos fallidos de acceso. Espera {minutos} minutos e "
            "inténtalo de nuevo.",
            429,
        ),
        "certificado_invalido": Entrada(
            "El archivo del certificado no se puede leer. Selecciona el archivo .cer de tu "
            "e.firma tal como te lo entregó el SAT.",
            campo="certificado",
        ),
        "certificado_no_confiable": Entrada(
            "Tu certificado no fue emitido por una autoridad certificadora reconocida por el "
            "Buzón IMSS. Usa el certificado de e.firma que te entregó el SAT.",
            campo="certificado",
        ),
        "certificado_vencido": Entrada(
            "Tu certificado de e.firma no está vigente. Renueva tu e.firma en el SAT e "
            "inténtalo de nuevo.",
            campo="certificado",
        ),
        "certificado_revocado": Entrada(
            "Tu certificado de e.firma fue revocado. Tramita una nueva e.firma en el SAT e "
            "inténtalo de nuevo con ella.",
            campo="certificado",
        ),
        "no_es_efirma": Entrada(
            "El certificado no es de e.firma (parece un Certificado de Sello Digital). "
            "Selecciona el archivo .cer de tu e.firma, no el de tu sello digital.",
            campo="certificado",
        ),
        "rfc_invalido": Entrada(
            "El RFC no tiene un formato válido: son 13 caracteres para personas físicas y 12 "
            "para personas morales, sin espacios ni guiones. Revísalo e inténtalo de nuevo.",
            campo="rfc",
        ),
        "rfc_no_coincide": Entrada(
            "El RFC no corresponde al del certificado. Escribe el RFC del titular de la "
            "e.firma; si es una persona moral, el RFC de la empresa, no el de su "
            "representante.",
            campo="rfc",
        ),
        "firma_invalida": Entrada(
            "La firma no corresponde al certificado. Verifica que la llave privada (.key) sea "
            "la de este certificado e inténtalo de nuevo.",
            campo="llave",
        ),
        # The key is read in the browser, never sent: these three come only from efirma's
        # own readers (demo, commands), but they are verdicts the web could be given.
        "llave_invalida": Entrada(
            "El archivo de la llave privada no se puede leer. Selecciona el archivo .key de "
            "tu e.firma.",
            campo="llave",
        ),
        "contrasena_incorrecta": Entrada(
            "La contraseña de la llave privada es incorrecta. Escríbela de nuevo; distingue "
            "mayúsculas y minúsculas.",
            campo="contrasena",
        ),
        "llave_no_corresponde": Entrada(
            "La llave privada no corresponde al certificado. Selecciona el archivo .key que "
            "obtuviste junto con este archivo .cer.",
            campo="llave",
        ),
        # The service cannot tell whether the certificate was revoked: nothing the person
        # typed is wrong, so it is a temporary failure of the service, not a 400.
        "revocacion_no_disponible": Entrada(
            "En este momento no es posible confirmar que tu certificado no haya sido "
            "revocado. Inténtalo de nuevo en unos minutos.",
            503,
        ),
    }
)

# The staff API (/api/v1/atencion/…) and back office. Every staff route the document
# describes (the queue, its CSV, a request's detail, the indicators) answers this one.
_PERSONAL_DOCUMENTADO: dict[str, Entrada] = {
    "solo_personal": Entrada("Esta operación es solo para el personal del IMSS.", 403),
}
# The staff actions' routes are not in the document yet.
_PERSONAL: dict[str, Entrada] = _fuera_del_documento(
    {
        "sin_permiso": Entrada(
            "Esta acción solo la puede realizar el supervisor del área de la solicitud.", 403
        ),
        "transicion_invalida": Entrada(
            "No se puede {verbo} una solicitud con estatus «{estatus}».", 409
        ),
        "prorroga_ya_otorgada": Entrada(
            "Esta solicitud ya tuvo su prórroga; solo se otorga una vez.", 409
        ),
        "nota_requerida": Entrada("Escribe una nota interna que explique el motivo.", campo="nota"),
        "nota_muy_larga": Entrada(_MUY_LARGO, campo="nota"),
        "nota_muy_larga.marcas": Entrada(f"El texto {MENSAJE_MARCAS}", campo="nota"),
        "texto_requerido": Entrada("Escribe el texto de la respuesta.", campo="texto"),
        "texto_muy_largo": Entrada(_MUY_LARGO, campo="texto"),
        "texto_muy_largo.marcas": Entrada(f"El texto {MENSAJE_MARCAS}", campo="texto"),
        "dias_invalidos": Entrada(
            "La prórroga debe ser de 1 a {plazo} días hábiles (el plazo original).",
            campo="dias_habiles",
        ),
        "dias_invalidos.faltan": Entrada(
            "Indica los días hábiles de la prórroga.", campo="dias_habiles"
        ),
        "asunto_invalido.canalizacion": Entrada(
            "Elige uno de los asuntos activos de {servicios}.", campo="asunto"
        ),
        "canalizacion_sin_cambio": Entrada(
            "La solicitud ya está en ese servicio y asunto. Para canalizarla cambia el servicio, "
            "el asunto o ambos.",
            campo="asunto",
        ),
        "usuario_invalido": Entrada(
            "Elige a una persona adscrita al área de la solicitud.", campo="usuario"
        ),
        "vencidas_invalido": Entrada("«vencidas» admite true o false.", campo="vencidas"),
        "documento_requerido": Entrada(_REGLA_DOCUMENTO, campo="documento"),
        "documento_requerido.vacio": Entrada(
            "El documento está vacío. " + _REGLA_DOCUMENTO, campo="documento"
        ),
        "documento_muy_grande": Entrada(_REGLA_DOCUMENTO, 413, "documento"),
        "documento_no_pdf": Entrada(
            "El documento no es un PDF. " + _REGLA_DOCUMENTO, campo="documento"
        ),
        "documento_ilegible": Entrada(
            "El documento parece un PDF pero está dañado o protegido con contraseña, y "
            "el contribuyente no podría abrirlo. Guárdalo de nuevo como PDF y vuelve a "
            "adjuntarlo.",
            campo="documento",
        ),
    }
)

# The supervisor's oversight (GET /api/v1/atencion/indicadores and its page), documented
# in openapi.json. An area the person does not supervise and one that does not exist get
# the same answer.
_SUPERVISION: dict[str, Entrada] = {
    "solo_supervision": Entrada(
        "Los indicadores de supervisión son solo para quien supervisa un área.", 403
    ),
    "no_encontrado.area": Entrada("No hay un área con esa clave entre las que supervisas.", 404),
}

# The staff queue's filters (GET atencion/solicitudes, its .csv and the page,
# atencion.consultas) and the page's bulk assignment.
_COLA: dict[str, Entrada] = {
    # Another area's clave answers as an unknown one: nothing says which areas exist.
    "area_invalida": Entrada("Elige una de tus áreas.", campo="area"),
    "asignacion_invalida": Entrada(
        "Elige «mias» (asignadas a ti) o «sin_asignar».", campo="asignacion"
    ),
    "vence_en_invalido": Entrada(
        "Indica en cuántos días hábiles vence: un número entero de 0 a {maximo}.",
        campo="vence_en",
    ),
    "vence_en_invalido.con_vencidas": Entrada(
        "Elige vencidas o por vencer, no ambas: una solicitud vencida ya no está por vencer.",
        campo="vence_en",
    ),
    "busqueda_invalida": Entrada(
        "Busca por un folio (por ejemplo, A-2026-000123) o por un RFC de 12 o 13 caracteres.",
        campo="q",
    ),
    "fecha_invalida.pagina": Entrada(
        "Escribe la fecha como dd/mm/aaaa o AAAA-MM-DD, entre los años {desde} y {hasta}."
    ),
    **_fuera_del_documento(
        {
            "asignacion_sin_folios": Entrada("Selecciona al menos una solicitud para asignar."),
            "asignacion_sin_folios.demasiados": Entrada(
                "Selecciona como máximo {maximo} solicitudes en cada asignación."
            ),
        }
    ),
}

# POST /api/v1/verificar and the verification page.
_VERIFICACION: dict[str, Entrada] = _fuera_del_documento(
    {
        "acuse_requerido": Entrada("Adjunte el acuse en PDF que desea verificar.", campo="acuse"),
        "codigo_verificacion_invalido": Entrada(
            "Ese no es un código de verificación: escriba los 32 caracteres (letras, números, "
            "guiones - y guiones bajos _) que aparecen junto al código QR del acuse, "
            "respetando mayúsculas y minúsculas.",
            campo="codigo",
        ),
        "codigo_verificacion_invalido.vacio": Entrada(
            "Escriba el código de verificación que aparece junto al código QR del acuse.",
            campo="codigo",
        ),
        "acuse_muy_grande": Entrada(
            "El archivo es demasiado grande para ser un acuse del Buzón IMSS (máximo 5 MB).",
            413,
            "acuse",
        ),
        "demasiados_intentos.verificaciones": Entrada(
            "Se alcanzó el número de archivos que se pueden verificar desde tu conexión en "
            "poco tiempo. Espera un momento e inténtalo de nuevo; la consulta por código de "
            "verificación sigue disponible.",
            429,
        ),
    }
)

# The Nueva Solicitud page and its drafts, and the session's renewal (pages only).
_FORMULARIO: dict[str, Entrada] = _fuera_del_documento(
    {
        "sesion_terminada": Entrada(
            "Tu sesión terminó por inactividad. Ingresa de nuevo con tu e.firma para continuar.",
            401,
        ),
        "sesion_terminada.borrador": Entrada(
            "Tu sesión terminó por inactividad; guardamos lo que escribiste. Ingresa de "
            "nuevo con tu e.firma para continuar donde te quedaste.",
            401,
        ),
        "formulario_ajeno": Entrada(
            "Este formulario se abrió con otra cuenta, no con la de esta sesión: no se "
            "guardó ni se envió. Abre de nuevo el formulario para escribir tu solicitud.",
            409,
        ),
        "idempotencia_reutilizada.formulario": Entrada(
            "Desde este formulario ya registramos la solicitud con el folio {folio}, con "
            "otros datos. Si lo que escribiste es otra solicitud, revísala y da clic en "
            "Enviar para registrarla.",
            409,
        ),
    }
)

CATALOGO: dict[str, Entrada] = {
    **_GENERALES,
    **_DEL_SERVIDOR,
    **_SOLICITUDES,
    **_MEDIOS,
    **_ENTREGAS,
    **_SESION,
    **_PERSONAL_DOCUMENTADO,
    **_PERSONAL,
    **_SUPERVISION,
    **_COLA,
    **_VERIFICACION,
    **_FORMULARIO,
}


def codigo_de(clave: str) -> str:
    """The public code of a catalogue key: ``no_encontrado.medio`` → ``no_encontrado``."""
    return clave.partition(".")[0]


class ErrorDominio(Exception):
    """A rule a person broke: a stable code for programs, Spanish for people.

    ``clave`` is a key of :data:`CATALOGO`, which gives the message (``valores`` fill
    its template), the field and the status; an unknown key is a programming error.
    ``campo`` is given only where one rule guards several fields (which date, which
    login field); ``mensaje`` only where the words come from elsewhere at run time (an
    e.firma verdict's explanation, the zip inspector's finding).
    """

    def __init__(
        self,
        clave: str,
        *,
        mensaje: str | None = None,
        campo: str | None = None,
        **valores: Any,
    ) -> None:
        entrada = CATALOGO.get(clave)
        if entrada is None:
            raise ValueError(f"código de error fuera del catálogo: {clave!r}")
        self.clave = clave
        self.codigo = codigo_de(clave)
        self.campo = campo if campo is not None else entrada.campo
        self.status = entrada.status
        if mensaje is None:
            mensaje = entrada.mensaje.format(**{"campo": self.campo, **valores})
        self.mensaje = mensaje
        super().__init__(mensaje)


NO_ENCONTRADA = CATALOGO["no_encontrada"].mensaje


class NoEncontrada(ErrorDominio, Http404):
    """A request this person may not see: unknown and forbidden are the same answer.

    Being an Http404, a page that lets it through answers with the site's 404 page; being
    an ErrorDominio, the API answers ``{"codigo": "no_encontrada"}`` with status 404.
    Both access modules (``promociones.acceso``, ``atencion.acceso``) raise only this.
    """

    def __init__(self) -> None:
        super().__init__("no_encontrada")
