"""Small helpers the e.firma tests share (the fixtures are in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import rsa

from efirma import emision
from efirma.llaves import firmar

AHORA = datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Emitido:
    """A certificate the tests made and its private key."""

    der: bytes
    llave: rsa.RSAPrivateKey

    def firmar(self, mensaje: bytes) -> bytes:
        return firmar(self.llave, mensaje)


class PoolLlaves:
    """RSA keys by name, generated once per test session (generation is the slow part)."""

    def __init__(self) -> None:
        self._llaves: dict[str, rsa.RSAPrivateKey] = {}

    def __call__(self, nombre: str) -> rsa.RSAPrivateKey:
        if nombre not in self._llaves:
            self._llaves[nombre] = emision.generar_llave()
        return self._llaves[nombre]


def hace(dias: float) -> datetime:
    return AHORA - timedelta(days=dias)


def en(dias: float) -> datetime:
    return AHORA + timedelta(days=dias)


def alterar_firma(der: bytes) -> bytes:
    """The certificate with one byte of its signature (the last bytes of the DER) flipped."""
    return der[:-10] + bytes([der[-10] ^ 0x01]) + der[-9:]
