"""How many acuse PDFs one network address may have verified in a window.

Checking an uploaded PDF validates its signature, hashes and stored facts: about ten
milliseconds of CPU that anyone can ask for without an account, so a script could keep
the workers busy. The default, 600 a minute, holds one address to a tenth of a core
while leaving room for a program that checks a batch of acuses. Verification by code is
a single indexed lookup and is not limited; guessing a 128-bit code is not a threat a
limit would change.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from acuses.models import VerificacionArchivo
from buzon.errores import ErrorDominio
from limites.services import Limite, LimiteExcedido, admitir_en, cubeta

__all__ = ["admitir_verificacion", "cubeta"]


def admitir_verificacion(direccion: str | None) -> None:
    """Records one PDF verification from ``direccion``, or raises ``demasiados_intentos``
    (429) when its bucket already had VERIFICACION_MAX_ARCHIVOS in the window.

    The check is limites' (counted under a lock on the bucket); the rows are this app's
    own VerificacionArchivo. Refusals are not written, so they do not extend the lock."""
    momento = timezone.now()
    limite = Limite(
        "verificacion-archivo",
        settings.VERIFICACION_MAX_ARCHIVOS,
        settings.VERIFICACION_VENTANA_SEGUNDOS,
    )
    clave = cubeta(direccion)
    mismas = VerificacionArchivo.objects.all()
    mismas = mismas.filter(direccion=clave) if clave else mismas.filter(direccion__isnull=True)
    try:
        admitir_en(
            limite=limite,
            clave=limite.clave(clave),
            eventos=mismas,
            campo="creada",
            momento=momento,
            registrar=lambda: VerificacionArchivo.objects.create(direccion=clave, creada=momento),
        )
    except LimiteExcedido:
        raise ErrorDominio("demasiados_intentos.verificaciones") from None
    VerificacionArchivo.objects.filter(creada__lte=limite.desde(momento)).delete()
