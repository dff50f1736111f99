"""Real servers on 127.0.0.1 for the gateways to talk to: the network edge, not a mock.

``ProveedorSms`` is an HTTP SMS provider (http.server in a thread) that dedupes by
``Idempotency-Key`` as a real one does; ``caido`` makes it answer 503 for a while.
``ServidorSmtp`` is aiosmtpd keeping every message it receives.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


class ProveedorSms:
    def __init__(self, token: str = "token-de-prueba") -> None:  # noqa: S107 — a test double
        self.token = token
        self.presentaciones: Counter[str] = Counter()
        self.entregados: dict[str, dict[str, Any]] = {}
        self.cabeceras: list[dict[str, str]] = []
        self.caido = 0  # answer 503 to this many calls more
        self.cerrojo = threading.Lock()
        proveedor = self

        class Manejador(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                cuerpo = self.rfile.read(int(self.headers["Content-Length"]))
                with proveedor.cerrojo:
                    proveedor.cabeceras.append(dict(self.headers))
                    if self.headers["Authorization"] != f"Bearer {proveedor.token}":
                        return self._responder(401, {"error": "token"})
                    if proveedor.caido > 0:
                        proveedor.caido -= 1
                        return self._responder(503, {"error": "mantenimiento"})
                    clave = self.headers["Idempotency-Key"]
                    proveedor.presentaciones[clave] += 1
                    proveedor.entregados.setdefault(clave, json.loads(cuerpo))
                self._responder(200, {"id": f"http-{clave}"})

            def _responder(self, status: int, datos: dict[str, Any]) -> None:
                crudo = json.dumps(datos).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(crudo)))
                self.end_headers()
                self.wfile.write(crudo)

            def log_message(self, *args: Any) -> None:
                pass

        self.servidor = ThreadingHTTPServer(("127.0.0.1", 0), Manejador)
        self.url = f"http://127.0.0.1:{self.servidor.server_address[1]}/mensajes"
        self.hilo = threading.Thread(target=self.servidor.serve_forever, daemon=True)

    def __enter__(self) -> ProveedorSms:
        self.hilo.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.servidor.shutdown()
        self.servidor.server_close()


class _Buzon:
    def __init__(self) -> None:
        self.mensajes: list[EmailMessage] = []
        self.destinatarios: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.destinatarios.append(list(envelope.rcpt_tos))
        mensaje = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mensajes.append(mensaje)  # type: ignore[arg-type]
        return "250 OK"


class ServidorSmtp:
    def __init__(self) -> None:
        self.buzon = _Buzon()
        # aiosmtpd connects to its own port to check it started: it needs a real one.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.puerto = s.getsockname()[1]
        self.controlador = Controller(self.buzon, hostname="127.0.0.1", port=self.puerto)

    @property
    def mensajes(self) -> list[EmailMessage]:
        return self.buzon.mensajes

    def __enter__(self) -> ServidorSmtp:
        self.controlador.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controlador.stop()
