"""Each speed trick measured with and without, interleaved in the same process.

``.venv/bin/python -m bench trucos [--motores sqlite,postgres] [--rondas 7] [--veces 200]``

Uses the Tablero's bench database (``bench_tablero`` seeds it; run that first) and the
same taxpayer. For every round, each variant serves ``--veces`` requests through
Django's test client after a short warm-up; the variants alternate within the round,
so a machine busy with other work slows both sides of a comparison alike. Printed: the
median over rounds of each variant's median, in milliseconds, and the queries made.

Tricks (decision 0012):
- ``sesión``: the session read joined to its user and taxpayer (``cuentas.sesiones``)
  against Django's own engine and ``AuthenticationMiddleware`` on the same table;
- ``memoria``: Tablero pages remembered by version (``BUZON_TABLERO_PAGINAS``) or not,
  and what reading that version costs;
- ``conteo``: the unfiltered total from ``ConteoSolicitudes`` (triggers) or a COUNT;
- ``preparadas``: PostgreSQL prepared statements (``BUZON_PG_PREPARAR_TRAS``) or not;
- ``filas``: the Tablero's rows built in Python (``promociones.tablero``) or by a Jinja2
  loop in the template engine the pages use.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.bench_tablero import FILTRO, MOTORES, PG_URL, RAIZ, RUTA_MINIMA, _entorno

MIDDLEWARE_PROPIO = "cuentas.middleware.Autenticacion"
MIDDLEWARE_DJANGO = "django.contrib.auth.middleware.AuthenticationMiddleware"


def _argumentos(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench trucos")
    p.add_argument("--motores", default=",".join(MOTORES))
    p.add_argument("--rondas", type=int, default=7)
    p.add_argument("--veces", type=int, default=200)
    p.add_argument("--ajustes", default="bench.settings_bench")
    p.add_argument("--pg-url", default=PG_URL)
    p.add_argument("--hijo", choices=MOTORES, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _argumentos(argv)
    if args.hijo:
        return _hijo(args)
    resultado = 0
    pasados = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "trucos"]
    for motor in [m.strip() for m in args.motores.split(",") if m.strip()]:
        print(f"\n=== {motor} ===", flush=True)
        orden = [sys.executable, "-m", "bench.bench_trucos", *pasados, "--hijo", motor]
        entorno = _entorno(motor, args)
        r = subprocess.run(orden, env=entorno, cwd=RAIZ, timeout=1800, check=False)
        resultado |= r.returncode
    return resultado


def _mediana_ms(hacer: Callable[[], Any], veces: int) -> float:
    for _ in range(10):
        hacer()
    tiempos = []
    for _ in range(veces):
        inicio = time.perf_counter()
        hacer()
        tiempos.append(time.perf_counter() - inicio)
    return statistics.median(tiempos) * 1000


def _hijo(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from bench.sembrar import RFC_PROPIO
    from cuentas.middleware import SESSION_INICIO
    from cuentas.models import Contribuyente
    from promociones import consultas, tablero
    from promociones.models import ConteoSolicitudes, Solicitud

    contribuyente = Contribuyente.objects.select_related("usuario").get(rfc=RFC_PROPIO)
    if not Solicitud.objects.filter(contribuyente=contribuyente).exists():
        print("La base del tablero no está sembrada: corre antes `python -m bench tablero`.")
        return 2
    ruta = reverse("promociones:tablero")

    def cliente_para() -> Client:
        cliente = Client()
        cliente.force_login(contribuyente.usuario)
        sesion = cliente.session
        sesion[SESSION_INICIO] = time.time()
        sesion.save()
        return cliente

    propio = cliente_para()
    # Django's own engine and middleware over the same table: a fresh client whose
    # handler loads its middleware under these settings, and keeps it.
    middleware = [MIDDLEWARE_DJANGO if m == MIDDLEWARE_PROPIO else m for m in settings.MIDDLEWARE]
    with override_settings(SESSION_ENGINE="bench.sesion_django", MIDDLEWARE=middleware):
        django_cliente = cliente_para()
        django_cliente.get(RUTA_MINIMA)

    capacidad = settings.BUZON_TABLERO_PAGINAS

    def pedir(cliente: Client, destino: str, datos: dict[str, str], memoria: str) -> Any:
        """``memoria``: "sí" (pages remembered), "nueva" (remembered, but this one not
        yet: the first view after a change) or "no" (BUZON_TABLERO_PAGINAS=0)."""

        def hacer() -> Any:
            if memoria == "nueva":
                consultas.olvidar_paginas()
            elif memoria == "no":
                settings.BUZON_TABLERO_PAGINAS = 0
            try:
                return cliente.get(destino, datos)
            finally:
                settings.BUZON_TABLERO_PAGINAS = capacidad

        return hacer

    variantes: dict[str, Callable[[], Any]] = {
        "mínima anónima": pedir(Client(), RUTA_MINIMA, {}, "sí"),
        "mínima con sesión · sesión propia": pedir(propio, RUTA_MINIMA, {}, "sí"),
        "mínima con sesión · sesión de Django": pedir(django_cliente, RUTA_MINIMA, {}, "sí"),
        "tablero · sesión propia": pedir(propio, ruta, {}, "sí"),
        "tablero · sesión de Django": pedir(django_cliente, ruta, {}, "sí"),
        "tablero · con memoria": pedir(propio, ruta, {}, "sí"),
        "tablero · memoria, página nueva": pedir(propio, ruta, {}, "nueva"),
        "tablero · sin memoria": pedir(propio, ruta, {}, "no"),
        "filtrada · con memoria": pedir(propio, ruta, FILTRO, "sí"),
        "filtrada · memoria, página nueva": pedir(propio, ruta, FILTRO, "nueva"),
        "filtrada · sin memoria": pedir(propio, ruta, FILTRO, "no"),
    }
    for nombre, hacer in variantes.items():
        r = hacer()
        assert r.status_code == 200, (nombre, r.status_code)
        with CaptureQueriesContext(connection) as q:
            hacer()
        print(f"{nombre:<40} consultas {len(q)}", flush=True)

    # The unfiltered total: the triggers' counter against counting the taxpayer's rows.
    tabla_conteo = ConteoSolicitudes._meta.db_table
    tabla = Solicitud._meta.db_table
    sql_conteo = {
        "conteo · de ConteoSolicitudes": f"SELECT COALESCE((SELECT total FROM {tabla_conteo}"  # noqa: S608
        " WHERE contribuyente_id = %s), 0)",
        "conteo · COUNT(*)": f"SELECT COUNT(*) FROM {tabla} s WHERE s.contribuyente_id = %s",  # noqa: S608
    }

    def consulta(sql: str) -> Callable[[], Any]:
        def hacer() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, [contribuyente.pk])
                return cursor.fetchone()

        return hacer

    for nombre, sql in sql_conteo.items():
        variantes[nombre] = consulta(sql)
    # What the Tablero pays to know whether a remembered page is current, now that the
    # version no longer rides on the session's query.
    variantes["versión · su propia consulta"] = lambda: consultas._version(contribuyente.pk)

    # The rows: built in Python, or by a Jinja2 loop with the same output.
    from jinja2 import Environment

    env = Environment(autoescape=True)
    plantilla = env.from_string(
        "{% for folio, servicio, asunto, recibida, respuesta, estatus, fecha in filas %}"
        '{% if not loop.first %}\n{% endif %}<tr><td><a href="{{ prefijo }}{{ folio }}/" '
        'aria-label="Detalle de la solicitud {{ folio }}">'
        'Detalle</a></td><td class="folio">{{ folio }}</td><td>{{ servicio }}</td>'
        "<td>{{ asunto }}</td><td>{{ momento(recibida) }}</td><td>{{ fecha_(respuesta) }}"
        "</td><td>{{ estatus_texto.get(estatus, estatus) }}</td><td>{{ fecha_(fecha) }}</td>"
        "</tr>{% endfor %}"
    )
    _, filas = consultas.pagina_del_tablero(contribuyente.pk, consultas.Filtros())
    contexto = {
        "filas": filas,
        "prefijo": tablero._prefijo_detalle(),
        "momento": tablero._momento,
        "fecha_": tablero._fecha,
        "estatus_texto": tablero._ESTATUS_TEXTO,
    }
    if plantilla.render(contexto) != tablero._cuerpo(filas):
        print("La plantilla Jinja2 no da el mismo HTML que promociones.tablero.", flush=True)
        return 1
    variantes["filas · en Python"] = lambda: tablero._cuerpo(filas)
    variantes["filas · bucle Jinja2"] = lambda: plantilla.render(contexto)

    preparadas = connection.vendor == "postgresql"
    opciones = dict(settings.DATABASES["default"].get("OPTIONS", {}))

    def con_opciones(nuevas: dict[str, Any], hacer: Callable[[], Any]) -> Callable[[], Any]:
        def envuelta() -> Any:
            return hacer()

        envuelta.opciones = nuevas  # type: ignore[attr-defined]
        return envuelta

    if preparadas:
        sin = {k: v for k, v in opciones.items() if k not in ("prepare_threshold",)}
        sin["server_side_binding"] = False
        sin["prepare_threshold"] = None
        for base in ("mínima con sesión · sesión propia", "tablero · sin memoria"):
            variantes[f"{base} · preparadas"] = con_opciones(opciones, variantes[base])
            variantes[f"{base} · sin preparar"] = con_opciones(sin, variantes[base])

    rondas: dict[str, list[float]] = {n: [] for n in variantes}
    for ronda in range(args.rondas):
        for nombre, hacer in variantes.items():
            nuevas = getattr(hacer, "opciones", None)
            if nuevas is not None:
                connection.close()
                connection.settings_dict["OPTIONS"] = nuevas
            rondas[nombre].append(_mediana_ms(hacer, args.veces))
            if nuevas is not None:
                connection.close()
                connection.settings_dict["OPTIONS"] = opciones
        print(f"ronda {ronda + 1}/{args.rondas}", flush=True)
    print(f"\n{connection.vendor}: mediana de {args.rondas} rondas ({args.veces} c/u)")
    for nombre, valores in rondas.items():
        print(f"  {nombre:<50} {statistics.median(valores):7.3f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
