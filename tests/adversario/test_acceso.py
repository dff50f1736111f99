"""Access control for every route the URL resolver knows, not a hand-picked list.

Each route that names a request (its folio) is asked for a request of the owner by
people who must not see it, and must answer exactly as it answers for a folio that
does not exist (CONTRACT.md: missing and forbidden look identical). Anonymous visitors
are sent to a login or told 401. A route whose parameters this module cannot fill
fails the test, so a new route is never left out silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.adversario.conftest import (
    CORREO_SECRETO,
    DESCRIPCION_SECRETA,
    RESPUESTA_SECRETA,
    Escenario,
)
from tests.personas import ANALISTA_OTRA_AREA

# Routes anyone may use without logging in (the contract's public surface and the
# doors to log in). Keyed by the route as the resolver spells it.
PUBLICAS = frozenset(
    {
        "",
        "soporte/",
        "admin/login/",
        "admin/logout/",
        "acceso/",
        "acceso/reto",
        "salir/",
        "api/v1/sesion/reto",
        "api/v1/sesion",
        "api/v1/catalogo",
        "api/v1/openapi.json",
        "verificar/",
        "verificar/<slug:codigo>",
        "api/v1/verificar",
        "atencion/acceso/",
        # Load balancers and monitoring: health without login; the metrics behind their
        # own token (404 while none is configured, 401 without it).
        "salud",
        "salud/lista",
        "metricas",
    }
)

# Parameters that do not name someone's data: any plausible value will do.
VALORES_NEUTROS = {
    "servicio": "aclaracion",
    "tipo": "respuesta",
    "codigo": "ABCD1234EFGH",
    # Django admin's own routes (guarded by is_staff, which no persona here has).
    "object_id": "1",
    "id": "1",
    "pk": "1",  # django-otp's TOTP device pages in the admin
    "app_label": "promociones",
    "content_type_id": "1",
    "url": "cualquier/cosa",
}
FOLIO_DESCONOCIDO = "A-2026-999999"


def _folios(e: Escenario) -> list[str]:
    return [e.abierta.folio, e.atendida.folio]


# Parameters that name someone's data: name -> (the owner's values, an unknown value).
PARAMETROS_PROPIOS: dict[str, tuple[Callable[[Escenario], list[str]], str]] = {
    "folio": (_folios, FOLIO_DESCONOCIDO),
    "medio_id": (lambda e: [str(e.medio_id)], "987654"),
    "direccion": (lambda e: [e.correo], "nadie.desconocido@ejemplo.mx"),
    "aviso_id": (lambda e: [str(e.aviso_id)], "987654"),
}
SECRETOS = (DESCRIPCION_SECRETA, RESPUESTA_SECRETA, CORREO_SECRETO)

LOGINS = ("/acceso/", "/atencion/acceso/", "/admin/login/")
# Per-response values: tokens, and the seconds left of the asker's own session (the idle
# warning counts them from the clock, so two requests a few ms apart can straddle a
# rounding boundary; that flaked once in about 25 runs).
_ALEATORIO = re.compile(rb'(nonce|value|content|data-segundos-restantes)="[^"]*"')


def rutas(resolver: URLResolver | None = None, prefijo: str = "") -> Iterator[tuple[str, Any]]:
    """(route as written, pattern) for every URL pattern, nested includes too."""
    for patron in (resolver or get_resolver()).url_patterns:
        if isinstance(patron, URLResolver):
            yield from rutas(patron, prefijo + str(patron.pattern))
        else:
            assert isinstance(patron, URLPattern)
            yield prefijo + str(patron.pattern), patron


def parametros(patron: URLPattern) -> list[str]:
    return list(patron.pattern.regex.groupindex)


def url_de(ruta: str, patron: URLPattern, valores: dict[str, str]) -> str:
    """The path of ``ruta`` with each parameter filled; works for path() and re_path()."""
    faltan = [p for p in parametros(patron) if p not in valores]
    if faltan:
        pytest.fail(
            f"La ruta {ruta!r} recibe {faltan}, que las pruebas de acceso no saben llenar. "
            "Agrega el parámetro a VALORES_NEUTROS (si no identifica datos de nadie) o a "
            "PARAMETROS_PROPIOS (si identifica datos de alguien) en "
            "tests/adversario/test_acceso.py."
        )
    texto = ruta
    for nombre in parametros(patron):
        texto = re.sub(r"<(?:\w+:)?" + nombre + r">", valores[nombre], texto)
        texto = re.sub(r"\(\?P<" + nombre + r">[^)]*\)", valores[nombre], texto)
    # The regex routes of the admin: drop anchors and the optional slash.
    texto = texto.replace("^", "").replace("$", "").replace("/?", "/")
    return "/" + texto


def _contenido(r: Any) -> bytes:
    if getattr(r, "streaming", False):
        return b"".join(r.streaming_content)
    return bytes(r.content)


def forma(r: Any, url: str, valor: str) -> tuple[Any, ...]:
    """What an outsider could tell apart: status, type, redirect target and body (the
    path asked for, the value in it and per-response tokens masked)."""
    cuerpo = _contenido(r).replace(url.encode(), b"<url>")
    destino = r.get("Location", "").replace(url, "<url>")
    if len(valor) >= 4:  # a short id would mask unrelated digits
        cuerpo = cuerpo.replace(valor.encode(), b"<valor>")
        destino = destino.replace(valor, "<valor>")
    cuerpo = _ALEATORIO.sub(rb'\1="*"', cuerpo)
    tipo = r.get("Content-Type", "")
    if tipo.startswith("application/json") and cuerpo:
        cuerpo = json.dumps(json.loads(cuerpo), sort_keys=True).encode()
    return (r.status_code, tipo, destino, cuerpo, getattr(r, "mensajes_siguientes", ()))


def pedir(c: Client, metodo: str, url: str) -> Any:
    """One request; the messages it queued for the next page are compared with it (a
    redirect's flash message is what the person reads) and then dropped, so they cannot
    spill into the next route's comparison."""
    respuesta = _pedir(c, metodo, url)
    mensajes = c.cookies.pop("messages", None)
    respuesta.mensajes_siguientes = _mensajes(mensajes.value) if mensajes is not None else ()
    return respuesta


def _mensajes(valor: str) -> tuple[tuple[int, str], ...]:
    """The messages a cookie carries, as the person reads them: the raw value is signed
    with a timestamp, so two identical answers a second apart differ in it."""
    # Django's own reader of that cookie (django-stubs does not declare it).
    almacen: Any = CookieStorage(HttpRequest())
    leidos = almacen._decode(valor)
    assert leidos is not None, f"la cookie de mensajes no se pudo leer: {valor!r}"
    return tuple((m.level, str(m.message)) for m in leidos)


def _pedir(c: Client, metodo: str, url: str) -> Any:
    if metodo == "GET":
        return c.get(url)
    if metodo == "DELETE":
        return c.delete(url)
    # Everything a staff action or a form could want: if access control failed, the
    # action would go through and the answer would differ from the unknown folio's.
    datos = {
        "nota": "Nota de prueba",
        "dias_habiles": "5",
        "usuario": ANALISTA_OTRA_AREA.username,
        "texto": "Texto de prueba",
        "servicio": "orientacion",
        "asunto": "icsoe",
    }
    return c.post(url, datos)


def de_alguien(patron: URLPattern) -> list[str]:
    return [p for p in parametros(patron) if p in PARAMETROS_PROPIOS]


def valores_del_titular(e: Escenario) -> dict[str, str]:
    return {**VALORES_NEUTROS, **{p: f(e)[0] for p, (f, _) in PARAMETROS_PROPIOS.items()}}


def valores_desconocidos() -> dict[str, str]:
    return {**VALORES_NEUTROS, **{p: d for p, (_, d) in PARAMETROS_PROPIOS.items()}}


def test_cada_parametro_de_ruta_tiene_como_llenarse() -> None:
    for ruta, patron in rutas():
        url_de(ruta, patron, valores_desconocidos())


def test_las_rutas_publicas_de_la_tabla_existen() -> None:
    conocidas = {ruta for ruta, _ in rutas()}
    assert sorted(PUBLICAS - conocidas) == [], "quita de PUBLICAS las rutas que ya no existen"


@pytest.mark.django_db
def test_el_dueno_si_ve_su_solicitud(escenario: Escenario) -> None:
    """The outsiders' 404 below only means something if the folio is really there."""
    folio = escenario.atendida.folio
    r = escenario.dueno_api.get(f"/api/v1/solicitudes/{folio}")
    assert r.status_code == 200
    assert r.json()["descripcion"] == DESCRIPCION_SECRETA
    assert escenario.dueno_pagina.get(f"/solicitudes/{folio}/").status_code == 200
    r = escenario.dueno_api.get(f"/api/v1/solicitudes/{folio}/respuesta/documento")
    assert r.status_code == 200


@pytest.mark.django_db
def test_un_ajeno_recibe_lo_mismo_que_con_un_dato_inexistente(escenario: Escenario) -> None:
    propias = [(ruta, patron) for ruta, patron in rutas() if de_alguien(patron)]
    assert propias, "el recorrido no encontró rutas con datos de alguien"
    fallas = []
    for ruta, patron in propias:
        (parametro,) = de_alguien(patron)  # one owned value per route, so far
        del_titular, desconocido = PARAMETROS_PROPIOS[parametro]
        for persona, cliente in escenario.ajenos.items():
            for valor in del_titular(escenario):
                for metodo in ("GET", "POST", "DELETE"):
                    url = url_de(ruta, patron, {**VALORES_NEUTROS, parametro: valor})
                    url_nada = url_de(ruta, patron, {**VALORES_NEUTROS, parametro: desconocido})
                    ajena, inexistente = (
                        pedir(cliente, metodo, url),
                        pedir(cliente, metodo, url_nada),
                    )
                    cuerpo = _contenido(ajena)
                    donde = f"{metodo} {url} como {persona}"
                    if ajena.status_code in (200, 201, 204) or ajena.status_code >= 500:
                        fallas.append(f"{donde}: respondió {ajena.status_code}")
                    elif any(secreto.encode() in cuerpo for secreto in SECRETOS):
                        fallas.append(f"{donde}: mostró datos del titular")
                    elif (a := forma(ajena, url, valor)) != (
                        b := forma(inexistente, url_nada, desconocido)
                    ):
                        fallas.append(
                            f"{donde}: {ajena.status_code} en lugar de lo mismo que un dato "
                            f"inexistente ({inexistente.status_code}); {_diferencia(a, b)}"
                        )
    assert not fallas, "\n".join(fallas)


def _diferencia(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
    """Where two answers' shapes first differ, with some bytes around it on each side."""
    nombres = ("estado", "tipo", "destino", "cuerpo", "mensajes")
    for nombre, x, y in zip(nombres, a, b, strict=True):
        if x == y:
            continue
        if isinstance(x, bytes) and isinstance(y, bytes):
            pares = enumerate(zip(x, y, strict=False))
            i = next((k for k, (p, q) in pares if p != q), min(len(x), len(y)))
            d = max(0, i - 80)
            return f"{nombre} desde el byte {i}: {x[d : i + 160]!r} / {y[d : i + 160]!r}"
        return f"{nombre}: {x!r} / {y!r}"
    return "sin diferencia"


def _es_rechazo_anonimo(r: Any) -> bool:
    # A method the route never accepts says nothing about anyone's data.
    if r.status_code == 405:
        return True
    if r.status_code in (301, 302, 303):
        return r["Location"].split("?")[0] in LOGINS
    if r.status_code == 401:
        cuerpo = json.loads(r.content)
        return isinstance(cuerpo.get("codigo"), str) and isinstance(cuerpo.get("mensaje"), str)
    return False


@pytest.mark.django_db
def test_un_anonimo_solo_entra_a_rutas_publicas(escenario: Escenario) -> None:
    fallas = []
    anonimo = Client()
    for ruta, patron in rutas():
        if ruta in PUBLICAS:
            continue
        url = url_de(ruta, patron, valores_del_titular(escenario))
        for metodo in ("GET", "POST", "DELETE"):
            r = pedir(anonimo, metodo, url)
            if not _es_rechazo_anonimo(r):
                fallas.append(f"{metodo} {url}: {r.status_code} {r.get('Location', '')}")
            elif any(secreto.encode() in _contenido(r) for secreto in SECRETOS):
                fallas.append(f"{metodo} {url}: mostró datos del titular")
    assert not fallas, "\n".join(fallas)


@pytest.mark.django_db
def test_las_rutas_publicas_no_fallan_para_un_anonimo(escenario: Escenario) -> None:
    anonimo = Client()
    for ruta, patron in rutas():
        if ruta not in PUBLICAS:
            continue
        url = url_de(ruta, patron, VALORES_NEUTROS)
        for metodo in ("GET", "POST"):
            r = pedir(anonimo, metodo, url)
            assert r.status_code < 500, (metodo, url, r.status_code)


@pytest.mark.django_db
def test_un_area_ajena_en_supervision_responde_como_una_inexistente(escenario: Escenario) -> None:
    """The oversight page and API take the area in the query string, which the walk
    above does not fill: the owner's area (emisiones) asked by outsiders, the other
    area's supervisor among them, answers exactly like an area that does not exist."""
    fallas = []
    for persona, cliente in escenario.ajenos.items():
        for ruta in ("/atencion/supervision/", "/api/v1/atencion/indicadores"):
            ajena = pedir(cliente, "GET", f"{ruta}?area=emisiones")
            inexistente = pedir(cliente, "GET", f"{ruta}?area=area-inexistente")
            donde = f"{ruta}?area=emisiones como {persona}"
            # A token on the page is sent to sign in, as any page without a session.
            if ajena.status_code in (200, 201, 204) or ajena.status_code >= 500:
                fallas.append(f"{donde}: respondió {ajena.status_code}")
            elif forma(ajena, ruta, "emisiones") != forma(inexistente, ruta, "area-inexistente"):
                fallas.append(f"{donde}: {ajena.status_code} distinto de un área inexistente")
    assert not fallas, "\n".join(fallas)
