"""The storage suite: every stored file, written and read back through Django's storage
API, on files in a folder and on a bucket of a real S3-compatible server (``almacen``
runs each test on both).

What it proves on each: a filing's evidence and its acuse PDF land in the storage; the
owner and the staff read the evidence back byte for byte with its recorded SHA-256; a
damaged or missing file is never served and staff see it; the crash sweep lists and
deletes there; a 10 MB file goes in and out without sitting whole in memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import tracemalloc
from datetime import timedelta
from typing import Any, cast

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import Client
from django.utils import timezone

from acuses.archivo import generar_pendientes
from acuses.models import PdfAcuse
from acuses.verificacion import verificar_pdf
from archivos.almacen import abrir_verificado, guardar, sondear
from archivos.models import IncidenteArchivo
from archivos.s3 import AlmacenS3
from archivos.tests.conftest import Almacen
from atencion import services as atencion_services
from atencion.tests.conftest import pdf_subido, sesion_de
from buzon.errores import ErrorDominio
from promociones.descargas import adjunto
from promociones.limpieza import limpiar_huerfanos
from promociones.models import Evidencia, Respuesta, Solicitud
from promociones.tests.conftest import aclaracion, iniciar_sesion, token_para, zip_bytes

pytestmark = pytest.mark.django_db

ZIP = zip_bytes(b"Pago de cuotas obrero-patronales del bimestre 2026-01.\n" * 50)
MB = 1024 * 1024


@pytest.fixture
def api(contribuyente) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_para(contribuyente)}")


@pytest.fixture
def presentar(api, django_capture_on_commit_callbacks):
    """Files a request with evidence through the API, then runs the acuse worker (which
    stores its PDF, as in production); returns its folio."""

    def presentar() -> str:
        with django_capture_on_commit_callbacks(execute=True):
            r = api.post(
                "/api/v1/solicitudes",
                {
                    "servicio": "aclaracion",
                    "asunto": "emisiones",
                    "descripcion": "El pago del bimestre no aparece aplicado.",
                    "telefono": "5512345678",
                    "evidencia": ContentFile(ZIP, name="pagos.zip"),
                },
            )
        assert r.status_code == 201, r.content
        assert generar_pendientes() == 1
        return str(r.json()["folio"])

    return presentar


def _cuerpo(r) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else bytes(r.content)


def _descargas(folio: str, api: Client, contribuyente, analista) -> dict[str, Client]:
    """The three ways the evidence is downloaded: the owner's API and page, the staff page.
    Errors are answered as the server answers them, not raised into the test."""
    pagina = iniciar_sesion(Client(raise_request_exception=False), contribuyente)
    personal = sesion_de(analista)
    personal.raise_request_exception = False
    return {
        f"/api/v1/solicitudes/{folio}/evidencia": api,
        f"/solicitudes/{folio}/evidencia": pagina,
        f"/atencion/{folio}/evidencia": personal,
    }


def test_filing_stores_evidence_and_acuse_there_and_owner_and_staff_read_it_back(
    almacen: Almacen, presentar, api, contribuyente, analista
):
    folio = presentar()
    evidencia = Evidencia.objects.get(solicitud__folio=folio)
    pdf = PdfAcuse.objects.get(acuse__solicitud__folio=folio)
    # In the backend itself (for S3: listed by the bucket, not by the service).
    assert almacen.objetos() == sorted([evidencia.archivo.name, pdf.archivo])
    assert evidencia.sha256 == hashlib.sha256(ZIP).hexdigest() and evidencia.bytes == len(ZIP)
    for url, cliente in _descargas(folio, api, contribuyente, analista).items():
        r = cliente.get(url)
        assert r.status_code == 200, url
        assert r["Content-Disposition"].startswith("attachment;"), url
        assert r["Content-Length"] == str(len(ZIP)), url
        assert hashlib.sha256(_cuerpo(r)).hexdigest() == evidencia.sha256, url
    assert not IncidenteArchivo.objects.exists()


def test_damaged_evidence_is_never_served_and_staff_see_it_until_it_is_restored(
    almacen: Almacen, presentar, api, contribuyente, analista, caplog
):
    folio = presentar()
    evidencia = Evidencia.objects.get(solicitud__folio=folio)
    danado = bytearray(ZIP)
    danado[len(danado) // 2] ^= 0x01  # one bit, same size: only the hash can tell
    almacen.reemplazar(evidencia.archivo.name, bytes(danado))

    with caplog.at_level(logging.ERROR, logger="archivos.almacen"):
        for url, cliente in _descargas(folio, api, contribuyente, analista).items():
            r = cliente.get(url)
            assert r.status_code == 500, url
            assert not r.streaming, url  # not one byte of the file
            if url.startswith("/api/"):
                assert r.json()["codigo"] == "archivo_alterado"
            assert "no coincide con su huella digital" in r.content.decode(), url
    assert f"La evidencia de la solicitud {folio} no coincide con su huella" in caplog.text
    incidente = IncidenteArchivo.objects.get(nombre=evidencia.archivo.name)
    assert incidente.tipo == "alterado"
    assert incidente.sha256_esperado == evidencia.sha256
    assert incidente.sha256_encontrado == hashlib.sha256(danado).hexdigest()
    assert incidente.bytes_encontrados == len(ZIP)

    detalle = sesion_de(analista).get(f"/atencion/{folio}/")
    assert "no coincide con su huella SHA-256" in detalle.content.decode()
    assert 'data-testid="alerta-evidencia"' in detalle.content.decode()

    # Restored (from a backup): served again, and the alert is gone.
    almacen.reemplazar(evidencia.archivo.name, ZIP)
    r = api.get(f"/api/v1/solicitudes/{folio}/evidencia")
    assert r.status_code == 200 and _cuerpo(r) == ZIP
    assert not IncidenteArchivo.objects.exists()
    detalle = sesion_de(analista).get(f"/atencion/{folio}/")
    assert 'data-testid="alerta-evidencia"' not in detalle.content.decode()


def test_a_missing_evidence_object_is_an_error_staff_see_not_a_crash(
    almacen: Almacen, presentar, api, contribuyente, analista
):
    folio = presentar()
    evidencia = Evidencia.objects.get(solicitud__folio=folio)
    almacen.storage.delete(evidencia.archivo.name)
    assert evidencia.archivo.name not in almacen.objetos()

    for url, cliente in _descargas(folio, api, contribuyente, analista).items():
        r = cliente.get(url)
        assert r.status_code == 500, url
        assert "no se encuentra en el almacenamiento" in r.content.decode(), url
    incidente = IncidenteArchivo.objects.get(nombre=evidencia.archivo.name)
    assert (incidente.tipo, incidente.bytes_encontrados) == ("faltante", None)
    detalle = sesion_de(analista).get(f"/atencion/{folio}/").content.decode()
    assert "no se encuentra en el almacenamiento" in detalle


def test_the_answer_document_is_checked_the_same_way(almacen: Almacen, presentar, api, analista):
    folio = presentar()
    solicitud = Solicitud.objects.get(folio=folio)
    atencion_services.responder(
        solicitud=solicitud, actor=analista, texto="Pago aplicado.", documento=pdf_subido()
    )
    respuesta = Respuesta.objects.get(solicitud=solicitud)
    assert respuesta.documento.name in almacen.objetos("respuestas/")
    url = f"/api/v1/solicitudes/{folio}/respuesta/documento"
    r = api.get(url)
    assert r.status_code == 200
    assert hashlib.sha256(_cuerpo(r)).hexdigest() == respuesta.documento_sha256

    almacen.reemplazar(respuesta.documento.name, b"%PDF-1.4 otro documento")
    r = api.get(url)
    assert r.status_code == 500 and r.json()["codigo"] == "archivo_alterado"
    detalle = sesion_de(analista).get(f"/atencion/{folio}/").content.decode()
    assert 'data-testid="alerta-documento"' in detalle


def test_the_acuse_pdf_is_read_from_storage_and_a_damaged_one_is_rendered_again(
    almacen: Almacen, presentar, api
):
    folio = presentar()
    guardado = PdfAcuse.objects.get(acuse__solicitud__folio=folio)
    url = f"/api/v1/solicitudes/{folio}/acuses/recepcion"
    r = api.get(url)
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == guardado.sha256  # the stored bytes
    assert verificar_pdf(r.content).valido

    almacen.reemplazar(guardado.archivo, b"%PDF-1.7 no es el acuse")
    r = api.get(url)
    assert r.status_code == 200 and verificar_pdf(r.content).valido
    nuevo = PdfAcuse.objects.get(pk=guardado.pk)
    assert nuevo.archivo != guardado.archivo
    assert almacen.objetos("acuses/") == [nuevo.archivo]  # the damaged one is gone
    with almacen.storage.open(nuevo.archivo, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == nuevo.sha256


def test_the_sweep_deletes_there_what_no_row_names_and_keeps_the_rest(
    almacen: Almacen, presentar, tmp_path
):
    folio = presentar()
    evidencia = Evidencia.objects.get(solicitud__folio=folio)
    pdf = PdfAcuse.objects.get(acuse__solicitud__folio=folio)
    huerfanos = {
        guardar("evidencias", "zip", ContentFile(ZIP)),
        guardar("respuestas", "pdf", ContentFile(b"%PDF-1.4")),
        guardar("acuses", "pdf", ContentFile(b"%PDF-1.4")),
    }
    # Within the hour of grace nothing goes: a filing may still be committing.
    assert limpiar_huerfanos(directorio_temporal=tmp_path).archivos == []
    barrido = limpiar_huerfanos(
        ahora=timezone.now() + timedelta(hours=2), directorio_temporal=tmp_path
    )
    assert set(barrido.archivos) == huerfanos
    assert almacen.objetos() == sorted([evidencia.archivo.name, pdf.archivo])


def test_the_servers_hourly_sweep_looks_at_recent_months_and_the_command_at_all(
    almacen: Almacen, tmp_path
):
    reciente = guardar("evidencias", "zip", ContentFile(b"PK reciente"))
    antiguo = almacen.storage.save("evidencias/2020/01/antiguo.zip", ContentFile(b"PK viejo"))
    despues = timezone.now() + timedelta(hours=2)
    recientes = limpiar_huerfanos(ahora=despues, directorio_temporal=tmp_path, meses=2)
    assert recientes.archivos == [reciente]
    assert almacen.objetos() == [antiguo]
    todos = limpiar_huerfanos(ahora=despues, directorio_temporal=tmp_path)
    assert todos.archivos == [antiguo]
    assert almacen.objetos() == []


def test_ten_megabytes_go_in_and_out_without_sitting_whole_in_memory(almacen: Almacen, settings):
    tamano = 10 * MB - 1
    subida = TemporaryUploadedFile("grande.zip", "application/zip", tamano, None)
    resumen = hashlib.sha256()
    for _ in range(10):
        bloque = os.urandom(MB)[: tamano - subida.tell()]
        resumen.update(bloque)
        subida.write(bloque)
    subida.seek(0)
    sondear()  # the client's first use loads its service description: not the file's cost

    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        nombre = guardar("evidencias", "zip", subida)
        al_guardar = tracemalloc.get_traced_memory()[1] - base
        subida.close()  # as Django does after a request (moved into place on local files)

        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        archivo = abrir_verificado(
            nombre, sha256=resumen.hexdigest(), tamano=tamano, que="la prueba de memoria"
        )
        servido = hashlib.sha256()
        recibidos = 0
        respuesta = adjunto(archivo, "grande.zip", "application/zip")
        for parte in respuesta.streaming_content:  # type: ignore[union-attr]
            servido.update(parte)
            recibidos += len(parte)
        respuesta.close()
        al_leer = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert (recibidos, servido.hexdigest()) == (tamano, resumen.hexdigest())
    print(f"{almacen.tipo}: guardar {al_guardar / MB:.2f} MB, leer {al_leer / MB:.2f} MB")
    assert al_guardar < 3 * MB, f"guardar retuvo {al_guardar / MB:.1f} MB"
    assert al_leer < 3 * MB, f"leer y servir retuvo {al_leer / MB:.1f} MB"


def test_a_new_name_is_never_written_over(almacen: Almacen):
    primero = guardar("evidencias", "zip", ContentFile(b"uno"))
    segundo = guardar("evidencias", "zip", ContentFile(b"dos"))
    assert primero != segundo
    assert almacen.objetos("evidencias/") == sorted([primero, segundo])
    with pytest.raises(ErrorDominio) as error:
        abrir_verificado(
            primero, sha256=hashlib.sha256(b"dos").hexdigest(), tamano=3, que="el primero"
        )
    assert error.value.clave == "archivo_alterado"


GRANDE = zip_bytes(os.urandom(2 * MB))  # past ENVIO_ANTICIPADO_DESDE: sent early on S3


def _presentar_grande(api: Client, evidencia: bytes, clave: str = "", **campos: str) -> Any:
    datos = aclaracion(evidencia=ContentFile(evidencia, name="comprobantes.zip"), **campos)
    if clave:
        return api.post("/api/v1/solicitudes", datos, HTTP_IDEMPOTENCY_KEY=clave)
    return api.post("/api/v1/solicitudes", datos)


def test_a_big_evidence_is_stored_once_and_on_a_bucket_on_its_way_before_the_checks(
    almacen: Almacen, api
):
    hilos: list[str] = []
    if almacen.tipo == "s3":
        cliente = cast(AlmacenS3, storages["default"]).cliente()

        def anotar(**_: object) -> None:
            hilos.append(threading.current_thread().name)

        cliente.meta.events.register("before-call.s3.PutObject", anotar)
    r = _presentar_grande(api, GRANDE, clave="grande-una-vez")
    assert r.status_code == 201, r.content
    (nombre,) = almacen.objetos("evidencias/")
    assert Evidencia.objects.get().archivo.name == nombre
    guardado = abrir_verificado(
        nombre, sha256=hashlib.sha256(GRANDE).hexdigest(), tamano=len(GRANDE), que="la prueba"
    )
    with guardado:
        assert guardado.read() == GRANDE
    # The same filing again (the same key): the request it made, nothing more stored.
    otra = _presentar_grande(api, GRANDE, clave="grande-una-vez")
    assert otra.status_code in (200, 201) and otra.json()["folio"] == r.json()["folio"]
    assert almacen.objetos("evidencias/") == [nombre]
    if almacen.tipo == "s3":
        assert len(hilos) == 2 and all(h.startswith("envio-anticipado") for h in hilos), hilos


@pytest.mark.parametrize(
    ("evidencia", "campos", "codigo"),
    [
        (b"PK\x03\x04" + os.urandom(2 * MB), {}, "evidencia_no_zip"),
        (GRANDE, {"asunto": "no-existe"}, "asunto_invalido"),
        (GRANDE, {"telefono": "12"}, "telefono_invalido"),
    ],
    ids=["zip dañado", "asunto inexistente", "teléfono inválido"],
)
def test_a_big_evidence_refused_after_it_arrived_leaves_nothing_stored(
    almacen: Almacen, api, evidencia: bytes, campos: dict[str, str], codigo: str
):
    r = _presentar_grande(api, evidencia, **campos)
    assert r.status_code == 400, r.content
    assert r.json()["codigo"].split(".")[0] == codigo
    assert almacen.objetos("evidencias/") == []
    assert not Solicitud.objects.exists()
