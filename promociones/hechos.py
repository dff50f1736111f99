"""The facts each acuse of a solicitud attests, gathered from the request's own records.

The acuses app seals and renders facts; which facts a step of a request attests is the
request's business, so it is decided here and handed to :func:`acuses.services.emitir`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from acuses.models import Acuse
from acuses.sello import Sellador
from acuses.services import emitir
from buzon.lib import cadena as cadena_lib
from promociones.models import Evidencia, Solicitud


def _nombre(valor: Any) -> str:
    """A catalog entry's name (Servicio, Asunto) or the text given."""
    return str(getattr(valor, "nombre", valor) or "")


def _archivo(datos: Mapping[str, Any], que: str) -> dict[str, Any]:
    try:
        nombre, tamano, sha256 = datos["nombre"], datos["bytes"], datos["sha256"]
    except (KeyError, TypeError):
        raise ValueError(f"{que} necesita nombre, bytes y sha256") from None
    return {"nombre": str(nombre), "bytes": int(tamano), "sha256": str(sha256).lower()}


def _requerido(extra: Mapping[str, Any], clave: str, tipo: str) -> Any:
    if extra.get(clave) in (None, ""):
        raise ValueError(f"el acuse de {tipo} necesita extra[{clave!r}]")
    return extra[clave]


def _evidencia(solicitud: Solicitud) -> Evidencia | None:
    # The filing that just saved the row (or knew there was none) left it cached on the
    # request (a one-to-one): read there, it costs no query while the folio counter is
    # locked.
    if Solicitud.evidencia.is_cached(solicitud):
        evidencia = Solicitud.evidencia.related.get_cached_value(solicitud)
        return evidencia if isinstance(evidencia, Evidencia) else None
    return Evidencia.objects.filter(solicitud=solicitud).first()


def _fecha_anterior(extra: Mapping[str, Any], solicitud: Solicitud, nueva: date) -> str:
    # Callers may issue before or after moving the solicitud's date; when the solicitud
    # already holds the new date and no previous one was given, there is none to state.
    anterior = extra.get("fecha_anterior")
    if anterior is None and solicitud.respuesta_a_partir_del != nueva:
        anterior = solicitud.respuesta_a_partir_del
    return cadena_lib.fecha(anterior)


def reunir_hechos(
    *,
    solicitud: Solicitud,
    tipo: str,
    momento: datetime,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The facts an acuse of kind ``tipo`` attests, as JSON-ready values.

    ``extra`` by kind (the staff transitions pass it; recepción needs none):

    - prorroga: ``nueva_fecha`` (date), optional ``fecha_anterior`` (date).
    - canalizacion: ``servicio`` and ``asunto`` (the new ones: models or names),
      ``nueva_fecha`` (date); optional ``servicio_anterior``/``asunto_anterior`` (needed
      only when the solicitud already holds the new ones).
    - respuesta: ``texto`` (the answer) and ``documento``
      (``{"nombre", "bytes", "sha256"}`` of the answer document).
    """
    extra = extra or {}
    if tipo not in cadena_lib.TIPOS:
        raise ValueError(f"tipo de acuse desconocido: {tipo!r}")
    contribuyente = solicitud.contribuyente
    evidencia = _evidencia(solicitud)
    hechos: dict[str, Any] = {
        "tipo": tipo,
        "folio": solicitud.folio,
        "rfc": contribuyente.rfc,
        "nombre": contribuyente.nombre,
        "servicio": _nombre(solicitud.servicio),
        "asunto": _nombre(solicitud.asunto),
        "recibida": cadena_lib.momento(solicitud.recibida),
        "computo_desde": cadena_lib.fecha(solicitud.computo_desde),
        "respuesta_a_partir_del": cadena_lib.fecha(solicitud.respuesta_a_partir_del),
        "descripcion_sha256": cadena_lib.sha256_texto(solicitud.descripcion),
        "evidencias": [
            _archivo(
                {
                    "nombre": evidencia.nombre_original,
                    "bytes": evidencia.bytes,
                    "sha256": evidencia.sha256,
                },
                "la evidencia",
            )
        ]
        if evidencia
        else [],
    }
    if tipo == "recepcion":
        # The text itself is kept to print it; only its digest enters the cadena.
        hechos["descripcion"] = solicitud.descripcion
    elif tipo == "prorroga":
        nueva = _requerido(extra, "nueva_fecha", tipo)
        hechos["fecha_anterior"] = _fecha_anterior(extra, solicitud, nueva)
        hechos["nueva_fecha"] = hechos["respuesta_a_partir_del"] = cadena_lib.fecha(nueva)
    elif tipo == "canalizacion":
        servicio = _requerido(extra, "servicio", tipo)
        asunto = _requerido(extra, "asunto", tipo)
        nueva = _requerido(extra, "nueva_fecha", tipo)
        servicio_anterior = extra.get("servicio_anterior") or solicitud.servicio
        asunto_anterior = extra.get("asunto_anterior") or solicitud.asunto
        if _nombre(servicio_anterior) == _nombre(servicio) and _nombre(asunto_anterior) == _nombre(
            asunto
        ):
            raise ValueError(
                "la canalización necesita extra['servicio_anterior'] y extra['asunto_anterior'] "
                "cuando la solicitud ya tiene los nuevos"
            )
        hechos.update(
            servicio=_nombre(servicio),
            asunto=_nombre(asunto),
            servicio_anterior=_nombre(servicio_anterior),
            asunto_anterior=_nombre(asunto_anterior),
            canalizada=cadena_lib.fecha(momento.astimezone(cadena_lib.ZONA).date()),
            nueva_fecha=cadena_lib.fecha(nueva),
            respuesta_a_partir_del=cadena_lib.fecha(nueva),
        )
    else:  # respuesta
        texto = str(_requerido(extra, "texto", tipo))
        documento = _archivo(_requerido(extra, "documento", tipo), "el documento de respuesta")
        hechos.update(
            atendida=cadena_lib.momento(momento),
            respuesta=texto,
            respuesta_sha256=cadena_lib.sha256_texto(texto),
            documentos=[documento],
        )
    return hechos


def emitir_acuse(
    *,
    solicitud: Solicitud,
    tipo: str,
    momento: datetime,
    extra: Mapping[str, Any] | None = None,
    material: Sellador | None = None,
) -> Acuse:
    """Issue, seal and store an acuse of kind ``tipo`` for ``solicitud`` at ``momento``
    (sealed by ``material``, the configured Sellador when None).

    Call it inside the transaction of the step it attests (filing, prórroga,
    canalización, respuesta), so that the step and its acuse exist together or not at
    all. See ``reunir_hechos`` for what ``extra`` carries per kind. Raises ValueError
    for a programming error (unknown kind, missing extra).
    """
    hechos = reunir_hechos(solicitud=solicitud, tipo=tipo, momento=momento, extra=extra)
    return emitir(solicitud_id=solicitud.pk, hechos=hechos, momento=momento, material=material)
