"""e.firma verdicts as the site answers them: the field and status are cuentas' (through
the error catalogue), the words the verdict's."""

from __future__ import annotations

import pytest

from buzon.errores import CATALOGO
from cuentas.services import error_de_efirma
from efirma.errores import CODIGOS, ErrorEfirma, mensaje_de

CAMPOS_DEL_FORMULARIO = {"rfc", "certificado", "llave", "contrasena"}


@pytest.mark.parametrize("codigo", sorted(CODIGOS))
def test_every_verdict_maps_to_a_field_of_the_login_form_and_a_400(codigo: str) -> None:
    error = error_de_efirma(ErrorEfirma(codigo))
    assert error.codigo == codigo
    if codigo == "revocacion_no_disponible":
        # Nothing the person typed is wrong: no field to point at, and not a 400.
        assert (error.campo, error.status) == (None, 503)
    else:
        assert error.campo in CAMPOS_DEL_FORMULARIO
        assert error.status == 400


@pytest.mark.parametrize("codigo", sorted(CODIGOS))
def test_the_catalogue_says_what_the_verdict_says_by_default(codigo: str) -> None:
    # The catalogue repeats efirma's words (it imports no app); this keeps them equal.
    assert CATALOGO[codigo].mensaje == mensaje_de(codigo)


def test_the_mapping_keeps_the_verdicts_own_explanation() -> None:
    veredicto = ErrorEfirma("certificado_vencido", "Tu certificado de e.firma venció el 1 de mayo.")
    error = error_de_efirma(veredicto)
    assert (error.mensaje, error.campo, error.status) == (veredicto.mensaje, "certificado", 400)


def test_known_fields() -> None:
    assert error_de_efirma(ErrorEfirma("rfc_no_coincide")).campo == "rfc"
    assert error_de_efirma(ErrorEfirma("contrasena_incorrecta")).campo == "contrasena"
    assert error_de_efirma(ErrorEfirma("firma_invalida")).campo == "llave"
