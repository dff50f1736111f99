"""Each benchmark figure next to its target, and the exit status they give.

A bench states a figure with one call, which prints its row at once and keeps it::

    from bench import objetivos

    objetivos.comparar("Detalle HTML / vista mínima (sqlite)", 0.23, al_menos=0.2)
    objetivos.comparar("10 MB: mediana (sqlite, local)", 88.0, como_mucho=120, unidad=" ms")
    objetivos.informar("descarga de acuse (sqlite)", 730, unidad="/s", nota="antes 41/s")
    objetivos.omitir("200 a la vez (postgres)", "no hay PostgreSQL en 127.0.0.1:54329")

``python -m bench`` prints every row again in one table at the end (:func:`tabla`) and
exits with :func:`codigo_salida`: 1 when any figure missed its target or could not be
measured. Each row carries the machine's load average (1 minute) when it was measured, or
at the start and end of its measurement, since the same code measures slower on a busy
machine.

Nothing here imports Django or measures anything: rows in, a table and a status out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

OK = "OK"
FALLA = "FALLA"
SIN_OBJETIVO = "—"
OMITIDA = "OMITIDA"


@dataclass(frozen=True)
class Fila:
    cifra: str
    valor: str
    objetivo: str
    resultado: str  # OK, FALLA, SIN_OBJETIVO or OMITIDA
    carga: str = ""

    def texto(self) -> str:
        return " | ".join((self.cifra, self.valor, self.objetivo, self.resultado, self.carga))


# Every row of this process, in order: the runner prints them all at the end.
FILAS: list[Fila] = []


def carga_actual() -> str:
    """The machine's load average over the last minute, e.g. ``8.6``."""
    return f"{os.getloadavg()[0]:.1f}"


def cargas() -> str:
    """The load averages over 1, 5 and 15 minutes, e.g. ``8.6 9.1 7.4``."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def agregar(fila: Fila) -> Fila:
    FILAS.append(fila)
    print(f"  ▸ {fila.texto()}", flush=True)
    return fila


def _numero(valor: float, decimales: int, unidad: str) -> str:
    return f"{valor:,.{decimales}f}{unidad}"


def comparar(
    cifra: str,
    valor: float | None,
    *,
    al_menos: float | None = None,
    como_mucho: float | None = None,
    menor_que: float | None = None,
    unidad: str = "",
    decimales: int = 2,
    nota: str = "",
    carga: str | None = None,
) -> bool:
    """Records ``valor`` against exactly one bound; returns whether it is met.

    ``valor`` None means the figure could not be measured: a failure. ``nota`` follows
    the target (e.g. "medido antes"); ``carga`` defaults to the load right now.
    """
    limites = [
        (signo, limite)
        for signo, limite in (("≥", al_menos), ("≤", como_mucho), ("<", menor_que))
        if limite is not None
    ]
    if len(limites) != 1:
        raise ValueError(f"{cifra}: se necesita exactamente un objetivo (al_menos, como_mucho…)")
    signo, limite = limites[0]
    objetivo = f"{signo} {_numero(limite, decimales, unidad)}" + (f" ({nota})" if nota else "")
    if valor is None:
        cumple = False
        texto = "sin medir"
    else:
        cumple = {"≥": valor >= limite, "≤": valor <= limite, "<": valor < limite}[signo]
        texto = _numero(valor, decimales, unidad)
    agregar(
        Fila(
            cifra,
            texto,
            objetivo,
            OK if cumple else FALLA,
            carga if carga is not None else carga_actual(),
        )
    )
    return cumple


def informar(
    cifra: str,
    valor: float,
    *,
    unidad: str = "",
    decimales: int = 2,
    nota: str = "",
    carga: str | None = None,
) -> None:
    """A figure with no target (reported, never a failure); ``nota`` says what to compare it
    with, e.g. "antes 41/s"."""
    objetivo = f"sin objetivo ({nota})" if nota else "sin objetivo"
    agregar(
        Fila(
            cifra,
            _numero(valor, decimales, unidad),
            objetivo,
            SIN_OBJETIVO,
            carga if carga is not None else carga_actual(),
        )
    )


def omitir(cifra: str, motivo: str) -> None:
    """A figure not measured in this run and why (no PostgreSQL, say). Not a failure unless
    the run is strict (:func:`codigo_salida`)."""
    agregar(Fila(cifra, "no medida", motivo, OMITIDA))


def fallar(cifra: str, motivo: str, carga: str | None = None) -> None:
    """A figure whose measurement broke (errors, wrong bodies, a crash): a failure."""
    agregar(Fila(cifra, "sin medir", motivo, FALLA, carga if carga is not None else carga_actual()))


def tabla(filas: list[Fila] | None = None) -> str:
    """The rows as one aligned table: cifra | valor | objetivo | resultado | carga."""
    filas = FILAS if filas is None else filas
    encabezado = Fila("cifra", "valor", "objetivo", "resultado", "carga (1 min)")
    todas = [encabezado, *filas]
    anchos = [
        max(len(getattr(f, campo)) for f in todas)
        for campo in ("cifra", "valor", "objetivo", "resultado", "carga")
    ]

    def linea(f: Fila) -> str:
        celdas = (f.cifra, f.valor, f.objetivo, f.resultado, f.carga)
        return " | ".join(c.ljust(a) for c, a in zip(celdas, anchos, strict=True)).rstrip()

    separador = "-+-".join("-" * a for a in anchos)
    return "\n".join([linea(encabezado), separador, *(linea(f) for f in filas)])


def fallidas(filas: list[Fila] | None = None, *, estricto: bool = False) -> list[Fila]:
    filas = FILAS if filas is None else filas
    malas = {FALLA, OMITIDA} if estricto else {FALLA}
    return [f for f in filas if f.resultado in malas]


def codigo_salida(filas: list[Fila] | None = None, *, estricto: bool = False) -> int:
    """1 when a figure missed its target or broke (strict: or was left out), else 0."""
    return 1 if fallidas(filas, estricto=estricto) else 0
