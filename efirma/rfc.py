"""RFC (Registro Federal de Contribuyentes) rules: pure functions, no database.

The format rules come from python-stdnum (``stdnum.mx.rfc``). The check digit is
reported, not enforced: SAT has issued RFCs whose last character does not match the
published algorithm (stdnum estimates about 1.5 %), and those taxpayers must still be
able to log in. What decides access is that the typed RFC equals the certificate's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from stdnum.exceptions import ValidationError
from stdnum.mx import rfc as stdnum_rfc

from efirma.errores import ErrorEfirma

TipoPersona = Literal["fisica", "moral"]

# stdnum drops "-", "_" and spaces before checking, and its check digit then fails on
# them: the RFC as typed must already be bare.
_FORMA = re.compile(r"[A-Z&Ñ]{3,4}[0-9]{6}[A-Z0-9]{3}")


@dataclass(frozen=True)
class RfcInfo:
    rfc: str
    tipo: TipoPersona
    digito_verificador_valido: bool


def normalizar_rfc(texto: str) -> str:
    """The RFC as SAT writes it: no surrounding spaces, upper case, ``&`` and ``Ñ`` kept.

    NFC first so that an ``Ñ`` typed as ``N`` plus a combining tilde is the one letter
    the certificate carries.
    """
    return unicodedata.normalize("NFC", texto).strip().upper()


def tipo_por_longitud(rfc: str) -> TipoPersona | None:
    """13 characters: persona física; 12: persona moral; anything else: neither."""
    return {13: "fisica", 12: "moral"}.get(len(rfc))  # type: ignore[return-value]


def validar_rfc(texto: str) -> RfcInfo:
    """Checks the RFC's format (13 for físicas, 12 for morales); raises ``rfc_invalido``."""
    rfc = normalizar_rfc(texto)
    tipo = tipo_por_longitud(rfc)
    # stdnum also accepts 10-character personal RFCs without homoclave; an e.firma
    # always carries the full RFC, so only 12 and 13 are accepted here.
    if tipo is None or not _FORMA.fullmatch(rfc):
        raise ErrorEfirma("rfc_invalido")
    try:
        stdnum_rfc.validate(rfc, validate_check_digits=False)
    except ValidationError:
        raise ErrorEfirma("rfc_invalido") from None
    return RfcInfo(
        rfc=rfc,
        tipo=tipo,
        digito_verificador_valido=stdnum_rfc.calc_check_digit(rfc[:-1]) == rfc[-1],
    )
