"""Personas and settings for the adversarial suite: the owner of a request, another
taxpayer, staff of another area, and an answered and an open request of the owner.

Hypothesis runs with a fixed profile (derandomized, few examples, no deadline) so CI
sees the same examples on every run and the suite stays within its time budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from atencion.services import responder
from atencion.tests.conftest import (
    RECIBIDA,
    api_contribuyente,
    api_de,
    pdf_subido,
    presentar,
    sesion_de,
)
from avisos.models import Aviso
from promociones.consultas import olvidar_asuntos
from promociones.models import Solicitud
from tests.personas import (
    ANALISTA,
    ANALISTA_OTRA_AREA,
    CONTRIBUYENTE,
    OTRO_CONTRIBUYENTE,
    crear_personal,
)

settings.register_profile(
    "adversario",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("adversario")

# Text that only the owner's requests carry: it must never reach an outsider.
DESCRIPCION_SECRETA = "Pago omitido del bimestre con referencia SECRETO-7Q4ZK."
RESPUESTA_SECRETA = "Respuesta reservada al titular: RESERVADO-9XW2M."


@pytest.fixture(autouse=True)
def entorno(settings: Any, tmp_path: Path) -> Path:
    """Files go to this test's folder; notices stay queued (no delivery thread)."""
    olvidar_asuntos()  # each test database has its own asunto ids
    carpeta = tmp_path / "archivos"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": carpeta, "base_url": None},
        },
    }
    (tmp_path / "subidas").mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "subidas")
    settings.AVISOS_EN_PROCESO = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return carpeta


def archivos_en(carpeta: Path) -> list[Path]:
    return sorted(p for p in carpeta.rglob("*") if p.is_file()) if carpeta.exists() else []


CORREO_SECRETO = "titular.secreto.7q4zk@ejemplo.mx"


def _correo_del_titular(dueno: Any) -> Any:
    from django.utils import timezone

    from contacto.models import MedioContacto

    return MedioContacto.objects.create(
        contribuyente=dueno,
        tipo=MedioContacto.Tipo.CORREO,
        valor=CORREO_SECRETO,
        creado=timezone.now(),
    )


@dataclass
class Escenario:
    """Who is who: the owner's two requests and the outsiders' clients."""

    abierta: Solicitud
    atendida: Solicitud
    dueno_api: Client
    dueno_pagina: Client
    # name -> client of a person who must not see the owner's requests
    ajenos: dict[str, Client]
    # The owner's contact e-mail (contacto.MedioContacto): its id and its address.
    medio_id: int
    correo: str
    # A failed notice of the owner's answered request (staff retry it by id).
    aviso_id: int


@pytest.fixture
def escenario(catalogo: None) -> Escenario:
    dueno = CONTRIBUYENTE.crear()
    otro = OTRO_CONTRIBUYENTE.crear()
    analista = ANALISTA.crear()
    # The other area's staff with its highest role there: a supervisor sees the most.
    ajena = crear_personal(ANALISTA_OTRA_AREA.username, {"icsoe": "supervisor"})
    abierta = presentar(dueno, descripcion=DESCRIPCION_SECRETA)
    atendida = presentar(dueno, descripcion=DESCRIPCION_SECRETA)
    responder(
        solicitud=atendida,
        actor=analista,
        texto=RESPUESTA_SECRETA,
        documento=pdf_subido(),
        momento=RECIBIDA.replace(day=3),
    )
    from promociones.tests.conftest import iniciar_sesion

    medio = _correo_del_titular(dueno)
    aviso = Aviso.objects.create(
        solicitud=atendida,
        evento="respuesta",
        canal=Aviso.Canal.SMS,
        destino="5512345678",
        texto=f"Aviso: {RESPUESTA_SECRETA}",
        estado=Aviso.Estado.FALLIDO,
        siguiente_intento=RECIBIDA,
        creado=RECIBIDA,
        ultimo_error="pasarela caída",
    )
    return Escenario(
        aviso_id=aviso.pk,
        medio_id=medio.pk,
        correo=medio.valor,
        abierta=abierta,
        atendida=Solicitud.objects.get(pk=atendida.pk),
        dueno_api=api_contribuyente(dueno),
        dueno_pagina=iniciar_sesion(Client(), dueno),
        ajenos={
            "otro contribuyente (API)": api_contribuyente(otro),
            "otro contribuyente (página)": iniciar_sesion(Client(), otro),
            "personal de otra área (API)": api_de(ajena),
            "personal de otra área (página)": sesion_de(ajena),
        },
    )
