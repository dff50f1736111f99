"""Requests for the acuse tests, made directly with the ORM, of the shared personas
(tests/personas.py)."""

from __future__ import annotations

import hashlib
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from acuses.models import Acuse
from atencion.models import Area
from cuentas.middleware import SESSION_INICIO
from cuentas.models import Contribuyente
from promociones.hechos import emitir_acuse
from promociones.models import Asunto, Evidencia, Servicio, Solicitud

MX = ZoneInfo("America/Mexico_City")
DESCRIPCION = "Solicito la aclaración de la emisión de cuotas del bimestre; año 2026 | ñandú."
EVIDENCIA_SHA256 = hashlib.sha256(b"evidencia").hexdigest()


def _servicio(clave: str) -> Servicio:
    datos = {
        "aclaracion": ("Aclaración", "Aclaraciones", "A", True, True, 10),
        "orientacion": ("Orientación", "Orientaciones", "O", False, False, 5),
    }[clave]
    servicio, _ = Servicio.objects.get_or_create(
        clave=clave,
        defaults={
            "nombre": datos[0],
            "nombre_plural": datos[1],
            "inicial_folio": datos[2],
            "requiere_telefono": datos[3],
            "requiere_evidencia": datos[4],
            "plazo_dias_habiles": datos[5],
        },
    )
    return servicio


def _asunto(clave: str, nombre: str) -> Asunto:
    area, _ = Area.objects.get_or_create(clave=f"area-{clave}", defaults={"nombre": nombre})
    asunto, _ = Asunto.objects.get_or_create(
        clave=clave, defaults={"nombre": nombre, "recomendaciones": "—", "area": area}
    )
    return asunto


def iniciar_sesion(cliente: Client, contribuyente: Contribuyente) -> Client:
    """force_login plus the login time cuentas.middleware needs for its 8-hour limit."""
    cliente.force_login(contribuyente.usuario)
    sesion = cliente.session
    sesion[SESSION_INICIO] = time.time()
    sesion.save()
    return cliente


@pytest.fixture
def solicitud(contribuyente: Contribuyente) -> Solicitud:
    """An Aclaración filed on a Saturday: counted from the next Monday."""
    servicio = _servicio("aclaracion")
    asunto = _asunto("emisiones", "Emisiones")
    solicitud = Solicitud.objects.create(
        folio="A-2026-000123",
        contribuyente=contribuyente,
        servicio=servicio,
        asunto=asunto,
        descripcion=DESCRIPCION,
        telefono="5512345678",
        recibida=datetime(2026, 11, 28, 10, 15, 3, 250000, tzinfo=MX),
        computo_desde=date(2026, 11, 30),
        respuesta_a_partir_del=date(2026, 12, 14),
        area=asunto.area,
    )
    Evidencia.objects.create(
        solicitud=solicitud,
        nombre_original="evidencias emisión.zip",
        bytes=9,
        sha256=EVIDENCIA_SHA256,
        archivo="evidencias/x.zip",
    )
    return solicitud


@pytest.fixture
def recepcion(solicitud: Solicitud) -> Acuse:
    return emitir_acuse(solicitud=solicitud, tipo="recepcion", momento=solicitud.recibida)


@pytest.fixture
def acuses_de_todos_los_tipos(solicitud: Solicitud, recepcion: Acuse) -> dict[str, Acuse]:
    """One acuse of each kind for the same solicitud, as the staff steps would issue them."""
    prorroga = emitir_acuse(
        solicitud=solicitud,
        tipo="prorroga",
        momento=datetime(2026, 12, 1, 12, 0, tzinfo=MX),
        extra={"nueva_fecha": date(2026, 12, 28)},
    )
    canalizacion = emitir_acuse(
        solicitud=solicitud,
        tipo="canalizacion",
        momento=datetime(2026, 12, 2, 9, 30, tzinfo=MX),
        extra={
            "servicio": _servicio("orientacion"),
            "asunto": _asunto("icsoe", "ICSOE"),
            "nueva_fecha": date(2026, 12, 9),
        },
    )
    respuesta = emitir_acuse(
        solicitud=solicitud,
        tipo="respuesta",
        momento=datetime(2026, 12, 8, 17, 45, 10, tzinfo=MX),
        extra={
            "texto": "Se corrigió la emisión; la diferencia quedó aplicada.\nAtentamente, IMSS.",
            "documento": {
                "nombre": "respuesta señalada.pdf",
                "bytes": 1234,
                "sha256": hashlib.sha256(b"documento").hexdigest(),
            },
        },
    )
    return {
        "recepcion": recepcion,
        "prorroga": prorroga,
        "canalizacion": canalizacion,
        "respuesta": respuesta,
    }
