"""Seeds a benchmark database with many requests: one taxpayer's and everybody else's.

Runs inside a process where Django is already set up against the bench database (see
``bench.bench_tablero``). Rows are generated in memory from a fixed random seed and
written with the database's fastest bulk path: ``executemany`` in large batches on
SQLite, ``COPY`` on PostgreSQL, all inside one transaction. Folios, dates and terms
follow the product's own rules (``buzon.lib.folio``, ``buzon.lib.dias_habiles``) so
the rows look like what the application writes; the data is synthetic and labelled so.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from atencion.models import Area
from buzon.lib import dias_habiles
from buzon.lib.folio import formatear
from calendario.models import DiaInhabil
from calendario.services import ZONA_MEXICO
from cuentas.models import Contribuyente
from promociones.models import Asunto, Estatus, FolioSecuencia, Servicio, Solicitud

RFC_PROPIO = "EPC250101A00"
NOMBRE_PROPIO = "Empresa de Prueba de Carga, S.A. de C.V."
INICIO = datetime(2025, 1, 1, tzinfo=ZONA_MEXICO)
LOTE = 20_000

# Used only when the catalog migration has not run (it normally has): enough of the
# catalog to seed against, created by clave so an existing catalog is never touched.
_SERVICIOS = [
    ("aclaracion", "Aclaración", "Aclaraciones", "A", True, True, 10),
    ("orientacion", "Orientación", "Orientaciones", "O", False, False, 5),
]
_ASUNTOS = [
    ("32d-opinion-publica", "32D Opinión Pública", "cobranza-32d"),
    ("32d-terceros-autorizados", "32D Terceros Autorizados", "cobranza-32d"),
    ("activacion-buzon", "Activación del Buzón IMSS", "atencion-buzon"),
    ("emisiones", "Emisiones", "emisiones"),
    ("icsoe", "ICSOE", "icsoe"),
    ("notificacion-electronica", "Notificación electrónica", "atencion-buzon"),
]
# How often each asunto is chosen: opinions and emissions are the common questions.
_PESO_ASUNTO = {
    "32d-opinion-publica": 30,
    "emisiones": 25,
    "activacion-buzon": 15,
    "notificacion-electronica": 12,
    "icsoe": 10,
    "32d-terceros-autorizados": 8,
}
_DESCRIPCIONES = [
    "Solicito la aclaración del adeudo que aparece en mi opinión de cumplimiento respecto "
    "del periodo {mes}/{anio}; los pagos se realizaron en tiempo y adjunto los comprobantes.",
    "Mi opinión de cumplimiento aparece en sentido negativo aunque el registro patronal "
    "{rp} no tiene créditos pendientes. Pido que se revise y se actualice.",
    "No puedo activar el Buzón IMSS: al firmar con la e.firma el sistema indica que el "
    "certificado no corresponde. Ya verifiqué la vigencia y la contraseña.",
    "Recibí una notificación electrónica del registro patronal {rp} que no reconozco; "
    "solicito orientación sobre cómo consultar el documento y el plazo para atenderlo.",
    "La emisión mensual anticipada de {mes}/{anio} incluye a trabajadores dados de baja "
    "desde el mes anterior. Adjunto los movimientos afiliatorios presentados.",
    "Presenté la información cuatrimestral de ICSOE del periodo {mes}/{anio} y el sistema "
    "no muestra el acuse. Solicito confirmar si la declaración fue recibida.",
    "Quiero autorizar a un tercero para consultar la opinión de cumplimiento de la empresa "
    "y no encuentro la opción; solicito orientación sobre el procedimiento.",
    "Las cuotas del bimestre {mes}/{anio} se pagaron con la línea de captura vigente, pero "
    "el pago no se refleja. Anexo el comprobante bancario y la cédula de determinación.",
]


@dataclass(frozen=True)
class Siembra:
    """What the bench database holds: counts, the taxpayer measured and how long it took."""

    solicitudes: int
    propias: int
    contribuyentes: int
    rfc_propio: str
    segundos: float
    reutilizada: bool


def _catalogo() -> tuple[list[Servicio], list[Asunto]]:
    areas = {}
    for _clave, _nombre, area in _ASUNTOS:
        areas[area], _ = Area.objects.get_or_create(clave=area, defaults={"nombre": area})
    servicios = []
    for clave, nombre, plural, inicial, tel, evid, plazo in _SERVICIOS:
        servicio, _ = Servicio.objects.get_or_create(
            clave=clave,
            defaults={
                "nombre": nombre,
                "nombre_plural": plural,
                "inicial_folio": inicial,
                "requiere_telefono": tel,
                "requiere_evidencia": evid,
                "plazo_dias_habiles": plazo,
            },
        )
        servicios.append(servicio)
    asuntos = []
    for clave, nombre, area in _ASUNTOS:
        asunto, creado = Asunto.objects.get_or_create(
            clave=clave,
            defaults={"nombre": nombre, "area": areas[area], "recomendaciones": nombre},
        )
        if creado:
            asunto.servicios.set(servicios)
        asuntos.append(asunto)
    return servicios, asuntos


def _rfc(indice: int, rng: random.Random) -> str:
    """A persona moral RFC shape (3 letters, YYMMDD, homoclave); the homoclave encodes the
    index so every bench taxpayer's RFC is unique."""
    letras = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
    nacimiento = date(1990, 1, 1) + timedelta(days=rng.randrange(12_000))
    digitos = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    homoclave = "".join(digitos[(indice // 36**k) % 36] for k in (2, 1, 0))
    return f"{letras}{nacimiento:%y%m%d}{homoclave}"


def _insertar(tabla: str, columnas: Sequence[str], filas: Iterator[Sequence[Any]]) -> int:
    """Bulk insert with the backend's fastest path; returns the number of rows."""
    cursor = connection.cursor()
    nombres = ", ".join(connection.ops.quote_name(c) for c in columnas)
    total = 0
    if connection.vendor == "postgresql":
        crudo = cursor.cursor  # the psycopg cursor: COPY is not in the DB-API
        with crudo.copy(f"COPY {connection.ops.quote_name(tabla)} ({nombres}) FROM STDIN") as copia:
            for fila in filas:
                copia.write_row(fila)
                total += 1
        return total
    marcas = ", ".join(["%s"] * len(columnas))
    # Table and column names come from the models, never from input.
    sql = f"INSERT INTO {connection.ops.quote_name(tabla)} ({nombres}) VALUES ({marcas})"  # noqa: S608
    lote: list[Sequence[Any]] = []
    for fila in filas:
        lote.append(fila)
        if len(lote) >= LOTE:
            cursor.executemany(sql, lote)
            total += len(lote)
            lote.clear()
    if lote:
        cursor.executemany(sql, lote)
        total += len(lote)
    return total


# The derived tables the triggers on promociones_solicitud keep, filled from the rows by
# the migrations' own statements: counts per taxpayer (0004), the queue's counts (0010)
# and the versions per area (0014). Each expects its table empty, as after a bulk load
# into an empty database.
_LLENADOS = (
    ("promociones.migrations.0004_conteo_solicitudes", "LLENAR"),
    ("promociones.migrations.0010_cola_de_personal", "LLENAR"),
    ("promociones.migrations.0014_version_por_area_e_indices_supervision", "LLENAR"),
)


def insertar_solicitudes(campos: Sequence[str], filas: Iterator[Sequence[Any]]) -> int:
    """Bulk-loads requests into an empty database, inside the caller's transaction.

    On PostgreSQL by COPY with the row triggers off for this transaction only (through
    the count and version triggers a million rows took over 50 minutes on a busy
    machine, and the Tablero's seed never finished), then every table those triggers
    keep filled from the rows. SQLite's batched inserts go through the triggers."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    n = _insertar(Solicitud._meta.db_table, _columnas(Solicitud, campos), filas)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
            for modulo, nombre in _LLENADOS:
                llenado = getattr(import_module(modulo), nombre)
                for sentencia in [llenado] if isinstance(llenado, str) else llenado:
                    cursor.execute(sentencia)
    return n


def _columnas(modelo: Any, campos: Sequence[str]) -> list[str]:
    return [modelo._meta.get_field(c).column for c in campos]


def ya_sembrada(total: int) -> bool:
    return (
        Contribuyente.objects.filter(rfc=RFC_PROPIO).exists() and Solicitud.objects.count() >= total
    )


def sembrar(
    *, total: int = 1_000_000, propias: int = 10_000, otros: int = 20_000, semilla: int = 2026
) -> Siembra:
    """Fills an empty bench database; a database already seeded is reused as it is."""
    if ya_sembrada(total):
        return Siembra(
            solicitudes=Solicitud.objects.count(),
            propias=Solicitud.objects.filter(contribuyente__rfc=RFC_PROPIO).count(),
            contribuyentes=Contribuyente.objects.count(),
            rfc_propio=RFC_PROPIO,
            segundos=0.0,
            reutilizada=True,
        )
    if Solicitud.objects.exists():
        raise RuntimeError(
            "La base de pruebas tiene solicitudes pero no la siembra completa; usa --reseed."
        )
    inicio = time.perf_counter()
    rng = random.Random(semilla)
    ahora = timezone.now()
    with transaction.atomic():
        servicios, asuntos = _catalogo()
        contribuyentes = _sembrar_contribuyentes(otros + 1, rng, ahora)
        n = _sembrar_solicitudes(
            total=total,
            propias=propias,
            contribuyentes=contribuyentes,
            servicios=servicios,
            asuntos=asuntos,
            rng=rng,
            ahora=ahora,
        )
    if connection.vendor == "postgresql":
        # Autovacuum would do this within a minute of a real bulk load; doing it now makes
        # the first measurement see the same statistics and visibility map as later ones.
        with connection.cursor() as cursor:
            for modelo in (Solicitud, Contribuyente):
                cursor.execute(f"VACUUM ANALYZE {modelo._meta.db_table}")
    return Siembra(
        solicitudes=n,
        propias=propias,
        contribuyentes=len(contribuyentes),
        rfc_propio=RFC_PROPIO,
        segundos=time.perf_counter() - inicio,
        reutilizada=False,
    )


def _sembrar_contribuyentes(cuantos: int, rng: random.Random, ahora: datetime) -> list[int]:
    """Users and their taxpayers (index 0 is the measured one); returns taxpayer ids."""
    from django.contrib.auth import get_user_model

    usuario_modelo = get_user_model()
    rfcs = [RFC_PROPIO] + [_rfc(i, rng) for i in range(1, cuantos)]
    momento = connection.ops.adapt_datetimefield_value(ahora)
    campos_usuario = [
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    # "!" marks an unusable password: taxpayers sign in with their e.firma only.
    _insertar(
        usuario_modelo._meta.db_table,
        _columnas(usuario_modelo, campos_usuario),
        (("!", False, rfc, "", "", "", False, True, momento) for rfc in rfcs),
    )
    ids_usuario = dict(
        usuario_modelo.objects.filter(username__in=rfcs).values_list("username", "id")
    )
    campos = [
        "usuario",
        "rfc",
        "nombre",
        "tipo",
        "curp",
        "rfc_representante",
        "curp_representante",
        "numero_certificado",
        "creado",
        "actualizado",
    ]
    _insertar(
        Contribuyente._meta.db_table,
        _columnas(Contribuyente, campos),
        (
            (
                ids_usuario[rfc],
                rfc,
                NOMBRE_PROPIO if i == 0 else f"Contribuyente de prueba {i}, S.A. de C.V.",
                "moral",
                "",
                "",
                "",
                "",
                momento,
                momento,
            )
            for i, rfc in enumerate(rfcs)
        ),
    )
    por_rfc = dict(Contribuyente.objects.values_list("rfc", "id"))
    return [por_rfc[rfc] for rfc in rfcs]


def _momentos(total: int, rng: random.Random, ahora: datetime) -> list[datetime]:
    """Reception moments from 2025-01-01 until now, oldest first: mostly working hours on
    weekdays, some at night and on weekends, as people really file."""
    dias = (ahora.astimezone(ZONA_MEXICO).date() - INICIO.date()).days
    momentos: list[datetime] = []
    while len(momentos) < total:
        dia = INICIO + timedelta(days=rng.randrange(dias))
        if dia.weekday() >= 5 and rng.random() > 0.15:
            continue
        hora = rng.gauss(12.5, 3.5) if rng.random() < 0.9 else rng.uniform(0, 24)
        hora = min(max(hora, 0.0), 23.99)
        momento = dia + timedelta(hours=hora, seconds=rng.randrange(60))
        momentos.append(momento.astimezone(UTC))
    momentos.sort()
    return momentos


def _sembrar_solicitudes(
    *,
    total: int,
    propias: int,
    contribuyentes: list[int],
    servicios: list[Servicio],
    asuntos: list[Asunto],
    rng: random.Random,
    ahora: datetime,
) -> int:
    hoy = ahora.astimezone(ZONA_MEXICO).date()
    extras = set(DiaInhabil.objects.values_list("fecha", flat=True))
    plazos: dict[tuple[date, int], tuple[date, date]] = {}
    momentos = _momentos(total, rng, ahora)
    indices_propios = set(rng.sample(range(total), propias))
    propio, ajenos = contribuyentes[0], contribuyentes[1:]
    pesos = [_PESO_ASUNTO.get(a.clave, 5) for a in asuntos]
    acumulados = []
    suma = 0
    for peso in pesos:
        suma += peso
        acumulados.append(suma)
    secuencias: dict[tuple[str, int], int] = {}
    adaptar_momento = connection.ops.adapt_datetimefield_value
    adaptar_fecha = connection.ops.adapt_datefield_value
    aclaracion = next(s for s in servicios if s.requiere_telefono)
    orientacion = next(s for s in servicios if not s.requiere_telefono)

    def filas() -> Iterator[tuple[Any, ...]]:
        for i, recibida in enumerate(momentos):
            servicio = aclaracion if rng.random() < 0.4 else orientacion
            asunto = asuntos[_elegir(acumulados, rng.random() * suma)]
            dia = recibida.astimezone(ZONA_MEXICO).date()
            plazo = asunto.plazo_en(servicio)
            fechas = plazos.get((dia, plazo))
            if fechas is None:
                desde = dias_habiles.siguiente_habil(dia, extras)
                fechas = (desde, dias_habiles.sumar_habiles(desde, plazo, extras))
                plazos[(dia, plazo)] = fechas
            computo_desde, respuesta = fechas
            estatus, resuelta = _estatus(rng, computo_desde, respuesta, hoy, plazo)
            clave_folio = (servicio.inicial_folio, dia.year)
            numero = secuencias.get(clave_folio, 0) + 1
            secuencias[clave_folio] = numero
            telefono = (
                f"55{rng.randrange(10**8):08d}"
                if servicio is aclaracion or rng.random() < 0.5
                else ""
            )
            descripcion = rng.choice(_DESCRIPCIONES).format(
                mes=f"{rng.randrange(1, 13):02d}",
                anio=dia.year,
                rp=f"Y{rng.randrange(10**9):09d}",
            )
            yield (
                formatear(servicio.inicial_folio, dia.year, numero),
                propio if i in indices_propios else ajenos[rng.randrange(len(ajenos))],
                servicio.pk,
                asunto.pk,
                descripcion,
                telefono,
                adaptar_momento(recibida),
                adaptar_fecha(computo_desde),
                adaptar_fecha(respuesta),
                estatus,
                adaptar_fecha(resuelta),
                asunto.area_id,
                None,
                f"{rng.getrandbits(128):032x}" if rng.random() < 0.3 else None,
            )

    campos = [
        "folio",
        "contribuyente",
        "servicio",
        "asunto",
        "descripcion",
        "telefono",
        "recibida",
        "computo_desde",
        "respuesta_a_partir_del",
        "estatus",
        "fecha_respuesta_o_canalizacion",
        "area",
        "asignada_a",
        "clave_idempotencia",
    ]
    n = insertar_solicitudes(campos, filas())
    # New filings in the bench database continue after the seeded folios.
    for (inicial, anio), ultimo in secuencias.items():
        FolioSecuencia.objects.update_or_create(
            inicial=inicial, anio=anio, defaults={"ultimo": ultimo}
        )
    return n


def _elegir(acumulados: list[int], x: float) -> int:
    for i, tope in enumerate(acumulados):
        if x < tope:
            return i
    return len(acumulados) - 1


def _estatus(
    rng: random.Random, desde: date, respuesta: date, hoy: date, plazo: int
) -> tuple[str, date | None]:
    """A status that fits the request's age: old requests are mostly answered, recent
    ones mostly still received; answered and channelled ones get their date."""
    x = rng.random()
    if respuesta > hoy:
        estatus = (
            Estatus.RECIBIDO if x < 0.85 else Estatus.CANALIZADO if x < 0.95 else Estatus.ATENDIDO
        )
    elif x < 0.80:
        estatus = Estatus.ATENDIDO
    elif x < 0.90:
        estatus = Estatus.CANALIZADO
    elif x < 0.93:
        estatus = Estatus.EN_PRORROGA
    else:
        estatus = Estatus.RECIBIDO
    resuelta = None
    if estatus in (Estatus.ATENDIDO, Estatus.CANALIZADO):
        resuelta = min(desde + timedelta(days=rng.randrange(plazo * 7 // 5 + 4)), hoy)
    return str(estatus), resuelta
