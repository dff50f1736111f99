"""Verdicts of the e.firma checks: one stable code each and a message that says what to do.

A verdict knows nothing of forms or HTTP: the web code (cuentas) maps each code to its
field and status through the site's error catalogue (buzon.errores). The message stays
here because ``manage.py efirma_inspect`` prints it.
"""

from __future__ import annotations

_MENSAJES: dict[str, str] = {
    "certificado_invalido": (
        "El archivo del certificado no se puede leer. Selecciona el archivo .cer de tu "
        "e.firma tal como te lo entregó el SAT."
    ),
    "certificado_no_confiable": (
        "Tu certificado no fue emitido por una autoridad certificadora reconocida por el "
        "Buzón IMSS. Usa el certificado de e.firma que te entregó el SAT."
    ),
    "certificado_vencido": (
        "Tu certificado de e.firma no está vigente. Renueva tu e.firma en el SAT e inténtalo "
        "de nuevo."
    ),
    "certificado_revocado": (
        "Tu certificado de e.firma fue revocado. Tramita una nueva e.firma en el SAT e "
        "inténtalo de nuevo con ella."
    ),
    "no_es_efirma": (
        "El certificado no es de e.firma (parece un Certificado de Sello Digital). Selecciona "
        "el archivo .cer de tu e.firma, no el de tu sello digital."
    ),
    "rfc_invalido": (
        "El RFC no tiene un formato válido: son 13 caracteres para personas físicas y 12 para "
        "personas morales, sin espacios ni guiones. Revísalo e inténtalo de nuevo."
    ),
    "rfc_no_coincide": (
        "El RFC no corresponde al del certificado. Escribe el RFC del titular de la e.firma; "
        "si es una persona moral, el RFC de la empresa, no el de su representante."
    ),
    "firma_invalida": (
        "La firma no corresponde al certificado. Verifica que la llave privada (.key) sea la "
        "de este certificado e inténtalo de nuevo."
    ),
    "llave_invalida": (
        "El archivo de la llave privada no se puede leer. Selecciona el archivo .key de tu e.firma."
    ),
    "contrasena_incorrecta": (
        "La contraseña de la llave privada es incorrecta. Escríbela de nuevo; distingue "
        "mayúsculas y minúsculas."
    ),
    "llave_no_corresponde": (
        "La llave privada no corresponde al certificado. Selecciona el archivo .key que "
        "obtuviste junto con este archivo .cer."
    ),
    "revocacion_no_disponible": (
        "En este momento no es posible confirmar que tu certificado no haya sido revocado. "
        "Inténtalo de nuevo en unos minutos."
    ),
}

CODIGOS = frozenset(_MENSAJES)


class ErrorEfirma(Exception):
    """A certificate, key, RFC or signature that does not pass; ``codigo`` is in CODIGOS.

    The message defaults to the one for the code; callers pass a more specific one when
    they know more (for example the date a certificate expired).
    """

    def __init__(self, codigo: str, mensaje: str | None = None) -> None:
        if codigo not in _MENSAJES:
            raise ValueError(f"código de e.firma desconocido: {codigo!r}")
        self.codigo = codigo
        self.mensaje = mensaje or _MENSAJES[codigo]
        super().__init__(self.mensaje)


def mensaje_de(codigo: str) -> str:
    """The default explanation of ``codigo`` (what a verdict says when it knows no more)."""
    return _MENSAJES[codigo]
