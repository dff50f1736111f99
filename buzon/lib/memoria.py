"""What a worker remembers of pages it already made: the Tablero's, the staff queue's and
Detalle's (decisions 0012 and 0017).

Each user of this keys its entries on versions the database raises in the same
transaction as every change of what the entry shows, so an entry is right for as long
as its key can be built again, and a stale one is simply never asked for; this module
only bounds how many are kept (least recently used first out) and keeps threads of one
worker from tearing the map.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memoria(Generic[V]):
    """A least-recently-used map of at most ``capacidad()`` entries (read on each use, so
    a setting changed in a test or at run time applies at once; 0 or less: remember
    nothing)."""

    def __init__(self, capacidad: Callable[[], int]) -> None:
        self._capacidad = capacidad
        self._entradas: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def recordar(self, clave: Hashable, hacer: Callable[[], V]) -> V:
        """The value remembered under ``clave``, or ``hacer()``'s, then remembered.

        Two threads missing the same key both make it; the later one is kept. Neither
        waits for the other: making a page must never hold the lock."""
        capacidad = self._capacidad()
        if capacidad <= 0:
            return hacer()
        with self._lock:
            if clave in self._entradas:
                self._entradas.move_to_end(clave)
                return self._entradas[clave]
        valor = hacer()
        with self._lock:
            self._entradas[clave] = valor
            while len(self._entradas) > capacidad:
                self._entradas.popitem(last=False)
        return valor

    def olvidar(self) -> None:
        with self._lock:
            self._entradas.clear()

    def claves(self) -> list[Hashable]:
        with self._lock:
            return list(self._entradas)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entradas)
