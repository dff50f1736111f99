"""The staff list: the requests of a staff member's areas, filtered and paged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from atencion import acceso
from buzon.errores import ErrorDominio
from buzon.lib.pagina import leer_pagina
from buzon.lib.texto import sin_controles
from promociones.models import Asunto, Estatus, Solicitud


@dataclass(frozen=True)
class FiltrosPersonal:
    estatus: str = ""
    asunto: str = ""  # clave
    vencidas: bool = False
    pagina: int = 1


def leer_filtros(entrada: Mapping[str, Any]) -> FiltrosPersonal:
    """The query string's filters, or ErrorDominio naming the bad one."""
    # As the taxpayer's filters (promociones.consultas): no control characters (PostgreSQL
    # refuses NUL in a text parameter) and no value longer than any clave.
    estatus = sin_controles(str(entrada.get("estatus") or "")).strip()[:30]
    if estatus and estatus not in Estatus.values:
        raise ErrorDominio("estatus_invalido")
    asunto = sin_controles(str(entrada.get("asunto") or "")).strip()[:100]
    if asunto and not Asunto.objects.filter(clave=asunto).exists():
        raise ErrorDominio("asunto_invalido")
    vencidas = str(entrada.get("vencidas") or "").strip().lower()
    if vencidas not in ("", "true", "false", "1", "0"):
        raise ErrorDominio("vencidas_invalido")
    pagina = leer_pagina(entrada.get("pagina"))
    return FiltrosPersonal(estatus, asunto, vencidas in ("true", "1"), pagina)


def solicitudes_de_personal(
    user: Any, filtros: FiltrosPersonal, *, hoy: date
) -> QuerySet[Solicitud]:
    """The requests of ``user``'s areas, the most urgent first.

    *Vencidas*: the response date is before ``hoy`` (Mexico City) and the request has
    not been answered.
    """
    consulta = acceso.solicitudes_visibles(user)
    if filtros.estatus:
        consulta = consulta.filter(estatus=filtros.estatus)
    if filtros.asunto:
        consulta = consulta.filter(asunto__clave=filtros.asunto)
    if filtros.vencidas:
        consulta = consulta.filter(respuesta_a_partir_del__lt=hoy).exclude(estatus=Estatus.ATENDIDO)
    return consulta.order_by("respuesta_a_partir_del", "id")
