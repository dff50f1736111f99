"""The answer document must be a PDF a reader opens, not just bytes after %PDF-."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atencion.documentos import validar_y_guardar_documento
from atencion.tests.conftest import PDF
from buzon.errores import ErrorDominio


class AlmacenQueNoGuarda:
    def __init__(self) -> None:
        self.guardados: list[str] = []

    def save(self, nombre: str, archivo: object) -> str:
        self.guardados.append(nombre)
        return nombre


@pytest.mark.parametrize(
    "contenido",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",  # no cross-reference table
        b"%PDF-1.4\n" + b"\x00" * 5000,
        PDF.replace(b"/Count 1", b"/Count 99999999"),  # a page tree that lies
        PDF.replace(b"/Root 1 0 R", b"/Root 7 0 R"),  # a catalog that is not there
    ],
)
def test_a_pdf_no_reader_can_open_is_refused_as_documento_ilegible(contenido):
    almacen = AlmacenQueNoGuarda()
    with pytest.raises(ErrorDominio) as error:
        validar_y_guardar_documento(
            SimpleUploadedFile("respuesta.pdf", contenido),
            almacen=almacen,  # type: ignore[arg-type]
        )
    assert (error.value.codigo, error.value.status) == ("documento_ilegible", 400)
    assert "dañado" in error.value.mensaje
    assert almacen.guardados == []


def test_a_pdf_a_reader_opens_is_stored():
    almacen = AlmacenQueNoGuarda()
    guardado = validar_y_guardar_documento(
        SimpleUploadedFile("respuesta.pdf", PDF),
        almacen=almacen,  # type: ignore[arg-type]
    )
    assert guardado.bytes == len(PDF)
    assert almacen.guardados == [guardado.clave]
