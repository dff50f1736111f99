"""Static file storages whose URLs are computed once per name per process.

Every page asks for the same few stylesheets and scripts; Django's storages quote,
join and (with the manifest) look up the hashed name on every call. The answer for a
name cannot change while the process runs (a new collectstatic needs a restart to be
seen anyway), so each is remembered.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
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
