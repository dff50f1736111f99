import pytest

from buzon.errores import ErrorDominio
from buzon.lib.pagina import PAGINA_MAXIMA, leer_pagina


@pytest.mark.parametrize(("valor", "pagina"), [("", 1), (None, 1), (" 7 ", 7), ("1000000", 10**6)])
def test_valid_pages(valor, pagina):
    assert leer_pagina(valor) == pagina


@pytest.mark.parametrize(
    "valor", ["0", "-1", "1.5", "abc", "٣", "1000001", "9" * 20, "9" * 5000, "0x10", "1e3"]
)
def test_bad_pages_are_pagina_invalida_with_a_spanish_message(valor):
    with pytest.raises(ErrorDominio) as exc:
        leer_pagina(valor)
    assert exc.value.codigo == "pagina_invalida"
    assert exc.value.mensaje == "La página debe ser un número entero entre 1 y 1,000,000."
    assert PAGINA_MAXIMA == 1_000_000
