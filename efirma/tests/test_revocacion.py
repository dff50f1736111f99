"""Revocation: CRL files, and OCSP against a real `openssl ocsp` responder."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from conftest import skip_or_fail
from efirma.certificados import Certificado, leer_certificado
from efirma.emision import AutoridadCertificadora, a_pem, crear_crl, emitir_respondedor_ocsp
from efirma.errores import ErrorEfirma
from efirma.revocacion import (
    RevocacionCRL,
    RevocacionOCSP,
    SinRevocacion,
    revocacion_configurada,
)
from efirma.tests.ayudas import AHORA, Emitido, hace
from efirma.tests.conftest import PoolLlaves


def codigo(verificador: object, cert: Certificado, emisor_der: bytes) -> str | None:
    try:
        verificador.verificar(cert, emisor_der, AHORA)  # type: ignore[attr-defined]
    except ErrorEfirma as error:
        return error.codigo
    return None


@pytest.fixture(scope="module")
def revocado(emitir: Callable[..., Emitido]) -> Certificado:
    return leer_certificado(
        emitir(llave="revocado", rfc="GODE561231GR8", nombre="X", numero="30001000000500000666").der
    )


@pytest.fixture(scope="module")
def vigente(fisica: Emitido) -> Certificado:
    return leer_certificado(fisica.der)


# --- CRL ---------------------------------------------------------------------------


def test_certificate_listed_in_the_issuers_crl_is_revocado(
    tmp_path: Path, ca_raiz: AutoridadCertificadora, revocado: Certificado, vigente: Certificado
) -> None:
    ruta = tmp_path / "ac.crl"
    ruta.write_bytes(crear_crl(ca_raiz, [revocado.objeto_x509.serial_number]))
    crl = RevocacionCRL(ruta)
    assert codigo(crl, revocado, ca_raiz.certificado_der) == "certificado_revocado"
    assert codigo(crl, vigente, ca_raiz.certificado_der) is None


def test_crl_in_pem_with_several_issuers_is_read(
    tmp_path: Path,
    ca_raiz: AutoridadCertificadora,
    ca_ajena: AutoridadCertificadora,
    revocado: Certificado,
) -> None:
    ruta = tmp_path / "todas.pem"
    ruta.write_bytes(
        a_pem(crear_crl(ca_ajena, []), "X509 CRL")
        + a_pem(crear_crl(ca_raiz, [revocado.objeto_x509.serial_number]), "X509 CRL")
    )
    assert codigo(RevocacionCRL(ruta), revocado, ca_raiz.certificado_der) == (
        "certificado_revocado"
    )


def test_crl_not_signed_by_the_issuer_cannot_tell(
    tmp_path: Path,
    llaves: PoolLlaves,
    ca_raiz: AutoridadCertificadora,
    ca_ajena: AutoridadCertificadora,
    vigente: Certificado,
) -> None:
    ruta = tmp_path / "ajena.crl"
    ruta.write_bytes(crear_crl(ca_ajena, []))
    assert codigo(RevocacionCRL(ruta), vigente, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    # Same issuer name, another key: a forged CRL that would "clear" everybody.
    forjada = AutoridadCertificadora(certificado_der=ca_raiz.certificado_der, llave=llaves("ajena"))
    ruta.write_bytes(crear_crl(forjada, []))
    assert codigo(RevocacionCRL(ruta), vigente, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )


def test_stale_crl_cannot_tell(
    tmp_path: Path, ca_raiz: AutoridadCertificadora, vigente: Certificado
) -> None:
    ruta = tmp_path / "vieja.crl"
    ruta.write_bytes(crear_crl(ca_raiz, [], emitida=hace(10), siguiente=hace(3)))
    assert codigo(RevocacionCRL(ruta), vigente, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )


@pytest.mark.parametrize("contenido", [None, b"", b"no es una CRL"])
def test_missing_or_unreadable_crl_cannot_tell(
    tmp_path: Path,
    ca_raiz: AutoridadCertificadora,
    vigente: Certificado,
    contenido: bytes | None,
) -> None:
    ruta = tmp_path / "ac.crl"
    if contenido is not None:
        ruta.write_bytes(contenido)
    with pytest.raises(ErrorEfirma) as error:
        RevocacionCRL(ruta).verificar(vigente, ca_raiz.certificado_der, AHORA)
    assert error.value.codigo == "revocacion_no_disponible"


def test_crl_file_is_read_again_when_it_changes(
    tmp_path: Path, ca_raiz: AutoridadCertificadora, revocado: Certificado
) -> None:
    ruta = tmp_path / "ac.crl"
    ruta.write_bytes(crear_crl(ca_raiz, [], numero=1))
    crl = RevocacionCRL(ruta)
    assert codigo(crl, revocado, ca_raiz.certificado_der) is None
    ruta.write_bytes(crear_crl(ca_raiz, [revocado.objeto_x509.serial_number], numero=2))
    assert codigo(crl, revocado, ca_raiz.certificado_der) == "certificado_revocado"


# --- OCSP against openssl ----------------------------------------------------------


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def linea_indice(estado: str, cert: Certificado) -> str:
    """A line of OpenSSL's CA database (index.txt): status, expiry, revocation, serial."""
    vence = cert.valido_hasta.strftime("%y%m%d%H%M%SZ")
    revocado_el = AHORA.strftime("%y%m%d%H%M%SZ") if estado == "R" else ""
    serie = format(cert.objeto_x509.serial_number, "X")
    serie = serie if len(serie) % 2 == 0 else "0" + serie
    return f"{estado}\t{vence}\t{revocado_el}\t{serie}\tunknown\t/CN=titular\n"


ORDEN_OCSP = [
    *("openssl", "ocsp", "-index", "index.txt", "-CA", "ca.pem"),
    *("-rsigner", "firmante.pem", "-rkey", "firmante.key", "-ignore_err"),
]


@dataclass
class Respondedor:
    url: str
    proceso: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def iniciar_respondedor(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Respondedor]]:
    """Starts `openssl ocsp` responders; stops every one of them after the module."""
    if shutil.which("openssl") is None:
        skip_or_fail("OPENSSL", "openssl no está instalado: no hay respondedor OCSP")
    procesos: list[subprocess.Popen[bytes]] = []

    def iniciar(
        ca: AutoridadCertificadora, firmante: Emitido, indice: str, *, nmin: int = 5
    ) -> Respondedor:
        carpeta = tmp_path_factory.mktemp("ocsp")
        (carpeta / "index.txt").write_text(indice, encoding="ascii")
        (carpeta / "ca.pem").write_bytes(ca.certificado_pem)
        (carpeta / "firmante.pem").write_bytes(a_pem(firmante.der))
        (carpeta / "firmante.key").write_bytes(
            AutoridadCertificadora(certificado_der=firmante.der, llave=firmante.llave).llave_pem
        )
        for _ in range(5):
            puerto = puerto_libre()
            bitacora = carpeta / f"ocsp-{puerto}.log"
            # openssl 3.0 takes only a port and listens on every interface; the test
            # talks to it on 127.0.0.1 and stops it when the module ends.
            with bitacora.open("wb") as salida:
                proceso = subprocess.Popen(
                    [*ORDEN_OCSP, "-port", str(puerto), "-nmin", str(nmin)],
                    cwd=carpeta,
                    stdout=salida,
                    stderr=subprocess.STDOUT,
                )
            procesos.append(proceso)
            # Ready when it says so: a bare connect-and-close probe would leave this
            # single-threaded responder stuck on the empty connection.
            limite = time.monotonic() + 5
            while time.monotonic() < limite and proceso.poll() is None:
                if b"waiting for OCSP client connections" in bitacora.read_bytes():
                    return Respondedor(url=f"http://127.0.0.1:{puerto}/", proceso=proceso)
                time.sleep(0.02)
            proceso.kill()
        pytest.fail("openssl ocsp no empezó a escuchar")

    yield iniciar
    for proceso in procesos:
        proceso.terminate()
        try:
            proceso.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proceso.kill()
            proceso.wait()


@pytest.fixture(scope="module")
def respondedor(
    iniciar_respondedor: Callable[..., Respondedor],
    llaves: PoolLlaves,
    ca_raiz: AutoridadCertificadora,
    vigente: Certificado,
    revocado: Certificado,
) -> Respondedor:
    """A delegated responder (its own certificate, EKU OCSPSigning) for the root CA."""
    der, llave = emitir_respondedor_ocsp(ca_raiz, llave=llaves("ocsp"))
    indice = linea_indice("V", vigente) + linea_indice("R", revocado)
    return iniciar_respondedor(ca_raiz, Emitido(der, llave), indice)


def test_ocsp_good_answer_lets_the_certificate_through(
    respondedor: Respondedor, ca_raiz: AutoridadCertificadora, vigente: Certificado
) -> None:
    assert codigo(RevocacionOCSP(respondedor.url), vigente, ca_raiz.certificado_der) is None


def test_ocsp_revoked_answer_is_revocado(
    respondedor: Respondedor, ca_raiz: AutoridadCertificadora, revocado: Certificado
) -> None:
    with pytest.raises(ErrorEfirma) as error:
        RevocacionOCSP(respondedor.url).verificar(revocado, ca_raiz.certificado_der, AHORA)
    assert error.value.codigo == "certificado_revocado"
    assert "30001000000500000666" in error.value.mensaje


def test_ocsp_unknown_certificate_cannot_tell(
    respondedor: Respondedor,
    ca_raiz: AutoridadCertificadora,
    emitir: Callable[..., Emitido],
    caplog: pytest.LogCaptureFixture,
) -> None:
    desconocido = leer_certificado(emitir(rfc="GODE561231GR8", nombre="X").der)
    assert codigo(RevocacionOCSP(respondedor.url), desconocido, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    assert "no conoce el certificado" in caplog.text


def test_ocsp_url_from_the_certificate_when_none_is_configured(
    respondedor: Respondedor,
    ca_raiz: AutoridadCertificadora,
    emitir: Callable[..., Emitido],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Not in the responder's index: openssl answers "unknown" — which proves the
    # question reached the URL written in the certificate.
    con_aia = leer_certificado(
        emitir(rfc="GODE561231GR8", nombre="X", ocsp_url=respondedor.url).der
    )
    assert codigo(RevocacionOCSP(None), con_aia, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    assert f"{respondedor.url} no conoce el certificado" in caplog.text
    sin_aia = leer_certificado(emitir(rfc="GODE561231GR8", nombre="X").der)
    assert codigo(RevocacionOCSP(None), sin_aia, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    assert "no indica OCSP" in caplog.text


def test_ocsp_answer_signed_by_an_unauthorized_responder_cannot_tell(
    iniciar_respondedor: Callable[..., Respondedor],
    llaves: PoolLlaves,
    ca_raiz: AutoridadCertificadora,
    ca_ajena: AutoridadCertificadora,
    revocado: Certificado,
    vigente: Certificado,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A responder certified by another CA must not be able to clear a revoked cert.
    der, llave = emitir_respondedor_ocsp(ca_ajena, llave=llaves("ocsp-ajeno"))
    intruso = iniciar_respondedor(ca_raiz, Emitido(der, llave), linea_indice("V", revocado))
    assert codigo(RevocacionOCSP(intruso.url), revocado, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    assert codigo(RevocacionOCSP(intruso.url), vigente, ca_raiz.certificado_der) == (
        "revocacion_no_disponible"
    )
    assert "no está firmada por el emisor" in caplog.text


def test_ocsp_answer_signed_by_the_ca_itself_is_accepted(
    iniciar_respondedor: Callable[..., Respondedor],
    ca_raiz: AutoridadCertificadora,
    vigente: Certificado,
    revocado: Certificado,
) -> None:
    la_ca = Emitido(ca_raiz.certificado_der, ca_raiz.llave)
    directo = iniciar_respondedor(
        ca_raiz, la_ca, linea_indice("V", vigente) + linea_indice("R", revocado)
    )
    assert codigo(RevocacionOCSP(directo.url), vigente, ca_raiz.certificado_der) is None
    assert codigo(RevocacionOCSP(directo.url), revocado, ca_raiz.certificado_der) == (
        "certificado_revocado"
    )


def test_unreachable_ocsp_responder_cannot_tell(
    ca_raiz: AutoridadCertificadora, vigente: Certificado
) -> None:
    cerrado = RevocacionOCSP(f"http://127.0.0.1:{puerto_libre()}/", timeout=2)
    inicio = time.monotonic()
    assert codigo(cerrado, vigente, ca_raiz.certificado_der) == "revocacion_no_disponible"
    assert time.monotonic() - inicio < 2


def test_http_answer_that_is_not_ocsp_cannot_tell(
    ca_raiz: AutoridadCertificadora, vigente: Certificado, caplog: pytest.LogCaptureFixture
) -> None:
    class NoOcsp(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>mantenimiento</html>")

        def log_message(self, *args: object) -> None:
            pass

    servidor = http.server.HTTPServer(("127.0.0.1", 0), NoOcsp)
    hilo = threading.Thread(target=servidor.handle_request, daemon=True)
    hilo.start()
    try:
        url = f"http://127.0.0.1:{servidor.server_address[1]}/"
        assert codigo(RevocacionOCSP(url), vigente, ca_raiz.certificado_der) == (
            "revocacion_no_disponible"
        )
        assert "no es OCSP" in caplog.text
    finally:
        hilo.join(timeout=5)
        servidor.server_close()


def test_ocsp_url_must_be_http() -> None:
    with pytest.raises(ImproperlyConfigured):
        RevocacionOCSP("file:///etc/passwd")


# --- configuration -----------------------------------------------------------------


def test_configured_checker_follows_settings(settings: Settings, tmp_path: Path) -> None:
    settings.EFIRMA_REVOCACION = "none"
    assert isinstance(revocacion_configurada(), SinRevocacion)
    settings.EFIRMA_REVOCACION = "crl"
    settings.EFIRMA_CRL_FILE = str(tmp_path / "ac.crl")
    crl = revocacion_configurada()
    assert isinstance(crl, RevocacionCRL)
    assert crl.path == tmp_path / "ac.crl"
    settings.EFIRMA_REVOCACION = "OCSP"
    settings.EFIRMA_OCSP_URL = "http://ocsp.example.test/"
    ocsp = revocacion_configurada()
    assert isinstance(ocsp, RevocacionOCSP)
    assert ocsp.url == "http://ocsp.example.test/"


@pytest.mark.parametrize(("modo", "crl"), [("crl", ""), ("siempre", "")])
def test_incomplete_or_unknown_configuration_fails_loudly(
    settings: Settings, modo: str, crl: str
) -> None:
    settings.EFIRMA_REVOCACION = modo
    settings.EFIRMA_CRL_FILE = crl
    with pytest.raises(ImproperlyConfigured):
        revocacion_configurada()


def test_sin_revocacion_never_objects(
    ca_raiz: AutoridadCertificadora, revocado: Certificado
) -> None:
    assert codigo(SinRevocacion(), revocado, ca_raiz.certificado_der) is None


def test_stale_ocsp_answer_cannot_tell(
    iniciar_respondedor: Callable[..., Respondedor],
    ca_raiz: AutoridadCertificadora,
    vigente: Certificado,
    caplog: pytest.LogCaptureFixture,
) -> None:
    la_ca = Emitido(ca_raiz.certificado_der, ca_raiz.llave)
    directo = iniciar_respondedor(ca_raiz, la_ca, linea_indice("V", vigente))
    verificador = RevocacionOCSP(directo.url)
    assert codigo(verificador, vigente, ca_raiz.certificado_der) is None
    # The same answer seen from an hour later (nextUpdate is 5 minutes on): too old.
    with mock.patch("efirma.revocacion.datetime") as reloj:
        reloj.now.return_value = datetime.now(UTC) + timedelta(hours=1)
        assert codigo(verificador, vigente, ca_raiz.certificado_der) == ("revocacion_no_disponible")
    assert "no está vigente" in caplog.text
