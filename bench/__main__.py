"""Runs benchmarks: ``python -m bench [nombre] [--rapido] [--estricto] [opciones del bench]``.

``nombre`` picks ``bench/bench_<nombre>.py`` (e.g. ``tablero``) and passes it the options
that follow; without one, every ``bench_*.py`` runs with its defaults. Each module
exposes ``main(argv) -> int`` and states its figures through :mod:`bench.objetivos`.

At the end one table shows every figure next to its target (:func:`objetivos.tabla`), and
the exit status is 1 when any figure missed its target, any bench failed or crashed (a
bench that keeps its own verdict counts by its exit status), 0 otherwise.

- ``--rapido``: a short smoke run. A module that supports it names the options that make
  it short in ``RAPIDO`` (a list of arguments, put before any given here); a module
  without ``RAPIDO`` is left out of a quick run, and says so in the table.
- ``--estricto``: a figure left out (no PostgreSQL reachable, say) is a failure too: for
  the run whose figures are handed in.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from types import ModuleType

from bench import objetivos

OPCIONES_DEL_EJECUTOR = ("--rapido", "--estricto")


def _nombres() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def ejecutar(argv: list[str]) -> int:
    rapido = "--rapido" in argv
    estricto = "--estricto" in argv
    resto = [a for a in argv if a not in OPCIONES_DEL_EJECUTOR]
    nombres = _nombres()
    if resto and not resto[0].startswith("-"):
        if resto[0] not in nombres:
            print(f"No existe bench_{resto[0]}.py; hay: {', '.join(nombres)}", file=sys.stderr)
            return 2
        elegidos = [(resto[0], resto[1:])]
    elif resto:
        print(
            f"Las opciones {' '.join(resto)} son de un bench: van después de su nombre "
            "(python -m bench <nombre> …). Sin nombre solo se admiten "
            f"{' y '.join(OPCIONES_DEL_EJECUTOR)}.",
            file=sys.stderr,
        )
        return 2
    else:
        elegidos = [(n, []) for n in nombres]
    inicio = len(objetivos.FILAS)
    carga_inicio = objetivos.cargas()
    for nombre, opciones in elegidos:
        print(f"\n##### bench {nombre} #####", flush=True)
        _correr(nombre, opciones, rapido=rapido)
    return resumen(
        objetivos.FILAS[inicio:], rapido=rapido, estricto=estricto, carga_inicio=carga_inicio
    )


def _correr(nombre: str, opciones: list[str], *, rapido: bool) -> None:
    """Runs one bench; a failure its rows do not show yet becomes a row of its own."""
    cifra = f"bench {nombre}"
    try:
        modulo: ModuleType = importlib.import_module(f"bench.bench_{nombre}")
    except Exception:
        traceback.print_exc()
        objetivos.fallar(cifra, "no se pudo importar (ver arriba)")
        return
    if not hasattr(modulo, "main"):
        objetivos.fallar(cifra, f"bench_{nombre}.py no define main(argv)")
        return
    if rapido:
        corto = getattr(modulo, "RAPIDO", None)
        if corto is None:
            objetivos.omitir(cifra, "sin modo rápido (no define RAPIDO); corre sin --rapido")
            return
        opciones = [*corto, *opciones]
    marca = len(objetivos.FILAS)
    try:
        codigo = int(modulo.main(opciones) or 0)
    except SystemExit as salida:  # argparse refusing an option, or a bench giving up
        codigo = salida.code if isinstance(salida.code, int) else 1
        if not isinstance(salida.code, int) and salida.code:
            print(salida.code, file=sys.stderr)
    except Exception:
        traceback.print_exc()
        objetivos.fallar(cifra, "se interrumpió con un error (ver arriba)")
        return
    propias = objetivos.FILAS[marca:]
    if codigo != 0 and not objetivos.fallidas(propias):
        # A bench that prints its own verdict (not yet through objetivos) failed it.
        objetivos.fallar(cifra, f"terminó con código {codigo}; sus cifras, arriba")
    elif not propias:
        objetivos.agregar(
            objetivos.Fila(
                cifra,
                "código 0",
                "sus propias metas (cifras arriba)",
                objetivos.OK,
                objetivos.carga_actual(),
            )
        )


def resumen(filas: list[objetivos.Fila], *, rapido: bool, estricto: bool, carga_inicio: str) -> int:
    print("\n=== Resumen: cada cifra frente a su objetivo ===")
    if rapido:
        print("Corrida rápida (--rapido): cifras de humo, no para entregar.")
    print(
        f"Carga de la máquina (promedio 1, 5 y 15 min): al empezar {carga_inicio}, "
        f"al terminar {objetivos.cargas()}; la de cada cifra (1 min), en su fila."
    )
    print(objetivos.tabla(filas))
    malas = objetivos.fallidas(filas, estricto=estricto)
    omitidas = [f for f in filas if f.resultado == objetivos.OMITIDA]
    if omitidas and not estricto:
        print(f"{len(omitidas)} cifra(s) omitida(s); con --estricto también serían falla.")
    if malas:
        print(f"{len(malas)} cifra(s) no cumplen su objetivo: " + "; ".join(f.cifra for f in malas))
    else:
        print("Todas las cifras medidas cumplen su objetivo.")
    return objetivos.codigo_salida(filas, estricto=estricto)


if __name__ == "__main__":
    sys.exit(ejecutar(sys.argv[1:]))
