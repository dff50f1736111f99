"""How a signed-in request finds its session and user: one prepared query.

Every page and endpoint behind a session loads the session row and the user with its
taxpayer before the view runs. Through the ORM those were two lookups costing about
0.4 ms of Python per request (building and compiling each query), several times what
the database spends answering them and more than the dashboard view itself; on
PostgreSQL each is also a round trip. Here the session's row (``cuentas.Sesion``, which
keeps the user's id in a column) is read joined to its user and taxpayer, and
``Autenticacion`` lets Django's own ``auth.get_user`` take that user: the signed session
data still names the user, and every check of Django's still runs. The SQL is written
from the models' own metadata, once per connection, and each value goes through the
converters the ORM would apply, so the objects are the ORM's objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, cast

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObjectRel, Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cuentas.models import Contribuyente, Sesion

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


# Rows of other apps' one-to-one companions of the taxpayer that come with it in the same
# query (each app registers its own in AppConfig.ready(); cuentas imports none of them).
_acompanantes: list[type[Model]] = []


def cargar_con_el_contribuyente(modelo: type[Model]) -> None:
    """Have ``modelo``, a model with a one-to-one key to Contribuyente, read together with
    the signed-in taxpayer and cached on its reverse accessor (None when it has no row)."""
    if modelo not in _acompanantes:
        _acompanantes.append(modelo)
        _consultas.clear()


class _Acompanante:
    def __init__(self, modelo: type[Model], alias: str, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        campo = next(
            f
            for f in modelo._meta.concrete_fields
            if f.one_to_one and f.related_model is Contribuyente
        )
        self.columnas = _Columnas(modelo, alias, conexion)
        self.sql = (
            f" LEFT OUTER JOIN {q(modelo._meta.db_table)} {alias}"
            f" ON {alias}.{q(campo.column)} = c.{q(Contribuyente._meta.pk.column)}"
        )
        self.n = len(self.columnas.nombres)
        self.indice_pk = self.columnas.nombres.index(modelo._meta.pk.attname)
        acceso = cast("ForeignObjectRel", campo.remote_field).get_accessor_name()
        self.cache = getattr(Contribuyente, cast(str, acceso)).related


class _Consultas:
    """The two reads, written once per connection from the models' metadata."""

    def __init__(self, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        self.usuario = _Columnas(User, "u", conexion)
        self.contribuyente = _Columnas(Contribuyente, "c", conexion)
        self.n = len(self.usuario.nombres)
        self.m = self.n + len(self.contribuyente.nombres)
        self.acompanantes = [
            _Acompanante(modelo, f"a{i}", conexion) for i, modelo in enumerate(_acompanantes)
        ]
        pk = q(User._meta.pk.column)
        enlace = q(Contribuyente._meta.get_field("usuario").column)
        columnas = ", ".join(
            [self.usuario.sql, self.contribuyente.sql] + [a.columnas.sql for a in self.acompanantes]
        )
        con_contribuyente = f"{q(Contribuyente._meta.db_table)} c ON c.{enlace} = u.{pk}"
        con_contribuyente += "".join(a.sql for a in self.acompanantes)
        # Only the models' own table and column names are formatted in; the id, the
        # session key and the moment are parameters.
        self.sql_usuario = (
            f"SELECT {columnas} FROM {q(User._meta.db_table)} u "  # noqa: S608
            f"LEFT OUTER JOIN {con_contribuyente} WHERE u.{pk} = %s"
        )
        sesion = Sesion._meta
        datos, expira, dueno = (
            cast("Field[Any, Any]", sesion.get_field(n)).column
            for n in ("session_data", "expire_date", "usuario")
        )
        self.sql_sesion = (
            f"SELECT s.{q(datos)}, {columnas} FROM {q(sesion.db_table)} s "  # noqa: S608
            f"LEFT OUTER JOIN {q(User._meta.db_table)} u ON u.{pk} = s.{q(dueno)} "
            f"LEFT OUTER JOIN {con_contribuyente} "
            f"WHERE s.{q(sesion.pk.column)} = %s AND s.{q(expira)} > %s"
        )

    def armar(self, fila: Sequence[Any], conexion: BaseDatabaseWrapper) -> User | None:
        """The user (with its taxpayer cached) from a row's user and taxpayer columns."""
        if fila[0] is None:  # the user's id: NULL when a LEFT JOIN found none
            return None
        usuario = self.usuario.instancia(fila[: self.n], conexion)
        contribuyente = None
        if fila[self.n] is not None:
            contribuyente = self.contribuyente.instancia(fila[self.n : self.m], conexion)
            Contribuyente.usuario.field.set_cached_value(contribuyente, usuario)
            inicio = self.m
            for acompanante in self.acompanantes:
                valores = fila[inicio : inicio + acompanante.n]
                inicio += acompanante.n
                objeto = None
                if valores[acompanante.indice_pk] is not None:
                    objeto = acompanante.columnas.instancia(valores, conexion)
                acompanante.cache.set_cached_value(contribuyente, objeto)
        # As select_related would: a staff account's missing taxpayer is cached as None,
        # so reading it raises RelatedObjectDoesNotExist without another query.
        User.contribuyente.related.set_cached_value(usuario, contribuyente)
        assert isinstance(usuario, User)
        return usuario

    def usuario_con_contribuyente(self, pk: Any, conexion: BaseDatabaseWrapper) -> User | None:
        with conexion.cursor() as cursor:
            cursor.execute(self.sql_usuario, [pk])
            fila = cursor.fetchone()
        return None if fila is None else self.armar(fila, conexion)


_consultas: dict[str, _Consultas] = {}


def _consultas_de(conexion: BaseDatabaseWrapper) -> _Consultas:
    consultas = _consultas.get(conexion.alias)
    if consultas is None:
        consultas = _consultas[conexion.alias] = _Consultas(conexion)
    return consultas


def _id_de_usuario(valor: Any) -> Any:
    try:
        return User._meta.pk.to_python(valor)
    except ValidationError:
        return None


# The session being authenticated, while Django's auth.get_user runs for it: the backend
# takes the user its load() already read instead of querying again (see Autenticacion).
_sesion_en_curso: ContextVar[SessionBase | None] = ContextVar("sesion_en_curso", default=None)


class UsuarioConContribuyente(ModelBackend):
    """Django's model backend, loading the user and its taxpayer in one prepared query,
    or in none when the session being authenticated already brought them.

    Same answer as ``User.objects.select_related("contribuyente").get(pk=…)``; the
    equivalence is tested on SQLite and PostgreSQL.
    """

    def get_user(self, user_id: Any) -> User | None:
        pk = _id_de_usuario(user_id)
        if pk is None:
            return None
        sesion = _sesion_en_curso.get()
        usuario = getattr(sesion, "usuario_precargado", None)
        if usuario is None or usuario.pk != pk:
            conexion = connections[router.db_for_read(User)]
            usuario = _consultas_de(conexion).usuario_con_contribuyente(pk, conexion)
            if usuario is None:
                return None
        return usuario if self.user_can_authenticate(usuario) else None


class SessionStore(db.SessionStore):
    """Django's database sessions on ``cuentas.Sesion``, read with one prepared query that
    also brings the session's user and taxpayer (see the module's note).

    Writing, expiry and clearing stay Django's own; saving also records the user's id in
    its column.
    """

    usuario_precargado: User | None = None

    @classmethod
    def get_model_class(cls) -> type[Sesion]:
        return Sesion

    def create_model_instance(self, data: dict[str, Any]) -> Sesion:
        sesion = cast(Sesion, super().create_model_instance(data))
        sesion.usuario_id = _id_de_usuario(data.get(SESSION_KEY))
        return sesion

    async def acreate_model_instance(self, data: dict[str, Any]) -> Sesion:
        sesion = cast(Sesion, await super().acreate_model_instance(data))
        sesion.usuario_id = _id_de_usuario(data.get(SESSION_KEY))
        return sesion

    def load(self) -> dict[str, Any]:
        self.usuario_precargado = None
        if not self.session_key:
            return {}
        conexion = connections[router.db_for_read(Sesion)]
        consultas = _consultas_de(conexion)
        ahora = conexion.ops.adapt_datetimefield_value(timezone.now())
        with conexion.cursor() as cursor:
            cursor.execute(consultas.sql_sesion, [self.session_key, ahora])
            fila = cursor.fetchone()
        if fila is None:
            self._session_key = None
            return {}
        datos: dict[str, Any] = self.decode(fila[0])
        self.usuario_precargado = consultas.armar(fila[1:], conexion)
        return datos


class Autenticacion(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with ``auth.get_user`` run while the request's
    session is the one in course, so the backend can take the user the session's read
    already brought. Every check of Django's (backend path, session hash) still runs."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _usuario(request))  # type: ignore[assignment]


def _usuario(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        marca = _sesion_en_curso.set(request.session)
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _sesion_en_curso.reset(marca)
    return request._cached_user  # type: ignore[attr-defined]
