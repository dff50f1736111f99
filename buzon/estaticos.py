"""Static file storages whose URLs are computed once per name per process.

Every page asks for the same few stylesheets and scripts; Django's storages quote,
join and (with the manifest) look up the hashed name on every call. The answer for a
name cannot change while the process runs (a new collectstatic needs a restart to be
seen anyway), so each is remembered. And a finder for the few files of npm packages
the site serves as its own (ArchivosNpm).
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage, Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class _UrlRecordada:
    _urls: dict[str, str]

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:  # the manifest's own special calls: not remembered
            return super().url(name, force) if force else super().url(name)  # type: ignore[misc, no-any-return]
        urls = self.__dict__.setdefault("_urls", {})
        try:
            return urls[name]  # type: ignore[no-any-return]
        except KeyError:
            url: str = super().url(name)  # type: ignore[misc]
            urls[name] = url
            return url


class Estaticos(_UrlRecordada, StaticFilesStorage):
    """Development: files found where they are (whitenoise's finders)."""


class EstaticosComprimidos(_UrlRecordada, CompressedManifestStaticFilesStorage):
    """Production: hashed, compressed names from collectstatic's manifest."""


class ArchivosNpm(BaseFinder):
    """Named files of npm packages (``settings.ARCHIVOS_NPM``), found as our own static
    files: only those names, not the package's whole folder. Noto Sans ships 288 files
    (every subset, weight and style, woff and woff2); the site uses six, and only those
    are collected, compressed and served."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.grupos: list[tuple[str, Path, tuple[str, ...], FileSystemStorage]] = []
        for prefijo, (carpeta, nombres) in settings.ARCHIVOS_NPM.items():
            almacen = FileSystemStorage(location=carpeta)
            almacen.prefix = prefijo  # type: ignore[attr-defined]  # as FileSystemFinder does
            self.grupos.append((prefijo, Path(carpeta), tuple(nombres), almacen))
        super().__init__(*args, **kwargs)

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return [
            Warning(
                f"Falta {carpeta / nombre} (ARCHIVOS_NPM): ejecuta `npm ci`.",
                id="buzon.W001",
            )
            for _, carpeta, nombres, _ in self.grupos
            for nombre in nombres
            if not (carpeta / nombre).is_file()
        ]

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        encontrados = []
        for prefijo, carpeta, nombres, _ in self.grupos:
            nombre = path.removeprefix(prefijo + "/")
            if nombre != path and nombre in nombres and (carpeta / nombre).is_file():
                if not find_all:
                    return str(carpeta / nombre)
                encontrados.append(str(carpeta / nombre))
        # Not found: [] either way, as Django's own finders answer (finders.find() would
        # take a None for a match).
        return encontrados

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Storage]]:
        for _, carpeta, nombres, almacen in self.grupos:
            for nombre in nombres:
                if (carpeta / nombre).is_file():
                    yield nombre, almacen
