"""The session engine: Django's database sessions on ``cuentas.Sesion``, read together
with their user and taxpayer in one prepared query.

Every page behind a session loads the session row and then the user before the view
runs. Through Django's own engine and backend those are two ORM lookups, about 0.4 ms
of Python per request (building and compiling each query), several times what the
database spends answering them; on PostgreSQL each is also a round trip. The session's
row keeps the user's id in a column (``Sesion.usuario``), so here it is read joined to
its user and taxpayer, and ``cuentas.middleware.Autenticacion`` lets Django's own
``auth.get_user`` take that user: the signed session data still names the user, and
every check of Django's still runs. Decision 0012 records the measured gain.

The SQL is written from the models' own metadata, once per connection alias, and each
value goes through the converters the ORM would apply, so the objects are the ORM's
objects. ``sesion_con_usuario`` is the one way in; writing, expiry and clearing stay
Django's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.utils import timezone

from cuentas.models import Contribuyente, Sesion, TokenApi

Conversor = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class _Columnas:
    """A model's concrete columns under a table alias, with the ORM's converters."""

    def __init__(self, modelo: type[Model], alias: str, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        self.modelo = modelo
        campos: Sequence[Field[Any, Any]] = modelo._meta.concrete_fields
        self.nombres = [c.attname for c in campos]
        self.sql = ", ".join(f"{alias}.{q(c.column)}" for c in campos)
        self.conversores: list[tuple[int, list[Conversor], Any]] = []
        for i, campo in enumerate(campos):
            columna = campo.get_col(alias)
            conv = conexion.ops.get_db_converters(columna) + columna.get_db_converters(conexion)
            if conv:
                self.conversores.append((i, conv, columna))

    def instancia(self, valores: Sequence[Any], conexion: BaseDatabaseWrapper) -> Model:
        valores = list(valores)
        for i, conv, columna in self.conversores:
            for convertir in conv:
                valores[i] = convertir(valores[i], columna, conexion)
        return self.modelo.from_db(conexion.alias, self.nombres, valores)


@dataclass(frozen=True)
class Adjunta:
    """One column of a table keyed by the taxpayer (its primary key is a one-to-one link
    to Contribuyente), read with the session and left on the taxpayer as ``atributo``:
    the value, or None when the taxpayer has no row there. Registered by the app that
    owns the table (:func:`adjuntar`); cuentas knows neither the table nor its meaning.
    The API token's read does not bring it: the attribute is then missing."""

    modelo: type[Model]
    campo: str
    atributo: str


_adjuntas: list[Adjunta] = []


def adjuntar(adjunta: Adjunta) -> None:
    """Reads ``adjunta`` with every session from now on (called from an AppConfig.ready:
    a page behind a session then spends no round trip of its own on it)."""
    if adjunta not in _adjuntas:
        _adjuntas.append(adjunta)
        _lecturas.clear()


class _Lectura:
    """The session read, written once per connection alias from the models' metadata."""

    def __init__(self, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        self.usuario = _Columnas(User, "u", conexion)
        self.contribuyente = _Columnas(Contribuyente, "c", conexion)
        self.n = len(self.usuario.nombres)
        self.k = len(self.contribuyente.nombres)
        self.adjuntas = list(_adjuntas)
        pk = q(User._meta.pk.column)
        enlace = q(Contribuyente._meta.get_field("usuario").column)
        sesion = Sesion._meta
        datos, expira, dueno = (
            cast("Field[Any, Any]", sesion.get_field(n)).column
            for n in ("session_data", "expire_date", "usuario")
        )
        # Only the models' own table and column names are formatted in; the session key
        # and the moment are parameters.
        columnas, uniones = "", ""
        c_pk = q(Contribuyente._meta.pk.column)
        for i, a in enumerate(self.adjuntas):
            opciones = a.modelo._meta
            columna = cast("Field[Any, Any]", opciones.get_field(a.campo)).column
            columnas += f", a{i}.{q(columna)}"
            uniones += (
                f"LEFT OUTER JOIN {q(opciones.db_table)} a{i} "
                f"ON a{i}.{q(opciones.pk.column)} = c.{c_pk} "
            )
        self.sql = (
            f"SELECT s.{q(datos)}, {self.usuario.sql}, {self.contribuyente.sql}{columnas} "  # noqa: S608
            f"FROM {q(sesion.db_table)} s "
            f"LEFT OUTER JOIN {q(User._meta.db_table)} u ON u.{pk} = s.{q(dueno)} "
            f"LEFT OUTER JOIN {q(Contribuyente._meta.db_table)} c ON c.{enlace} = u.{pk} "
            f"{uniones}"
            f"WHERE s.{q(sesion.pk.column)} = %s AND s.{q(expira)} > %s"
        )

    def usuario_de(self, fila: Sequence[Any], conexion: BaseDatabaseWrapper) -> User | None:
        """The user (with its taxpayer cached) from a row's user and taxpayer columns,
        and the attached columns after them when the row has them (the session's)."""
        if fila[0] is None:  # the user's id: NULL when the LEFT JOIN found none
            return None
        usuario = self.usuario.instancia(fila[: self.n], conexion)
        contribuyente = None
        if fila[self.n] is not None:
            fin = self.n + self.k
            contribuyente = self.contribuyente.instancia(fila[self.n : fin], conexion)
            Contribuyente.usuario.field.set_cached_value(contribuyente, usuario)
            if len(fila) > fin:
                for adjunta, valor in zip(self.adjuntas, fila[fin:], strict=True):
                    setattr(contribuyente, adjunta.atributo, valor)
        # As select_related would: a staff account's missing taxpayer is cached as None,
        # so reading it raises RelatedObjectDoesNotExist without another query.
        User.contribuyente.related.set_cached_value(usuario, contribuyente)
        assert isinstance(usuario, User)
        return usuario


_lecturas: dict[str, _Lectura] = {}


def _lectura(conexion: BaseDatabaseWrapper) -> _Lectura:
    lectura = _lecturas.get(conexion.alias)
    if lectura is None:
        lectura = _lecturas[conexion.alias] = _Lectura(conexion)
    return lectura


class _LecturaToken:
    """The API token read: the token joined to its user and taxpayer, as the session's."""

    def __init__(self, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        self.usuarios = _lectura(conexion)
        self.token = _Columnas(TokenApi, "t", conexion)
        self.m = len(self.token.nombres)
        pk = q(User._meta.pk.column)
        enlace = q(Contribuyente._meta.get_field("usuario").column)
        dueno, clave, revocado = (
            cast("Field[Any, Any]", TokenApi._meta.get_field(n)).column
            for n in ("usuario", "clave_sha256", "revocado")
        )
        self.sql = (
            f"SELECT {self.token.sql}, {self.usuarios.usuario.sql}, "  # noqa: S608
            f"{self.usuarios.contribuyente.sql} "
            f"FROM {q(TokenApi._meta.db_table)} t "
            f"JOIN {q(User._meta.db_table)} u ON u.{pk} = t.{q(dueno)} "
            f"LEFT OUTER JOIN {q(Contribuyente._meta.db_table)} c ON c.{enlace} = u.{pk} "
            f"WHERE t.{q(clave)} = %s AND t.{q(revocado)} IS NULL"
        )


_lecturas_token: dict[str, _LecturaToken] = {}


def sesion_con_usuario(clave: str) -> tuple[str, User | None] | None:
    """The stored (encoded) data of the unexpired session ``clave`` and the user its
    column names, with that user's taxpayer cached on it; None when there is no such
    session. The user is a hint until the decoded data names the same one (see
    ``usuario_precargado``)."""
    conexion = connections[router.db_for_read(Sesion)]
    lectura = _lectura(conexion)
    ahora = conexion.ops.adapt_datetimefield_value(timezone.now())
    with conexion.cursor() as cursor:
        cursor.execute(lectura.sql, [clave, ahora])
        fila = cursor.fetchone()
    if fila is None:
        return None
    return fila[0], lectura.usuario_de(fila[1:], conexion)


def token_con_usuario(clave_sha256: str) -> TokenApi | None:
    """The unrevoked API token with this hash, its user (and the user's taxpayer)
    cached on it, in one query: every API call reads it before its view runs (the same
    trick as the session's, decision 0017). Expiry and idleness stay the caller's."""
    conexion = connections[router.db_for_read(TokenApi)]
    lectura = _lecturas_token.get(conexion.alias)
    if lectura is None:
        lectura = _lecturas_token[conexion.alias] = _LecturaToken(conexion)
    with conexion.cursor() as cursor:
        cursor.execute(lectura.sql, [clave_sha256])
        fila = cursor.fetchone()
    if fila is None:
        return None
    token = lectura.token.instancia(fila[: lectura.m], conexion)
    usuario = lectura.usuarios.usuario_de(fila[lectura.m :], conexion)
    TokenApi.usuario.field.set_cached_value(token, usuario)
    assert isinstance(token, TokenApi)
    return token


def id_de_usuario(valor: Any) -> Any:
    """The user's primary key from the session's text, or None when it is not one."""
    try:
        return User._meta.pk.to_python(valor)
    except ValidationError:
        return None


# The session being authenticated, while Django's auth.get_user runs for it (set by
# cuentas.middleware.Autenticacion), so the backend can take the user its load() read.
sesion_en_curso: ContextVar[SessionStore | None] = ContextVar("sesion_en_curso", default=None)


def usuario_precargado(pk: Any) -> User | None:
    """The user the session in course brought, if it is the one ``pk`` names: the
    signed data decides who the user is, never the column."""
    sesion = sesion_en_curso.get()
    usuario = None if sesion is None else sesion.usuario_precargado
    return usuario if usuario is not None and usuario.pk == pk else None


class SessionStore(db.SessionStore):
    """Django's database sessions on ``cuentas.Sesion``; loading also brings the user.

    Saving records the user's id in its column as well."""

    usuario_precargado: User | None = None

    @classmethod
    def get_model_class(cls) -> type[Sesion]:
        return Sesion

    def get_session_cookie_age(self) -> int:
        """The idle limit the row's expiry is counted with, by the session's kind (a staff
        session's is longer). The cookie still ends with the browser
        (SESSION_EXPIRE_AT_BROWSER_CLOSE): only the server-side expiry follows this."""
        from cuentas.middleware import limites  # that module imports this one

        return limites(self)[0]

    def create_model_instance(self, data: dict[str, Any]) -> Sesion:
        sesion = cast(Sesion, super().create_model_instance(data))
        sesion.usuario_id = id_de_usuario(data.get(SESSION_KEY))
        return sesion

    async def acreate_model_instance(self, data: dict[str, Any]) -> Sesion:
        sesion = cast(Sesion, await super().acreate_model_instance(data))
        sesion.usuario_id = id_de_usuario(data.get(SESSION_KEY))
        return sesion

    def load(self) -> dict[str, Any]:
        self.usuario_precargado = None
        if not self.session_key:
            return {}
        leida = sesion_con_usuario(self.session_key)
        if leida is None:
            self._session_key = None
            return {}
        datos: dict[str, Any] = self.decode(leida[0])
        self.usuario_precargado = leida[1]
        return datos
