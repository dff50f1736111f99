"""Runs benchmarks: ``python -m bench [nombre] [opciones]``.

``nombre`` picks ``bench/bench_<nombre>.py`` (e.g. ``tablero``); without one, every
``bench_*.py`` runs with its defaults. Each module exposes ``main(argv) -> int``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def _nombres() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def ejecutar(argv: list[str]) -> int:
    nombres = _nombres()
    if argv and not argv[0].startswith("-"):
        if argv[0] not in nombres:
            print(f"No existe bench_{argv[0]}.py; hay: {', '.join(nombres)}", file=sys.stderr)
            return 2
        return _correr(argv[0], argv[1:])
    resultado = 0
    for nombre in nombres:
        print(f"\n##### bench {nombre} #####", flush=True)
        resultado |= _correr(nombre, argv)
    return resultado


def _correr(nombre: str, argv: list[str]) -> int:
    modulo = importlib.import_module(f"bench.bench_{nombre}")
    if not hasattr(modulo, "main"):
        print(f"bench_{nombre}.py no define main(argv).", file=sys.stderr)
        return 2
    return int(modulo.main(argv))


if __name__ == "__main__":
    sys.exit(ejecutar(sys.argv[1:]))
