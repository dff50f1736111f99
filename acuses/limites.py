"""How many acuse PDFs one network address may have verified in a window.

Checking an uploaded PDF validates its signature, hashes and stored facts: about ten
milliseconds of CPU that anyone can ask for without an account, so a script could keep
the workers busy. Verification by code is a single indexed lookup and is not limited;
guessing a 128-bit code is not a threat a limit would change.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from acuses.models import VerificacionArchivo
from buzon.errores import ErrorDominio

DEMASIADAS = (
    "Se alcanzó el número de archivos que se pueden verificar desde tu conexión en "
    "{minutos} minutos. Espera unos minutos e inténtalo de nuevo; la consulta por código "
    "de verificación sigue disponible."
)


def admitir_verificacion(direccion: str | None) -> None:
    """Records one PDF verification from ``direccion``, or raises ``demasiados_intentos``
    (429) when the address already had VERIFICACION_MAX_ARCHIVOS in the window."""
    momento = timezone.now()
    ventana = settings.VERIFICACION_VENTANA_SEGUNDOS
    desde = momento - timedelta(seconds=ventana)
    if (
        direccion
        and VerificacionArchivo.objects.filter(direccion=direccion, creada__gt=desde).count()
        >= settings.VERIFICACION_MAX_ARCHIVOS
    ):
        raise ErrorDominio(
            "demasiados_intentos", DEMASIADAS.format(minutos=max(1, ventana // 60)), status=429
        )
    VerificacionArchivo.objects.filter(creada__lte=desde).delete()
    VerificacionArchivo.objects.create(direccion=direccion or None, creada=momento)
