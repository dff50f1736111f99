"""The staff second factor: sign-in in two steps (password, then a TOTP code or a recovery
code), enrolment, replay, the shared limiter, the audit rows, and what a session without
a verified factor can reach."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from atencion import segundo_factor
from atencion.ingreso import PENDIENTE
from atencion.models import CodigoRecuperacion
from atencion.tests.conftest import sesion_de
from atencion.urls import urlpatterns
from cuentas.middleware import CLASE_PERSONAL, SESSION_CLASE, SESSION_INICIO
from cuentas.models import IntentoAcceso
from tests.personas import (
    ANALISTA,
    CLAVE_PERSONAL,
    codigo_nuevo,
    codigo_totp,
    dispositivo_totp,
    entrar_personal,
)

pytestmark = pytest.mark.django_db

CODIGO = "/atencion/acceso/codigo/"
ALTA = "/atencion/acceso/alta/"
# A staff page whose view is stable and cheap; the walk below covers every staff page.
PAGINA = "/atencion/avisos/"


@pytest.fixture(autouse=True)
def claves_rapidas(settings):
    """Passwords hashed fast: these tests sign in dozens of times (PBKDF2 is tested by
    Django)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def contrasena(cliente: Client, username: str = ANALISTA.username, clave: str = CLAVE_PERSONAL):
    return cliente.post("/atencion/acceso/", {"username": username, "password": clave})


def resultados() -> list[tuple[str, bool]]:
    filas = IntentoAcceso.objects.filter(canal="pers").order_by("id")
    return list(filas.values_list("resultado", "exitoso"))


def texto(r) -> str:
    return r.content.decode()


def test_the_password_alone_opens_no_session_and_the_code_does(analista):
    dispositivo = dispositivo_totp(analista)
    cliente = Client(REMOTE_ADDR="192.0.2.10")
    r = contrasena(cliente)
    assert (r.status_code, r["Location"]) == (302, CODIGO)
    assert SESSION_KEY not in cliente.session
    r = cliente.get(PAGINA)
    assert r.status_code == 302 and r["Location"].startswith("/atencion/acceso/?next=")
    assert "Código de verificación" in texto(cliente.get(CODIGO))
    r = cliente.post(CODIGO, {"codigo": codigo_totp(dispositivo)})
    assert (r.status_code, r["Location"]) == (302, "/atencion/")
    sesion = cliente.session
    assert sesion[SESSION_KEY] == str(analista.pk)
    assert sesion[DEVICE_ID_SESSION_KEY] == dispositivo.persistent_id
    assert sesion[SESSION_CLASE] == CLASE_PERSONAL
    assert PENDIENTE not in sesion
    assert cliente.get(PAGINA).status_code == 200
    assert resultados() == [("contrasena_correcta", False), ("ok", True)]
    assert set(IntentoAcceso.objects.values_list("rfc", "direccion")) == {
        ("analista", "192.0.2.10")
    }


def test_next_is_kept_through_the_code_step(analista):
    r = entrar_personal(Client(), analista, siguiente=PAGINA)
    assert (r.status_code, r["Location"]) == (302, PAGINA)


def test_a_wrong_code_is_refused_audited_and_opens_nothing(analista):
    dispositivo = dispositivo_totp(analista)
    cliente = Client()
    contrasena(cliente)
    bueno = codigo_totp(dispositivo)
    malo = f"{(int(bueno) + 1) % 1_000_000:06d}"
    r = cliente.post(CODIGO, {"codigo": malo})
    assert r.status_code == 200
    assert "El código no es correcto" in texto(r)
    assert SESSION_KEY not in cliente.session
    assert cliente.get(PAGINA).status_code == 302
    # Not even a code at all.
    dispositivo.throttle_reset()
    r = cliente.post(CODIGO, {"codigo": "12345"})
    assert "El código no es correcto" in texto(r)
    assert resultados() == [
        ("contrasena_correcta", False),
        ("codigo_invalido", False),
        ("codigo_invalido", False),
    ]


def test_django_otp_refuses_a_code_of_a_time_step_already_used(analista):
    """TOTPDevice keeps the last accepted step (last_t) and accepts only later ones."""
    dispositivo = dispositivo_totp(analista)
    codigo = codigo_totp(dispositivo)
    assert dispositivo.verify_token(codigo) is True
    paso = dispositivo.last_t
    ahora = (int(time.time()) - dispositivo.t0) // dispositivo.step
    assert paso in (ahora - 1, ahora)  # the step may have turned since the code was made
    dispositivo.throttle_reset()
    assert dispositivo.verify_token(codigo) is False
    assert TOTPDevice.objects.get(pk=dispositivo.pk).last_t == paso


def test_a_replayed_code_is_refused_with_its_own_message_and_audit_row(analista):
    dispositivo = dispositivo_totp(analista)
    codigo = codigo_totp(dispositivo)
    primero = Client()
    contrasena(primero)
    assert primero.post(CODIGO, {"codigo": codigo}).status_code == 302
    # Someone who saw the code (and knows the password) tries it in the same 30 seconds.
    segundo = Client()
    contrasena(segundo)
    r = segundo.post(CODIGO, {"codigo": codigo})
    assert r.status_code == 200
    assert "Ese código ya se usó" in texto(r)
    assert SESSION_KEY not in segundo.session
    assert resultados()[-1] == ("codigo_repetido", False)
    # The next step's code, once django-otp's one-second back-off has passed, is accepted.
    time.sleep(1.1)
    r = segundo.post(CODIGO, {"codigo": codigo_nuevo(dispositivo)})
    assert r.status_code == 302


def test_a_code_right_after_a_wrong_one_waits_for_the_back_off(analista):
    dispositivo = dispositivo_totp(analista)
    cliente = Client()
    contrasena(cliente)
    cliente.post(CODIGO, {"codigo": "000000" if codigo_totp(dispositivo) != "000000" else "1"})
    r = cliente.post(CODIGO, {"codigo": codigo_totp(dispositivo)})
    assert "Espera unos segundos" in texto(r)
    assert resultados()[-1] == ("codigo_en_espera", False)
    assert SESSION_KEY not in cliente.session


def test_a_recovery_code_signs_in_once_and_is_stored_hashed(analista):
    dispositivo_totp(analista)
    codigos = segundo_factor.nuevos_codigos_recuperacion(analista)
    assert len(codigos) == len(set(codigos)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", c) for c in codigos)
    guardado = " ".join(
        " ".join(fila) for fila in CodigoRecuperacion.objects.values_list("sal", "huella")
    )
    for codigo in codigos:
        assert codigo.replace("-", "") not in guardado
    cliente = Client()
    contrasena(cliente)
    # As a person types it from paper: lower case, spaces instead of hyphens.
    r = cliente.post(CODIGO, {"codigo": codigos[3].lower().replace("-", " ")})
    assert (r.status_code, r["Location"]) == (302, "/atencion/")
    assert cliente.get(PAGINA).status_code == 200
    assert segundo_factor.codigos_disponibles(analista) == 9
    otro = Client()
    contrasena(otro)
    r = otro.post(CODIGO, {"codigo": codigos[3]})
    assert "no es válido o ya se usó" in texto(r)
    assert SESSION_KEY not in otro.session
    assert resultados() == [
        ("contrasena_correcta", False),
        ("ok_recuperacion", True),
        ("contrasena_correcta", False),
        ("recuperacion_invalida", False),
    ]


def test_new_recovery_codes_replace_the_old_ones(analista):
    dispositivo = dispositivo_totp(analista)
    viejos = segundo_factor.nuevos_codigos_recuperacion(analista)
    staff = sesion_de(analista)
    r = staff.get("/atencion/codigos-de-recuperacion/")
    assert r.status_code == 200
    assert re.search(r'data-testid="codigos-disponibles">10<', texto(r))
    r = staff.post("/atencion/codigos-de-recuperacion/", {"codigo": codigo_nuevo(dispositivo)})
    assert r.status_code == 200
    assert r["Cache-Control"].startswith("max-age=0") or "no-store" in r["Cache-Control"]
    nuevos = re.findall(r"<code>([A-Z2-9-]{19})</code>", texto(r))
    assert len(nuevos) == 10 and not set(nuevos) & set(viejos)
    cliente = Client()
    contrasena(cliente)
    assert "no es válido" in texto(cliente.post(CODIGO, {"codigo": viejos[0]}))
    time.sleep(1.1)  # django-otp's back-off after the refused code
    assert cliente.post(CODIGO, {"codigo": nuevos[0]}).status_code == 302


def _paginas_del_personal(folio: str) -> list[str]:
    """Every staff page of atencion/urls.py (the API has tokens; sign-in is public)."""
    valores = {"folio": folio, "aviso_id": "1", "tipo": "recepcion"}
    paginas = []
    for patron in urlpatterns:
        assert isinstance(patron, URLPattern)
        ruta = str(patron.pattern)
        if not ruta.startswith("atencion/") or ruta.startswith("atencion/acceso/"):
            continue
        for nombre, valor in valores.items():
            ruta = re.sub(r"<(?:\w+:)?" + nombre + ">", valor, ruta)
        assert "<" not in ruta, ruta
        paginas.append("/" + ruta)
    return paginas


def _sin_factor(usuario, *, dispositivo=None) -> Client:
    """A session of ``usuario`` signed in without the second factor (or, with
    ``dispositivo``, claiming that device) and otherwise as a staff sign-in leaves it."""
    cliente = Client()
    cliente.force_login(usuario)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time()
    sesion[SESSION_CLASE] = CLASE_PERSONAL
    if dispositivo is not None:
        sesion[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id
    sesion.save()
    return cliente


def test_no_staff_page_answers_a_session_without_a_verified_second_factor(analista, solicitud):
    paginas = _paginas_del_personal(solicitud.folio)
    assert len(paginas) >= 10 and PAGINA in paginas
    dispositivo = dispositivo_totp(analista)
    pendiente = TOTPDevice.objects.create(user=analista, name="a medias", confirmed=False)
    otro = TOTPDevice.objects.create(user=solicitud.contribuyente.usuario, confirmed=True)
    sesiones = {
        "sin factor": _sin_factor(analista),
        "dispositivo sin confirmar": _sin_factor(analista, dispositivo=pendiente),
        "dispositivo de otra persona": _sin_factor(analista, dispositivo=otro),
    }
    # A verified session whose device was removed since (a lost phone) loses access.
    quitado = sesion_de(analista)
    assert quitado.get(PAGINA).status_code == 200
    sesiones["dispositivo quitado"] = quitado
    dispositivo.delete()
    fallas = []
    for nombre, cliente in sesiones.items():
        for pagina in paginas:
            for metodo in (cliente.get, cliente.post):
                r = metodo(pagina)
                destino = r.get("Location", "")
                if r.status_code != 405 and not (
                    r.status_code == 302 and destino.startswith("/atencion/acceso/?next=")
                ):
                    fallas.append(f"{nombre}: {metodo.__name__} {pagina} → {r.status_code}")
    assert not fallas, "\n".join(fallas)


def test_enrolment_shows_a_qr_code_the_secret_and_uri_and_confirms_with_a_first_code(analista):
    cliente = Client()
    r = contrasena(cliente)
    assert (r.status_code, r["Location"]) == (302, ALTA)
    # No device yet: the code step sends to enrolment, and no staff page opens.
    assert cliente.get(CODIGO)["Location"] == ALTA
    r = cliente.get(ALTA)
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    html = texto(r)
    dispositivo = TOTPDevice.objects.get(user=analista)
    assert dispositivo.confirmed is False
    secreto = segundo_factor.secreto(dispositivo)
    assert f'data-testid="secreto-alta">{secreto}<' in html
    uri = re.search(r'data-testid="uri-alta">([^<]+)<', html)
    assert uri is not None
    assert uri.group(1).replace("&amp;", "&") == segundo_factor.uri(dispositivo)
    assert "<svg" in html
    assert cliente.get(PAGINA).status_code == 302
    # A session that claims the unconfirmed device reaches nothing either.
    assert _sin_factor(analista, dispositivo=dispositivo).get(PAGINA).status_code == 302
    # Reloading shows the same secret.
    assert secreto in texto(cliente.get(ALTA))
    r = cliente.post(ALTA, {"codigo": codigo_totp(dispositivo)})
    assert r.status_code == 200
    codigos = re.findall(r"<code>([A-Z2-9-]{19})</code>", texto(r))
    assert len(codigos) == 10
    assert "no-store" in r["Cache-Control"]
    dispositivo.refresh_from_db()
    assert dispositivo.confirmed is True
    assert cliente.session[DEVICE_ID_SESSION_KEY] == dispositivo.persistent_id
    assert cliente.get(PAGINA).status_code == 200
    assert resultados() == [("contrasena_correcta", False), ("alta_confirmada", True)]
    # From now on the password leads to the code step, and a recovery code works there.
    otro = Client()
    assert contrasena(otro)["Location"] == CODIGO
    assert otro.post(CODIGO, {"codigo": codigos[0]}).status_code == 302


def test_the_enrolment_qr_code_reads_back_as_the_otpauth_uri(analista):
    import zxingcpp
    from PIL import Image

    cliente = Client()
    contrasena(cliente)
    html = texto(cliente.get(ALTA))
    encontrado = re.search(r"<svg.*?</svg>", html, re.S)
    assert encontrado is not None
    svg = encontrado.group(0)
    assert 'style="' not in svg
    caja = re.search(r'viewBox="0 0 (\d+) \d+"', svg)
    assert caja is not None
    lado = int(caja.group(1))
    imagen = Image.new("L", (lado * 8, lado * 8), 255)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        imagen.paste(0, (int(x) * 8, int(y) * 8, int(x) * 8 + 8, int(y) * 8 + 8))
    leidos = zxingcpp.read_barcodes(imagen)
    assert [c.text for c in leidos] == [segundo_factor.uri(TOTPDevice.objects.get(user=analista))]


def test_the_otpauth_uri_is_standard_and_its_codes_are_the_devices(analista):
    dispositivo = dispositivo_totp(analista)
    uri = segundo_factor.uri(dispositivo)
    partes = urlsplit(uri)
    assert (partes.scheme, partes.netloc) == ("otpauth", "totp")
    assert partes.path == "/Buz%C3%B3n%20IMSS:analista"
    assert unquote(partes.path) == "/Buzón IMSS:analista"
    p = {k: v[0] for k, v in parse_qs(partes.query).items()}
    assert p == {
        "secret": p["secret"],
        "issuer": "Buzón IMSS",
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
    }
    assert re.fullmatch(r"[A-Z2-7]{32}", p["secret"])  # 20 bytes, base32, no padding
    import base64

    clave = base64.b32decode(p["secret"])
    assert f"{totp(clave):06d}" == codigo_totp(dispositivo)


def test_each_sign_in_enrols_with_a_secret_of_its_own(analista):
    """Whoever else knows the password never sees the secret the owner confirms."""
    dueno, intruso = Client(), Client()
    contrasena(dueno)
    dueno.get(ALTA)
    primero = TOTPDevice.objects.get(user=analista)
    contrasena(intruso)
    intruso.get(ALTA)
    segundo = TOTPDevice.objects.get(user=analista)
    assert segundo.pk != primero.pk and segundo.key != primero.key
    # The owner's page was replaced: a code of the old secret confirms nothing, and the
    # page shows a new secret (which replaces the other sign-in's in turn).
    r = dueno.post(ALTA, {"codigo": codigo_totp(primero)})
    assert "ya no es válido" in texto(r)
    assert not TOTPDevice.objects.filter(user=analista, confirmed=True).exists()
    tercero = TOTPDevice.objects.get(user=analista)
    assert segundo_factor.secreto(tercero) in texto(r)
    assert dueno.post(ALTA, {"codigo": codigo_totp(tercero)}).status_code == 200
    # Once one enrolment is confirmed, the other cannot confirm a second device.
    r = intruso.post(ALTA, {"codigo": codigo_totp(segundo)})
    assert (r.status_code, r["Location"]) == (302, CODIGO)
    assert list(TOTPDevice.objects.filter(user=analista).values_list("pk", "confirmed")) == [
        (tercero.pk, True)
    ]


def test_wrong_codes_and_passwords_share_the_limit_then_429(analista, settings):
    settings.ACCESO_MAX_FALLOS = 4
    dispositivo = dispositivo_totp(analista)
    cliente = Client(REMOTE_ADDR="192.0.2.20")
    contrasena(cliente, clave="mala")
    contrasena(cliente, clave="mala")
    contrasena(cliente)
    for _ in range(2):
        dispositivo.throttle_reset()
        cliente.post(CODIGO, {"codigo": "000000" if codigo_totp(dispositivo) != "000000" else "1"})
    dispositivo.throttle_reset()
    r = cliente.post(CODIGO, {"codigo": codigo_totp(dispositivo)})
    assert r.status_code == 429
    assert "Demasiados intentos" in texto(r)
    assert SESSION_KEY not in cliente.session
    # The right password from there is locked too: one limit for both steps.
    assert contrasena(cliente).status_code == 429
    assert resultados() == [
        ("credenciales_invalidas", False),
        ("credenciales_invalidas", False),
        ("contrasena_correcta", False),
        ("codigo_invalido", False),
        ("codigo_invalido", False),
        ("demasiados_intentos", False),
        ("demasiados_intentos", False),
    ]
    # Another address is not locked.
    assert entrar_personal(Client(REMOTE_ADDR="192.0.2.21"), analista).status_code == 302


def test_the_code_step_is_only_for_a_recent_right_password(analista):
    dispositivo = dispositivo_totp(analista)
    assert Client().get(CODIGO)["Location"] == "/atencion/acceso/"
    assert Client().post(ALTA, {"codigo": "123456"})["Location"] == "/atencion/acceso/"
    # Five minutes after the password, the code step starts over.
    cliente = Client()
    contrasena(cliente)
    sesion = cliente.session
    sesion[PENDIENTE] = {**sesion[PENDIENTE], "desde": time.time() - 5 * 60 - 1}
    sesion.save()
    r = cliente.post(CODIGO, {"codigo": codigo_totp(dispositivo)})
    assert (r.status_code, r["Location"]) == (302, "/atencion/acceso/")
    assert PENDIENTE not in cliente.session and SESSION_KEY not in cliente.session
    # A password changed (or an account deactivated) meanwhile voids the pending step.
    cliente = Client()
    contrasena(cliente)
    analista.set_password("otra-clave-distinta-456")
    analista.save()
    r = cliente.post(CODIGO, {"codigo": codigo_totp(dispositivo)})
    assert r["Location"] == "/atencion/acceso/"
    assert SESSION_KEY not in cliente.session
    assert dispositivo.__class__.objects.get(pk=dispositivo.pk).last_t == -1


def test_staff_sessions_last_30_idle_minutes_and_10_hours(analista):
    from cuentas.models import Sesion

    cliente = Client()
    r = entrar_personal(cliente, analista)
    assert r.status_code == 302
    cookie = r.cookies["sesion"]
    assert not cookie["max-age"] and not cookie["expires"]  # ends with the browser
    fila = Sesion.objects.get(session_key=cliente.session.session_key)
    restante = fila.expire_date - timezone.now()
    assert timedelta(minutes=29) < restante <= timedelta(minutes=30)
    # 20 idle minutes: a taxpayer's session would be gone, a staff session is not.
    Sesion.objects.filter(pk=fila.pk).update(expire_date=timezone.now() + timedelta(minutes=10))
    assert cliente.get(PAGINA).status_code == 200
    Sesion.objects.filter(pk=fila.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert cliente.get(PAGINA).status_code == 302
    # Absolute: 10 hours after sign-in, however active.
    for edad, estado in ((10 * 3600 - 60, 200), (10 * 3600 + 1, 302)):
        cliente = sesion_de(analista)
        sesion = cliente.session
        sesion[SESSION_INICIO] = time.time() - edad
        sesion.save()
        assert cliente.get(PAGINA).status_code == estado, edad


def test_taxpayer_sessions_keep_15_idle_minutes_and_8_hours(contribuyente):
    from cuentas.models import Sesion
    from promociones.tests.conftest import iniciar_sesion

    cliente = iniciar_sesion(Client(), contribuyente)
    assert cliente.get("/tablero/").status_code == 200
    fila = Sesion.objects.get(session_key=cliente.session.session_key)
    restante = fila.expire_date - timezone.now()
    assert timedelta(minutes=14) < restante <= timedelta(minutes=15)
    assert SESSION_CLASE not in cliente.session
    for edad, estado in ((8 * 3600 - 60, 200), (8 * 3600 + 1, 302)):
        cliente = iniciar_sesion(Client(), contribuyente)
        sesion = cliente.session
        sesion[SESSION_INICIO] = time.time() - edad
        sesion.save()
        assert cliente.get("/tablero/").status_code == estado, edad


def test_taxpayer_and_staff_sessions_grant_each_other_nothing(contribuyente, analista, solicitud):
    from promociones.tests.conftest import iniciar_sesion

    del_contribuyente = iniciar_sesion(Client(), contribuyente)
    for pagina in _paginas_del_personal(solicitud.folio):
        for metodo in (del_contribuyente.get, del_contribuyente.post):
            assert metodo(pagina).status_code in (403, 405), pagina
    # Even a taxpayer session made to look verified, with a device of the taxpayer's own.
    dispositivo = TOTPDevice.objects.create(user=contribuyente.usuario, confirmed=True)
    sesion = del_contribuyente.session
    sesion[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id
    sesion[SESSION_CLASE] = CLASE_PERSONAL
    sesion.save()
    assert del_contribuyente.get(PAGINA).status_code == 403
    personal = sesion_de(analista)
    assert personal.get(PAGINA).status_code == 200
    for pagina in ("/tablero/", f"/solicitudes/{solicitud.folio}/", "/medios/"):
        r = personal.get(pagina)
        assert r.status_code in (403, 404), pagina
        assert solicitud.descripcion not in texto(r)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_code_sent_eight_times_at_once_signs_in_once(analista):
    """The device row is locked while a code is checked (SQLite: IMMEDIATE transactions;
    PostgreSQL: SELECT … FOR UPDATE); a recovery code is spent by a conditional update."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    dispositivo = dispositivo_totp(analista)
    recuperacion = segundo_factor.nuevos_codigos_recuperacion(analista)[0]
    for codigo in (codigo_totp(dispositivo), recuperacion):
        clientes = [Client(REMOTE_ADDR=f"192.0.2.{40 + n}") for n in range(8)]
        for cliente in clientes:
            assert contrasena(cliente)["Location"] == CODIGO

        def una(cliente: Client, codigo: str = codigo) -> int:
            try:
                return cliente.post(CODIGO, {"codigo": codigo}).status_code
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=8) as hilos:
            estados = list(hilos.map(una, clientes))
        assert sorted(estados) == [200] * 7 + [302], codigo
        dispositivo.throttle_reset()


def test_new_recovery_codes_need_a_fresh_code_not_just_the_open_session(analista):
    dispositivo = dispositivo_totp(analista)
    viejos = segundo_factor.nuevos_codigos_recuperacion(analista)
    staff = sesion_de(analista)
    ruta = "/atencion/codigos-de-recuperacion/"
    for enviado in ({}, {"codigo": "000000"}, {"codigo": "ABCD-EFGH-JKLM-NPQR"}):
        r = staff.post(ruta, enviado)
        assert r.status_code == 200
        assert 'data-testid="error-codigo"' in texto(r)
        assert "<code>" not in texto(r)  # no new codes
        dispositivo.refresh_from_db()
        dispositivo.throttle_reset()  # django-otp's back-off after a refused code
    # The old codes still work: nothing was replaced.
    assert segundo_factor.verificar(analista, viejos[0]).aceptado
    filas = list(
        IntentoAcceso.objects.filter(rfc=analista.username).values_list("resultado", flat=True)
    )
    assert filas.count("codigo_invalido") >= 2
    r = staff.post(ruta, {"codigo": codigo_nuevo(dispositivo)})
    assert len(re.findall(r"<code>([A-Z2-9-]{19})</code>", texto(r))) == 10
    assert IntentoAcceso.objects.filter(
        rfc=analista.username, resultado="codigos_renovados"
    ).exists()
    # A recovery code works too (no phone at hand), and is spent.
    ultimo = re.findall(r"<code>([A-Z2-9-]{19})</code>", texto(r))[0]
    r = staff.post(ruta, {"codigo": ultimo})
    assert len(re.findall(r"<code>([A-Z2-9-]{19})</code>", texto(r))) == 10
