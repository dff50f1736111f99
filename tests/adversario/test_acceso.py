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
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.adversario.conftest import DESCRIPCION_SECRETA, RESPUESTA_SECRETA, Escenario

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
    "app_label": "promociones",
    "content_type_id": "1",
    "url": "cualquier/cosa",
}
# Parameters that name a request: filled with the owner's folio or an unknown one.
PARAMETROS_DE_SOLICITUD = frozenset({"folio"})

LOGINS = ("/acceso/", "/atencion/acceso/", "/admin/login/")
FOLIO_DESCONOCIDO = "A-2026-999999"
_ALEATORIO = re.compile(rb'(nonce|value|content)="[^"]*"')


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
            "PARAMETROS_DE_SOLICITUD (si identifica una solicitud) en "
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


def forma(r: Any, folio: str) -> tuple[Any, ...]:
    """What an outsider could tell apart: status, type, redirect target and body (the
    folio itself and per-response tokens masked)."""
    cuerpo = _contenido(r).replace(folio.encode(), b"<folio>")
    cuerpo = _ALEATORIO.sub(rb'\1="*"', cuerpo)
    tipo = r.get("Content-Type", "")
    if tipo.startswith("application/json") and cuerpo:
        cuerpo = json.dumps(json.loads(cuerpo), sort_keys=True).encode()
    destino = r.get("Location", "").replace(folio, "<folio>")
    return (r.status_code, tipo, destino, cuerpo)


def pedir(c: Client, metodo: str, url: str) -> Any:
    if metodo == "GET":
        return c.get(url)
    # Everything a staff action or a form could want: if access control failed, the
    # action would go through and the answer would differ from the unknown folio's.
    datos = {
        "nota": "Nota de prueba",
        "dias_habiles": "5",
        "usuario": "analista_icsoe",
        "texto": "Texto de prueba",
        "servicio": "orientacion",
        "asunto": "icsoe",
    }
    return c.post(url, datos)


def _clasificar() -> tuple[list[tuple[str, URLPattern]], list[tuple[str, URLPattern]]]:
    de_solicitud, resto = [], []
    for ruta, patron in rutas():
        if set(parametros(patron)) & PARAMETROS_DE_SOLICITUD:
            de_solicitud.append((ruta, patron))
        else:
            resto.append((ruta, patron))
    return de_solicitud, resto


def test_cada_parametro_de_ruta_tiene_como_llenarse() -> None:
    for ruta, patron in rutas():
        url_de(ruta, patron, {**VALORES_NEUTROS, "folio": FOLIO_DESCONOCIDO})


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
def test_un_ajeno_recibe_lo_mismo_que_con_un_folio_inexistente(escenario: Escenario) -> None:
    de_solicitud, _ = _clasificar()
    assert de_solicitud, "el recorrido no encontró rutas con folio"
    fallas = []
    for ruta, patron in de_solicitud:
        for persona, cliente in escenario.ajenos.items():
            for solicitud in (escenario.abierta, escenario.atendida):
                for metodo in ("GET", "POST"):
                    valores = {**VALORES_NEUTROS, "folio": solicitud.folio}
                    ajena = pedir(cliente, metodo, url_de(ruta, patron, valores))
                    valores["folio"] = FOLIO_DESCONOCIDO
                    inexistente = pedir(cliente, metodo, url_de(ruta, patron, valores))
                    cuerpo = _contenido(ajena)
                    donde = f"{metodo} {ruta} como {persona} ({solicitud.estatus})"
                    if ajena.status_code in (200, 201) or ajena.status_code >= 500:
                        fallas.append(f"{donde}: respondió {ajena.status_code}")
                    elif DESCRIPCION_SECRETA.encode() in cuerpo or (
                        RESPUESTA_SECRETA.encode() in cuerpo
                    ):
                        fallas.append(f"{donde}: mostró datos del titular")
                    elif forma(ajena, solicitud.folio) != forma(inexistente, FOLIO_DESCONOCIDO):
                        fallas.append(
                            f"{donde}: {ajena.status_code} {cuerpo[:120]!r} en lugar de lo "
                            f"mismo que un folio inexistente ({inexistente.status_code})"
                        )
    assert not fallas, "\n".join(fallas)


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
        url = url_de(ruta, patron, {**VALORES_NEUTROS, "folio": escenario.atendida.folio})
        for metodo in ("GET", "POST"):
            r = pedir(anonimo, metodo, url)
            if not _es_rechazo_anonimo(r):
                fallas.append(f"{metodo} {url}: {r.status_code} {r.get('Location', '')}")
            elif DESCRIPCION_SECRETA.encode() in _contenido(r):
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
