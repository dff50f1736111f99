"""How a signed-in request finds its user: one prepared query instead of the ORM's.

Every page and endpoint behind a session loads the session row and the user with its
taxpayer before the view runs. Through the ORM those two lookups cost about 0.4 ms of
Python per request (building and compiling the query each time), several times what the
database spends answering them and more than the dashboard view itself. The SQL here is
written from the models' own metadata (the user's once per connection, with its
converters), and each value goes through the converters the ORM would apply, so the
objects are the ORM's objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.utils import timezone

from cuentas.models import Contribuyente

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


class _ConsultaUsuario:
    def __init__(self, conexion: BaseDatabaseWrapper) -> None:
        q = conexion.ops.quote_name
        self.usuario = _Columnas(User, "u", conexion)
        self.contribuyente = _Columnas(Contribuyente, "c", conexion)
        self.n = len(self.usuario.nombres)
        pk = q(User._meta.pk.column)
        enlace = q(Contribuyente._meta.get_field("usuario").column)
        # Only the models' own table and column names are formatted in; the id is a parameter.
        self.sql = (
            f"SELECT {self.usuario.sql}, {self.contribuyente.sql} "  # noqa: S608
            f"FROM {q(User._meta.db_table)} u LEFT OUTER JOIN "
            f"{q(Contribuyente._meta.db_table)} c ON c.{enlace} = u.{pk} WHERE u.{pk} = %s"
        )

    def usuario_con_contribuyente(self, pk: Any, conexion: BaseDatabaseWrapper) -> User | None:
        with conexion.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            fila = cursor.fetchone()
        if fila is None:
            return None
        usuario = self.usuario.instancia(fila[: self.n], conexion)
        contribuyente = None
        if fila[self.n] is not None:  # the taxpayer's id: NULL when the LEFT JOIN found none
            contribuyente = self.contribuyente.instancia(fila[self.n :], conexion)
            Contribuyente.usuario.field.set_cached_value(contribuyente, usuario)
        # As select_related would: a staff account's missing taxpayer is cached as None,
        # so reading it raises RelatedObjectDoesNotExist without another query.
        User.contribuyente.related.set_cached_value(usuario, contribuyente)
        assert isinstance(usuario, User)
        return usuario


_consultas: dict[str, _ConsultaUsuario] = {}


class UsuarioConContribuyente(ModelBackend):
    """Django's model backend, loading the user and its taxpayer in one prepared query.

    Same answer as ``User.objects.select_related("contribuyente").get(pk=…)``; the
    equivalence is tested on SQLite and PostgreSQL.
    """

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        conexion = connections[router.db_for_read(User)]
        consulta = _consultas.get(conexion.alias)
        if consulta is None:
            consulta = _consultas[conexion.alias] = _ConsultaUsuario(conexion)
        usuario = consulta.usuario_con_contribuyente(pk, conexion)
        if usuario is None:
            return None
        return usuario if self.user_can_authenticate(usuario) else None


class SessionStore(db.SessionStore):
    """Django's database sessions, read with one prepared query (see the module's note).

    Writing, expiry and clearing stay Django's own.
    """

    def load(self) -> dict[str, Any]:
        if not self.session_key:
            return {}
        modelo = self.model
        conexion = connections[router.db_for_read(modelo)]
        q = conexion.ops.quote_name
        meta = modelo._meta
        campos = ("session_data", "expire_date")
        datos_col, expira_col = (cast("Field[Any, Any]", meta.get_field(n)).column for n in campos)
        # The model's own names are formatted in; the key and the moment are parameters.
        sql = (
            f"SELECT {q(datos_col)} FROM {q(meta.db_table)} "  # noqa: S608
            f"WHERE {q(meta.pk.column)} = %s AND {q(expira_col)} > %s"
        )
        ahora = conexion.ops.adapt_datetimefield_value(timezone.now())
        with conexion.cursor() as cursor:
            cursor.execute(sql, [self.session_key, ahora])
            fila = cursor.fetchone()
        if fila is None:
            self._session_key = None
            return {}
        datos: dict[str, Any] = self.decode(fila[0])
        return datos
