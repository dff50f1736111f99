from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models


class Servicio(models.Model):
    """Aclaración or Orientación, with the rules and default term of each."""

    class Clave(models.TextChoices):
        ACLARACION = "aclaracion", "Aclaración"
        ORIENTACION = "orientacion", "Orientación"

    clave = models.CharField(max_length=12, choices=Clave.choices, unique=True)
    nombre = models.CharField(max_length=60)
    nombre_plural = models.CharField(max_length=60)
    inicial_folio = models.CharField(max_length=1, unique=True)
    requiere_telefono = models.BooleanField()
    requiere_evidencia = models.BooleanField()
    plazo_dias_habiles = models.PositiveSmallIntegerField("plazo de respuesta (días hábiles)")

    class Meta:
        verbose_name = "servicio"
        ordering = ["clave"]

    def __str__(self) -> str:
        return self.nombre


class Asunto(models.Model):
    """A subject a request is about, offered in one or more services."""

    clave = models.SlugField(max_length=60, unique=True)
    nombre = models.CharField(max_length=200)
    servicios = models.ManyToManyField(Servicio, related_name="asuntos")
    recomendaciones = models.TextField()
    area = models.ForeignKey("atencion.Area", on_delete=models.PROTECT, related_name="asuntos")
    plazo_dias_habiles = models.PositiveSmallIntegerField(
        "plazo propio (días hábiles)",
        null=True,
        blank=True,
        help_text="Vacío: se usa el plazo del servicio.",
    )
    orden = models.PositiveSmallIntegerField(default=0)
    activo = models.BooleanField(default=True)

    class Meta:
        verbose_name = "asunto"
        ordering = ["orden", "nombre"]

    def __str__(self) -> str:
        return self.nombre

    def plazo_en(self, servicio: Servicio) -> int:
        return self.plazo_dias_habiles or servicio.plazo_dias_habiles


class Estatus(models.TextChoices):
    RECIBIDO = "recibido", "Recibido"
    EN_PRORROGA = "en_prorroga", "En prórroga"
    CANALIZADO = "canalizado", "Canalizado"
    ATENDIDO = "atendido", "Atendido"


class Solicitud(models.Model):
    """A taxpayer's planteamiento: an Aclaración or Orientación about one asunto."""

    folio = models.CharField(max_length=20, unique=True)
    contribuyente = models.ForeignKey(
        "cuentas.Contribuyente", on_delete=models.PROTECT, related_name="solicitudes"
    )
    servicio = models.ForeignKey(Servicio, on_delete=models.PROTECT, related_name="+")
    asunto = models.ForeignKey(Asunto, on_delete=models.PROTECT, related_name="+")
    descripcion = models.TextField()
    telefono = models.CharField(max_length=10, blank=True)
    # The real moment of reception (UTC) and the business day the term counts from
    # (the next business day when filed on a non-working day).
    recibida = models.DateTimeField()
    computo_desde = models.DateField()
    respuesta_a_partir_del = models.DateField()
    estatus = models.CharField(max_length=12, choices=Estatus.choices, default=Estatus.RECIBIDO)
    # What the Tablero's "Fecha de respuesta/Canalización" shows, as the guide reads it
    # (VIII.3): the day it was answered (Atendido) or, after a canalización, the new
    # response date. The day it was canalized is ``canalizada`` (Mexico City day).
    fecha_respuesta_o_canalizacion = models.DateField(null=True, blank=True)
    canalizada = models.DateField(null=True, blank=True)
    area = models.ForeignKey("atencion.Area", on_delete=models.PROTECT, related_name="solicitudes")
    asignada_a = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solicitudes_asignadas",
    )
    # A retried POST with the same Idempotency-Key returns the request it made.
    # NULL, not "", so that requests without a key never collide in the constraint.
    clave_idempotencia = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # SHA-256 of what was filed under that key (normalised fields and the evidence's
    # hash): the same key with another body is a client bug, answered 409, not the
    # first request. Empty for requests filed without a key (and before this field).
    huella_idempotencia = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "solicitud"
        verbose_name_plural = "solicitudes"
        constraints = [
            models.UniqueConstraint(
                fields=["contribuyente", "clave_idempotencia"],
                name="solicitud_idempotencia_unica",
            )
        ]
        indexes = [
            models.Index(fields=["contribuyente", "-recibida", "-id"], name="sol_contrib_recibida"),
            models.Index(
                fields=["contribuyente", "estatus", "-recibida", "-id"], name="sol_contrib_estatus"
            ),
            models.Index(
                fields=["contribuyente", "asunto", "-recibida", "-id"], name="sol_contrib_asunto"
            ),
            # The filtered Tablero (asunto and estatus together) counts inside this index
            # instead of reading every row of the asunto to check its estatus.
            models.Index(
                fields=["contribuyente", "asunto", "estatus", "-recibida", "-id"],
                name="sol_contrib_asunto_estatus",
            ),
            models.Index(fields=["area", "estatus", "respuesta_a_partir_del"], name="sol_area"),
            # The staff queue (atencion.consultas), soonest *Respuesta a partir del* first:
            # its first page is a walk of one of these, not a sort of a million rows. The
            # open-requests ones are partial: the queue is mostly about the few percent not
            # yet answered, and these stay small (decision 0016 has the figures).
            models.Index(fields=["respuesta_a_partir_del", "id"], name="sol_cola"),
            models.Index(
                fields=["respuesta_a_partir_del", "id"],
                condition=~models.Q(estatus="atendido"),
                name="sol_cola_abiertas",
            ),
            models.Index(
                fields=["asunto", "respuesta_a_partir_del", "id"],
                condition=~models.Q(estatus="atendido"),
                name="sol_cola_asunto_abiertas",
            ),
            models.Index(
                fields=["asignada_a", "estatus", "respuesta_a_partir_del"], name="sol_asignada"
            ),
            # The supervisor page (atencion.indicadores): filings per week and area from
            # the index alone, and the answers of the last 90 days per area in the order
            # they are grouped (migration 0014 has the figures).
            models.Index(fields=["recibida", "area"], name="sol_recibida_area"),
            models.Index(
                fields=[
                    "area",
                    "estatus",
                    "fecha_respuesta_o_canalizacion",
                    "computo_desde",
                    "respuesta_a_partir_del",
                ],
                name="sol_area_respondidas",
            ),
        ]

    def __str__(self) -> str:
        return self.folio


class ConteoSolicitudes(models.Model):
    """How many requests a taxpayer has, kept by the database itself.

    Triggers on the Solicitud table (migration 0004) add and subtract in the same
    transaction as every insert, delete or change of owner, whatever made it (the ORM,
    a bulk insert, COPY, raw SQL), so the number cannot drift from the rows. The
    unfiltered Tablero reads its total here: counting 10,000 index entries on every
    page view cost more than the rest of the query (decision 0012 has the figures).
    """

    contribuyente = models.OneToOneField(
        "cuentas.Contribuyente",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="conteo_solicitudes",
    )
    total = models.IntegerField(default=0)
    # Grows with every insert, change or delete of one of the taxpayer's requests
    # (triggers of migration 0005), so a page computed at one version is still right
    # while the version is the same (consultas.pagina_del_tablero's cache).
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "conteo de solicitudes"
        verbose_name_plural = "conteos de solicitudes"


class Evidencia(models.Model):
    """The .zip a taxpayer attached. Stored as received, never extracted or served raw."""

    solicitud = models.OneToOneField(Solicitud, on_delete=models.PROTECT, related_name="evidencia")
    nombre_original = models.CharField(max_length=255)
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    archivo = models.FileField(max_length=200)

    class Meta:
        verbose_name = "evidencia"
        verbose_name_plural = "evidencias"


class Evento(models.Model):
    """Append-only history of a solicitud."""

    class Tipo(models.TextChoices):
        RECIBIDA = "recibida", "Solicitud recibida"
        ASIGNADA = "asignada", "Asignada"
        NOTA = "nota", "Nota interna"
        PRORROGA = "prorroga", "Prórroga"
        CANALIZADA = "canalizada", "Canalizada"
        ATENDIDA = "atendida", "Atendida"

    # Events the taxpayer sees in the history; notes and assignments are internal.
    PUBLICOS = frozenset({Tipo.RECIBIDA, Tipo.PRORROGA, Tipo.CANALIZADA, Tipo.ATENDIDA})

    solicitud = models.ForeignKey(Solicitud, on_delete=models.PROTECT, related_name="eventos")
    tipo = models.CharField(max_length=12, choices=Tipo.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creado = models.DateTimeField()
    datos = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["creado", "id"]
        indexes = [models.Index(fields=["solicitud", "creado"])]

    @property
    def publico(self) -> bool:
        return self.tipo in self.PUBLICOS


class FolioSecuencia(models.Model):
    """Last folio number issued per service initial and year; numbers are never reused."""

    inicial = models.CharField(max_length=1)
    anio = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inicial", "anio"], name="folio_secuencia_unica")
        ]


class Respuesta(models.Model):
    """The institution's answer: its text and the PDF attached to it.

    The PDF is stored like evidence, under a random key, and never served by URL;
    ``sha256`` is what the acuse de respuesta attests. The answer is the request's, so
    it lives here; its table keeps the name it was created with (decision 0013).
    """

    solicitud = models.OneToOneField(Solicitud, on_delete=models.PROTECT, related_name="respuesta")
    texto = models.TextField()
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creada = models.DateTimeField()
    documento_nombre = models.CharField(max_length=255)
    documento_bytes = models.PositiveIntegerField()
    documento_sha256 = models.CharField(max_length=64)
    documento = models.FileField(max_length=200)

    class Meta:
        verbose_name = "respuesta"
        db_table = "atencion_respuesta"


class ConsultaInstitucional(models.Model):
    """One look at or step on a request by the institution's staff: a view of its
    detail, a download of its evidence or documents, or an action.

    Append-only. The taxpayer sees these rows in Detalle (*Consultas y acciones del
    Instituto*) with the area and role, never the person; staff of the request's area
    see them all with the person. ``area`` and ``rol`` are copied as they were at that
    moment: a later canalización or change of role does not rewrite the past.
    """

    class Accion(models.TextChoices):
        CONSULTA = "consulta", "Consultó la solicitud"
        EVIDENCIA = "evidencia", "Descargó la evidencia"
        DOCUMENTO = "documento", "Descargó el documento de respuesta"
        ACUSE = "acuse", "Descargó un acuse"
        ASIGNACION = "asignacion", "Asignó la solicitud"
        NOTA = "nota", "Agregó una nota interna"
        PRORROGA = "prorroga", "Otorgó una prórroga"
        CANALIZACION = "canalizacion", "Canalizó la solicitud"
        RESPUESTA = "respuesta", "Respondió la solicitud"

    solicitud = models.ForeignKey(
        Solicitud, on_delete=models.PROTECT, related_name="consultas_institucionales"
    )
    creado = models.DateTimeField()
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("atencion.Area", on_delete=models.PROTECT, related_name="+")
    rol = models.CharField(max_length=10)  # atencion.Adscripcion.Rol's value then
    accion = models.CharField(max_length=12, choices=Accion.choices)
    # Through which door: "web" (pages) or "api".
    canal = models.CharField(max_length=3, default="web")

    class Meta:
        verbose_name = "consulta institucional"
        verbose_name_plural = "consultas institucionales"
        ordering = ["creado", "id"]
        indexes = [models.Index(fields=["solicitud", "creado", "id"], name="consulta_solicitud")]

    def __str__(self) -> str:
        return f"{self.solicitud_id} {self.accion} {self.creado:%Y-%m-%d %H:%M}"


# The date a ConteoVencimiento row carries for requests already overdue when it was
# folded (atencion.consultas.plegar_vencidas): before any real date, so "before today"
# still counts them; which past day they were due never matters to the queue's counts.
FECHA_PLEGADA = date(1, 1, 1)


class ConteoCola(models.Model):
    """How many requests there are per area, asunto, servicio, estatus and assignee, kept
    by the database itself for the staff queue's counts (atencion.consultas).

    Triggers on the Solicitud table (migration 0010) add and subtract in the same
    transaction as every insert, delete or change of these columns, whatever made it
    (the ORM, bulk_create, COPY, raw SQL), as ConteoSolicitudes does for the Tablero.
    A supervisor of every area sums a few hundred of these rows instead of counting a
    million requests (decision 0016). Plain integers, not foreign keys: a derived table
    whose writers are the triggers only, and they must never fail on a constraint.
    """

    area_id = models.IntegerField()
    asunto_id = models.IntegerField()
    servicio_id = models.IntegerField()
    estatus = models.CharField(max_length=12)
    asignada_id = models.IntegerField()  # the assignee's user id; 0: sin asignar
    total = models.IntegerField(default=0)

    class Meta:
        verbose_name = "conteo de la cola"
        verbose_name_plural = "conteos de la cola"
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "asunto_id", "servicio_id", "estatus", "asignada_id"],
                name="conteo_cola_clave",
            )
        ]


class ConteoVencimiento(models.Model):
    """The requests not yet answered, per the same columns and their *Respuesta a partir
    del*: what the queue's vencidas, por vencer and vence_en counts sum.

    Kept by the same triggers. Dates before CorteVencimiento's are stored as
    FECHA_PLEGADA: once overdue a request stays overdue until it changes, so those rows
    collapse into one per combination instead of one per past day.
    """

    area_id = models.IntegerField()
    asunto_id = models.IntegerField()
    servicio_id = models.IntegerField()
    estatus = models.CharField(max_length=12)
    asignada_id = models.IntegerField()
    fecha = models.DateField()
    total = models.IntegerField(default=0)

    class Meta:
        verbose_name = "conteo por vencimiento"
        verbose_name_plural = "conteos por vencimiento"
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "asunto_id", "servicio_id", "estatus", "asignada_id", "fecha"],
                name="conteo_vencimiento_clave",
            )
        ]
        indexes = [models.Index(fields=["fecha"], name="conteo_vencimiento_fecha")]


class CorteVencimiento(models.Model):
    """One row: ConteoVencimiento dates before ``fecha`` are folded (FECHA_PLEGADA). Only
    atencion.consultas.plegar_vencidas moves it, always forward; the triggers read it."""

    fecha = models.DateField()

    class Meta:
        verbose_name = "corte de vencimientos"
        verbose_name_plural = "cortes de vencimientos"


class Borrador(models.Model):
    """What a taxpayer is writing in a service's form, kept on the server so that an
    expired session or a closed tab loses nothing; one per taxpayer (an RFC: a persona
    moral's representatives share it) and service, deleted when the request is filed.

    It never holds the evidence file. It holds the idempotency key of the form it came
    from: every rendering of the form while the draft lives carries the same key, so a
    reload, a second tab or a resent form is the same filing (promociones.borradores).
    """

    contribuyente = models.ForeignKey(
        "cuentas.Contribuyente", on_delete=models.CASCADE, related_name="borradores"
    )
    servicio = models.ForeignKey(Servicio, on_delete=models.CASCADE, related_name="+")
    # None while none is chosen, or when the one chosen is no longer offered.
    asunto = models.ForeignKey(
        Asunto, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bounded as the real fields are (promociones.borradores checks before saving).
    descripcion = models.TextField(blank=True, default="")
    telefono = models.CharField(max_length=20, blank=True, default="")
    clave_idempotencia = models.CharField(max_length=100)
    creado = models.DateTimeField()
    actualizado = models.DateTimeField()

    class Meta:
        verbose_name = "borrador"
        constraints = [
            models.UniqueConstraint(
                fields=["contribuyente", "servicio"], name="borrador_por_servicio"
            )
        ]

    def __str__(self) -> str:
        return f"Borrador de {self.servicio_id} de {self.contribuyente_id}"

    @property
    def tiene_contenido(self) -> bool:
        return bool(self.descripcion.strip() or self.telefono.strip())
