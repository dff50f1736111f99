"""Evidence uploads end to end: the real multipart parser, handler, checks and storage.

The views below exist only for these tests (``pytest.mark.urls``): they are the
smallest views that use the pipeline the way the filing pages and API do.
"""

from __future__ import annotations

import hashlib
import io
import socket
import struct
import tempfile
import threading
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils.crypto import get_random_string

from buzon.api import endpoint
from buzon.errores import ErrorDominio
from buzon.middleware import HOLGURA, LimiteCuerpo
from promociones.antivirus import AntivirusClamd, AntivirusNulo, antivirus_configurado
from promociones.evidencias import (
    LIMITE_BYTES,
    ArchivoExcedido,
    borrar_evidencia,
    sanear_nombre,
    validar_y_guardar_evidencia,
)
from promociones.subidas import (
    HUELLA_EN_PARALELO_DESDE,
    MARCA,
    ContadorDeArchivos,
    EvidenciaTemporal,
    LimiteEvidenciaUploadHandler,
    acepta_evidencia,
    instalar_manejadores,
    revisar_subida,
)

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
FILA_CSV = b"2025-11-14,AAA010101AAA,Cuota obrero patronal,1234.56\n"


def _guardar(request: HttpRequest) -> HttpResponse:
    revisar_subida(request)
    archivo = request.FILES.get("evidencia")
    if archivo is None:
        return JsonResponse({"evidencia": None, "campos": request.POST.dict()})
    guardada = validar_y_guardar_evidencia(archivo)
    return JsonResponse(
        {
            "nombre": guardada.nombre_original,
            "bytes": guardada.bytes,
            "sha256": guardada.sha256,
            "clave": guardada.clave,
            "hash_del_manejador": isinstance(archivo, EvidenciaTemporal),
        },
        status=201,
    )


@endpoint
def vista_api(request: HttpRequest) -> HttpResponse:
    instalar_manejadores(request)
    return _guardar(request)


@acepta_evidencia
def vista_pagina(request: HttpRequest) -> HttpResponse:
    try:
        return _guardar(request)
    except ErrorDominio as exc:
        return JsonResponse({"codigo": exc.codigo}, status=exc.status)


urlpatterns = [
    path("api/", vista_api, name="api"),
    path("pagina/", vista_pagina, name="pagina"),
    # The site's own routes too: the refusal pages (CSRF's 403 here) link to them in
    # their header, and reversing those links must not depend on an earlier test.
    path("", include("buzon.urls")),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def limites_de_estas_rutas(monkeypatch):
    """The body-limit middleware's table, with these test routes as evidence routes."""
    evidencia = LimiteCuerpo(LIMITE_BYTES + HOLGURA, archivos=1, requiere_sesion=False)
    monkeypatch.setattr(
        "buzon.middleware.limites_por_ruta", lambda: {"api": evidencia, "pagina": evidencia}
    )


def zip_de_tamano(total: int, nombre: str = "nomina.csv") -> bytes:
    """A valid zip of exactly ``total`` bytes: one stored CSV entry sized to fit."""

    def construir(largo: int) -> bytes:
        datos = (FILA_CSV * (largo // len(FILA_CSV) + 1))[:largo]
        destino = io.BytesIO()
        with zipfile.ZipFile(destino, "w", compression=zipfile.ZIP_STORED) as archivo:
            archivo.writestr(nombre, datos)
        return destino.getvalue()

    encabezados = len(construir(1000)) - 1000
    resultado = construir(total - encabezados)
    assert len(resultado) == total
    return resultado


def zip_pequeno(
    entradas: dict[str, bytes] | None = None, metodo: int = zipfile.ZIP_DEFLATED
) -> bytes:
    destino = io.BytesIO()
    with zipfile.ZipFile(destino, "w", compression=metodo) as archivo:
        if entradas is None:
            entradas = {"acta.txt": "Acta de aclaración".encode()}
        for nombre, datos in entradas.items():
            archivo.writestr(nombre, datos)
    return destino.getvalue()


@pytest.fixture
def almacen(settings, tmp_path: Path) -> Path:
    """Storage and temporary uploads in the test's own folder, to see what is left."""
    (tmp_path / "tmp").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "archivos", "base_url": None},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    settings.ANTIVIRUS = "null"
    return tmp_path


def archivos_en(carpeta: Path) -> list[Path]:
    return [p for p in carpeta.rglob("*") if p.is_file()] if carpeta.exists() else []


def subir(cliente: Client, url: str, contenido: bytes, nombre: str = "evidencia.zip", **extra):
    archivo = SimpleUploadedFile(nombre, contenido, content_type="application/zip")
    return cliente.post(url, {"descripcion": "antes del archivo", "evidencia": archivo, **extra})


def test_10485759_bytes_are_accepted_hashed_and_stored_byte_for_byte(almacen):
    contenido = zip_de_tamano(LIMITE_BYTES - 1)
    respuesta = subir(Client(), "/api/", contenido)
    assert respuesta.status_code == 201, respuesta.content
    datos = respuesta.json()
    assert datos["bytes"] == 10_485_759
    assert datos["sha256"] == hashlib.sha256(contenido).hexdigest()
    assert datos["nombre"] == "evidencia.zip"
    assert datos["hash_del_manejador"] is True
    assert datos["clave"].startswith("evidencias/") and datos["clave"].endswith(".zip")
    guardado = almacen / "archivos" / datos["clave"]
    assert guardado.read_bytes() == contenido
    assert archivos_en(almacen / "archivos") == [guardado]
    assert archivos_en(almacen / "tmp") == []  # moved into place, not copied


def test_10485760_bytes_are_refused_with_413_and_nothing_is_stored(almacen):
    respuesta = subir(Client(), "/api/", zip_de_tamano(LIMITE_BYTES))
    assert respuesta.status_code == 413
    assert respuesta.json()["codigo"] == "evidencia_muy_grande"
    # The file's name and what it weighs, not just the rule.
    assert respuesta.json()["mensaje"].startswith(
        "«evidencia.zip» pesa 10.0 MB; debe pesar menos de 10 MB."
    )
    assert archivos_en(almacen / "archivos") == []
    assert archivos_en(almacen / "tmp") == []  # the partial temporary file is gone too


def test_the_handler_drops_the_file_at_exactly_10485760_bytes_and_counts_the_rest(almacen):
    request = RequestFactory().post("/")
    instalar_manejadores(request)
    contador, manejador = request.upload_handlers
    assert isinstance(contador, ContadorDeArchivos)
    assert isinstance(manejador, LimiteEvidenciaUploadHandler)
    manejador.new_file("evidencia", "e.zip", "application/zip", None)
    bloque = b"z" * manejador.chunk_size
    for inicio in range(0, LIMITE_BYTES - len(bloque), len(bloque)):
        manejador.receive_data_chunk(bloque, inicio)
    manejador.receive_data_chunk(b"z" * (len(bloque) - 1), LIMITE_BYTES - len(bloque))
    temporal = Path(manejador.file.temporary_file_path())
    assert temporal.stat().st_size == 10_485_759
    assert getattr(request, MARCA) is False
    manejador.receive_data_chunk(b"z", LIMITE_BYTES - 1)
    assert getattr(request, MARCA) == ArchivoExcedido("e.zip", LIMITE_BYTES)
    assert not temporal.exists()
    assert not hasattr(manejador, "file")
    # The rest of the file is only counted, so the refusal can say what it weighs.
    manejador.receive_data_chunk(b"z" * 1_258_291, LIMITE_BYTES)
    assert manejador.file_complete(LIMITE_BYTES + 1_258_291) is None
    excedido = getattr(request, MARCA)
    assert excedido == ArchivoExcedido("e.zip", LIMITE_BYTES + 1_258_291)
    error = excedido.error()
    assert (error.codigo, error.status, error.campo) == ("evidencia_muy_grande", 413, "evidencia")
    assert error.mensaje.startswith("«e.zip» pesa 11.2 MB; debe pesar menos de 10 MB.")


@pytest.mark.parametrize("cuerpo", [10, HUELLA_EN_PARALELO_DESDE], ids=["en-linea", "en-otro-hilo"])
def test_the_handler_hashes_what_it_writes_in_the_order_it_came(almacen, cuerpo):
    manejador = LimiteEvidenciaUploadHandler(None)
    manejador.handle_raw_input(None, {}, cuerpo, "limite", "utf-8")
    manejador.new_file("evidencia", "e.zip", "application/zip", None)
    # Many chunks, each different: one hashed out of order changes the digest.
    partes = [f"parte {i} ñ;".encode() * (i + 1) for i in range(300)]
    for parte in partes:
        manejador.receive_data_chunk(parte, 0)
    hilos = [h.name for h in threading.enumerate() if h.name.startswith("huella")]
    assert bool(hilos) == (cuerpo >= HUELLA_EN_PARALELO_DESDE)
    todo = b"".join(partes)
    archivo = manejador.file_complete(len(todo))
    assert archivo is not None
    assert archivo.sha256 == hashlib.sha256(todo).hexdigest()
    assert archivo.read() == todo
    archivo.close()


def test_a_stopped_upload_is_not_mistaken_for_a_missing_file(almacen):
    # Without the flag the view would see no file at all, i.e. "no evidence".
    respuesta = subir(Client(), "/api/", b"x" * (LIMITE_BYTES + 5000), nombre="grande.zip")
    assert respuesta.status_code == 413


def test_a_request_without_a_file_still_reads_its_fields(almacen):
    respuesta = Client().post("/api/", {"descripcion": "sin evidencia"})
    assert respuesta.json() == {"evidencia": None, "campos": {"descripcion": "sin evidencia"}}


def test_the_page_decorator_installs_the_handler_and_still_checks_csrf(almacen):
    cliente = Client(enforce_csrf_checks=True)
    assert subir(cliente, "/pagina/", zip_pequeno()).status_code == 403
    token = get_random_string(32)
    cliente.cookies["csrftoken"] = token
    respuesta = subir(cliente, "/pagina/", zip_pequeno(), csrfmiddlewaretoken=token)
    assert respuesta.status_code == 201
    assert respuesta.json()["hash_del_manejador"] is True
    grande = cliente.post(
        "/pagina/",
        {
            "csrfmiddlewaretoken": token,
            "evidencia": SimpleUploadedFile("g.zip", zip_de_tamano(LIMITE_BYTES)),
        },
    )
    assert grande.status_code == 413


def test_the_clients_content_type_is_ignored(almacen):
    como_pdf = SimpleUploadedFile("e.zip", zip_pequeno(), content_type="application/pdf")
    assert Client().post("/api/", {"evidencia": como_pdf}).status_code == 201
    texto = SimpleUploadedFile("e.zip", b"no soy un zip", content_type="application/zip")
    respuesta = Client().post("/api/", {"evidencia": texto})
    assert respuesta.json()["codigo"] == "evidencia_no_zip"


@pytest.mark.parametrize(
    ("nombre", "contenido", "codigo"),
    [
        ("evidencia.pdf", zip_pequeno(), "evidencia_no_zip"),
        ("evidencia.zip.exe", zip_pequeno(), "evidencia_no_zip"),
        ("vacia.zip", b"", "evidencia_no_zip"),
        ("sin_documentos.zip", zip_pequeno({}), "evidencia_no_zip"),
        (
            "solo_carpetas.zip",
            zip_pequeno({"facturas/": b"", "facturas/2026/": b""}),
            "evidencia_sin_archivos",
        ),
        ("renombrado.zip", b"%PDF-1.7\n" + b"0" * 2000, "evidencia_no_zip"),
        ("peligro.zip", zip_pequeno({"../../fuera.txt": b"x"}), "evidencia_peligrosa"),
        ("anidado.zip", zip_pequeno({"otro.zip": zip_pequeno()}), "evidencia_peligrosa"),
    ],
)
def test_each_refusal_has_its_code_and_a_spanish_message_and_stores_nothing(
    almacen, nombre, contenido, codigo
):
    with pytest.raises(ErrorDominio) as error:
        validar_y_guardar_evidencia(SimpleUploadedFile(nombre, contenido))
    assert error.value.codigo == codigo
    assert error.value.campo == "evidencia"
    assert error.value.status == 400
    assert error.value.mensaje.endswith(".")
    assert archivos_en(almacen / "archivos") == []


def test_a_dangerous_zip_says_which_entry_and_why(almacen):
    with pytest.raises(ErrorDominio) as error:
        validar_y_guardar_evidencia(SimpleUploadedFile("e.zip", zip_pequeno({"/etc/cron": b"x"})))
    assert error.value.codigo == "evidencia_peligrosa"
    assert error.value.mensaje.startswith("El archivo «/etc/cron» dentro del .zip lleva la ruta")


def test_size_is_checked_without_the_handler_too(almacen):
    with pytest.raises(ErrorDominio) as error:
        validar_y_guardar_evidencia(SimpleUploadedFile("e.zip", zip_de_tamano(LIMITE_BYTES)))
    assert (error.value.codigo, error.value.status) == ("evidencia_muy_grande", 413)


def test_an_uppercase_extension_is_accepted_and_the_hash_computed_when_absent(almacen):
    contenido = zip_pequeno()
    guardada = validar_y_guardar_evidencia(SimpleUploadedFile("ACTA FEBRERO.ZIP", contenido))
    assert guardada.nombre_original == "ACTA FEBRERO.ZIP"
    assert guardada.sha256 == hashlib.sha256(contenido).hexdigest()
    assert guardada.bytes == len(contenido)
    assert (almacen / "archivos" / guardada.clave).read_bytes() == contenido


def test_borrar_evidencia_removes_the_stored_file(almacen):
    guardada = validar_y_guardar_evidencia(SimpleUploadedFile("e.zip", zip_pequeno()))
    borrar_evidencia(guardada.clave)
    assert archivos_en(almacen / "archivos") == []


@pytest.mark.parametrize(
    ("recibido", "esperado"),
    [
        ("C:\\Users\\ana\\Evidencias año.zip", "Evidencias año.zip"),
        ("../../etc/Señalamiento.zip", "Señalamiento.zip"),
        (unicodedata.normalize("NFD", "Aclaración.zip"), "Aclaración.zip"),
        ("factura\u202epiz.exe", "facturapiz.exe"),
        ("acta\x00\x1b[31m.zip", "acta[31m.zip"),
        ("  mucho   espacio .zip ", "mucho espacio .zip"),
    ],
)
def test_the_original_name_is_sanitised_keeping_accents(recibido, esperado):
    assert sanear_nombre(recibido) == esperado


def test_a_very_long_name_is_cut_keeping_its_extension():
    nombre = sanear_nombre("ñ" * 400 + ".zip")
    assert len(nombre) == 255 and nombre.endswith("ñ.zip")


def test_validating_a_10_mb_upload_holds_far_less_than_10_mb_in_memory(almacen):
    # Built straight into a temporary upload file, so the test holds no copy either.
    subida = TemporaryUploadedFile("grande.zip", "application/zip", 0, None)
    destino = subida.file
    assert destino is not None
    with zipfile.ZipFile(destino, "w", compression=zipfile.ZIP_DEFLATED) as archivo:
        with archivo.open("nomina.csv", "w") as entrada:
            for _ in range(70):
                entrada.write(FILA_CSV * 2000)  # about 7.5 MB of CSV
        with archivo.open("fotos.bin", "w") as entrada:
            rafaga = hashlib.sha256()
            for i in range(9 * 16):  # 9 MB that does not compress
                bloques = []
                for j in range(2048):
                    rafaga.update(f"{i}-{j}".encode())
                    bloques.append(rafaga.digest())
                entrada.write(b"".join(bloques))
    subida.size = destino.tell()
    assert 9_000_000 < subida.size < LIMITE_BYTES
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        guardada = validar_y_guardar_evidencia(subida)
        pico = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
        subida.close()
    assert guardada.bytes == subida.size
    assert pico < 1024 * 1024, f"pico de {pico:,} bytes"


# --- antivirus -------------------------------------------------------------------


class ClamdFalso:
    """A tiny clamd speaking INSTREAM on a unix socket: the network edge of the tests."""

    def __init__(self, ruta: str, respuesta: bytes | None = None) -> None:
        self.ruta = ruta
        self.respuesta = respuesta
        self.recibido = b""
        self.comando = b""
        self.servidor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.servidor.bind(ruta)
        self.servidor.listen(1)
        self.hilo = threading.Thread(target=self._atender, daemon=True)
        self.hilo.start()

    def _leer(self, conexion: socket.socket, n: int) -> bytes:
        datos = b""
        while len(datos) < n:
            parte = conexion.recv(n - len(datos))
            if not parte:
                raise ConnectionError("el cliente cerró antes de tiempo")
            datos += parte
        return datos

    def _atender(self) -> None:
        conexion, _ = self.servidor.accept()
        with conexion:
            while not self.comando.endswith(b"\0"):
                self.comando += self._leer(conexion, 1)
            while largo := struct.unpack(">L", self._leer(conexion, 4))[0]:
                self.recibido += self._leer(conexion, largo)
            if self.respuesta is not None:
                respuesta = self.respuesta
            elif EICAR in self.recibido:
                respuesta = b"stream: Eicar-Test-Signature FOUND\0"
            else:
                respuesta = b"stream: OK\0"
            conexion.sendall(respuesta)

    def cerrar(self) -> None:
        self.hilo.join(timeout=5)
        self.servidor.close()


@pytest.fixture
def ruta_socket() -> Iterator[str]:
    # Unix socket paths are limited to about 100 bytes: pytest's tmp_path can be longer.
    with tempfile.TemporaryDirectory(prefix="clamd") as carpeta:
        yield str(Path(carpeta) / "clamd.sock")


def test_clamd_receives_the_whole_file_in_chunks_and_a_clean_file_passes(ruta_socket):
    clamd = ClamdFalso(ruta_socket)
    contenido = bytes(range(256)) * 1000  # 256,000 bytes: four chunks
    archivo = io.BytesIO(contenido)
    archivo.seek(100)
    AntivirusClamd(ruta_socket).escanear(archivo)
    clamd.cerrar()
    assert clamd.comando == b"zINSTREAM\0"
    assert clamd.recibido == contenido
    assert archivo.tell() == 100  # the caller's position is kept


def test_clamd_scans_a_path_too(ruta_socket, tmp_path):
    clamd = ClamdFalso(ruta_socket)
    archivo = tmp_path / "e.zip"
    archivo.write_bytes(b"contenido")
    AntivirusClamd(ruta_socket).escanear(archivo)
    clamd.cerrar()
    assert clamd.recibido == b"contenido"


def test_an_infected_file_is_refused_with_the_signature_name(ruta_socket):
    clamd = ClamdFalso(ruta_socket)
    with pytest.raises(ErrorDominio) as error:
        AntivirusClamd(ruta_socket).escanear(io.BytesIO(EICAR))
    clamd.cerrar()
    assert error.value.codigo == "evidencia_infectada"
    assert "Eicar-Test-Signature" in error.value.mensaje


def test_a_clamd_error_reply_is_not_taken_for_clean(ruta_socket):
    clamd = ClamdFalso(ruta_socket, respuesta=b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(ErrorDominio) as error:
        AntivirusClamd(ruta_socket).escanear(io.BytesIO(b"x" * 10))
    clamd.cerrar()
    assert (error.value.codigo, error.value.status) == ("antivirus_no_disponible", 503)


def test_an_unreachable_clamd_refuses_instead_of_passing(ruta_socket):
    with pytest.raises(ErrorDominio) as error:
        AntivirusClamd(ruta_socket, timeout=2).escanear(io.BytesIO(b"x"))
    assert error.value.codigo == "antivirus_no_disponible"


def test_the_configured_scanner_follows_the_settings(settings):
    settings.ANTIVIRUS = "null"
    assert isinstance(antivirus_configurado(), AntivirusNulo)
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    escaner = antivirus_configurado()
    assert isinstance(escaner, AntivirusClamd)
    assert escaner.socket_path == "/run/clamav/clamd.ctl"
    settings.ANTIVIRUS = "norton"
    with pytest.raises(ImproperlyConfigured):
        antivirus_configurado()


def test_an_infected_upload_is_refused_through_the_api_and_nothing_is_stored(
    almacen, settings, ruta_socket
):
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = ruta_socket
    clamd = ClamdFalso(ruta_socket)
    # Stored, so that the fake scanner finds the signature in the raw bytes.
    infectado = zip_pequeno({"factura.txt": EICAR}, metodo=zipfile.ZIP_STORED)
    respuesta = subir(Client(), "/api/", infectado)
    clamd.cerrar()
    assert respuesta.status_code == 400
    assert respuesta.json()["codigo"] == "evidencia_infectada"
    assert clamd.recibido == infectado  # the scanner saw the upload as received
    assert archivos_en(almacen / "archivos") == []


def test_a_clean_upload_passes_clamd_through_the_api(almacen, settings, ruta_socket):
    settings.ANTIVIRUS = "clamd"
    settings.CLAMD_SOCKET = ruta_socket
    clamd = ClamdFalso(ruta_socket)
    respuesta = subir(Client(), "/api/", zip_pequeno())
    clamd.cerrar()
    assert respuesta.status_code == 201
    assert len(archivos_en(almacen / "archivos")) == 1
