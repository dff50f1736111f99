"""Settings for the Buzón IMSS Promociones Electrónicas service.

Everything that differs between a laptop, CI and production is read from the
environment through the small typed helpers below. They fail loudly on bad values
and accept ``NAME_FILE`` for secrets so that container secrets never sit in the
environment itself.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from buzon.lib.url_publica import UrlPublicaInvalida, base_publica, direccion_servida

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    path = Path(raw) if raw else default
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


# Production means HTTPS behind a load balancer: secure cookies, HSTS, no debug.
PRODUCTION = env_bool("BUZON_PRODUCTION", False)
DEBUG = env_bool("BUZON_DEBUG", False) and not PRODUCTION

DATA_DIR = env_path("BUZON_DATA_DIR", BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("BUZON_SECRET_KEY")
    if configured:
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("BUZON_SECRET_KEY (or BUZON_SECRET_KEY_FILE) is required")
    # The embedded default keeps a generated key in the data dir so that sessions
    # survive restarts of `make run`.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in env_str(
        "BUZON_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("BUZON_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "buzon",
    "archivos",
    "efirma",
    "cuentas",
    "limites",
    "calendario",
    "promociones",
    "acuses",
    "atencion",
    "avisos",
    "contacto",
    # Staff second factor (atencion.segundo_factor): TOTP devices.
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # First: the request id, the one log line and the metrics of every request, whatever
    # answers it (operacion.middleware).
    "operacion.middleware.Observacion",
    "buzon.middleware.limpieza_periodica",
    "buzon.middleware.direccion_real",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "buzon.middleware.content_security_policy",
    "buzon.middleware.sin_cache_de_datos_personales",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "cuentas.middleware.Autenticacion",
    "cuentas.middleware.session_limits",
    # After the session (it needs to know who is signed in), before the CSRF check's
    # process_view (the first thing that reads a body). Limits: buzon.middleware.
    "buzon.middleware.limite_de_cuerpo",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "buzon.urls"
WSGI_APPLICATION = "buzon.wsgi.application"

# Pages and SMS texts render with Jinja2 (docs/decisions/0010); Django's engine stays for
# the admin's own templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "buzon.plantillas.entorno",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cuentas.context_processors.contribuyente",
                "buzon.context_processors.rutas",
                "contacto.context_processors.recordatorio",
                # After Django's own csrf_input, which the Jinja2 backend sets first.
                "buzon.context_processors.campo_csrf",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the data dir unless DATABASE_URL names PostgreSQL.
_database_url = env_str("DATABASE_URL")
if _database_url:
    # Persistent connections without CONN_HEALTH_CHECKS: the check is a SELECT 1 round
    # trip at the start of every request; a connection broken by a database restart
    # fails one request and is then replaced.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    # A row lock held too long (a stuck transaction) must not hold a request forever:
    # after this wait PostgreSQL gives up, and the service answers 503 with Retry-After
    # (buzon.views.error_servidor), as SQLite does after its busy timeout.
    _espera_bloqueo = env_int("BUZON_PG_ESPERA_BLOQUEO_SEGUNDOS", 20)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={_espera_bloqueo * 1000}"
    )
    # Prepared statements: every page runs the same few queries (session, user, its
    # page), and PostgreSQL spent longer planning the Tablero's query than running it.
    # psycopg prepares a statement on a connection after BUZON_PG_PREPARAR_TRAS runs of
    # it; prepared statements need server-side parameter binding. 0 turns both off, for
    # a pooler that cannot keep prepared statements (PgBouncer before 1.21 in
    # transaction mode).
    _preparar_tras = env_int("BUZON_PG_PREPARAR_TRAS", 5)
    if _preparar_tras > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_preparar_tras
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "buzon.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
                # on the busy timeout instead of failing with "database is locked"
                # when a read transaction tries to upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": env_str("BUZON_TEST_DB_NAME") or None},
            # Persistent connections: opening one costs about as much as a whole
            # dashboard query (connect, PRAGMAs, schema read).
            "CONN_MAX_AGE": 600,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTHENTICATION_BACKENDS = ["cuentas.backends.UsuarioConContribuyente"]
# Database sessions as Django keeps them, read with their user by one query (cuentas.sesiones).
SESSION_ENGINE = "cuentas.sesiones"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    # node-forge comes from npm (node_modules) and is served as our own static file.
    ("vendor/node-forge", BASE_DIR / "node_modules" / "node-forge" / "dist"),
]
# The site's typeface, Noto Sans (@fontsource/noto-sans from npm), served by the site
# itself, never from a CDN: only the latin and latin-ext subsets of the three weights
# buzon.css uses, not the package's 288 files (buzon.estaticos.ArchivosNpm).
ARCHIVOS_NPM = {
    "vendor/noto-sans": (
        BASE_DIR / "node_modules" / "@fontsource" / "noto-sans" / "files",
        [
            f"noto-sans-{subconjunto}-{peso}-normal.woff2"
            for subconjunto in ("latin", "latin-ext")
            for peso in (400, 600, 700)
        ],
    ),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "buzon.estaticos.ArchivosNpm",
]
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploaded evidence and answer documents live here and are never served by URL:
# only views that check ownership stream them, as attachments.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "archivos", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "buzon.estaticos.EstaticosComprimidos" if PRODUCTION else "buzon.estaticos.Estaticos"
        )
    },
}
# Object storage instead of the data dir when a bucket is named (archivos.s3): private
# objects, served only through the app after its access check. Credentials: the standard
# AWS variables (or their _FILE), else boto3's own chain (an instance or task role).
S3_BUCKET = env_str("BUZON_S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "archivos.s3.AlmacenS3",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("BUZON_S3_ENDPOINT_URL") or None,
            "region_name": env_str("BUZON_S3_REGION") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for servers reached by a bare host name (MinIO's usual setup).
            "addressing_style": env_str("BUZON_S3_ADDRESSING_STYLE") or None,
        },
    }
# Uploads larger than this go to a temporary file instead of memory, so a 10 MB
# evidence file never sits whole in a worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
(DATA_DIR / "tmp").mkdir(exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o600
# Seconds between crash sweeps inside each server process (promociones.limpieza); 0
# turns them off. Off inside the test runner, whose database a thread must not share.
LIMPIEZA_HUERFANOS_CADA = (
    0 if "pytest" in sys.modules else env_int("BUZON_LIMPIEZA_HUERFANOS_CADA", 3600)
)

# Sessions: 15 minutes idle (renewed by activity, see cuentas.middleware), 8 hours absolute
# (cuentas.middleware), rotated at login, strict cookies.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = False  # cuentas.middleware renews it once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60
# Pages warn this long before an idle session expires, offering «Seguir conectado».
SESSION_WARNING_SECONDS = 2 * 60
# Staff sessions (password and TOTP code, atencion.ingreso) keep a working day: 30 minutes
# idle, 10 hours absolute; cuentas.middleware tells the two kinds apart.
STAFF_SESSION_IDLE_SECONDS = 30 * 60
STAFF_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
# The issuer an authenticator app shows beside a staff member's codes (otpauth:// URI).
OTP_TOTP_ISSUER = "Buzón IMSS"
# The admin never shows a staff member's TOTP secret nor its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
# Spanish, and JSON under /api/, instead of Django's English explanation.
CSRF_FAILURE_VIEW = "buzon.views.fallo_csrf"

# Tablero pages each worker remembers, keyed by the version of the taxpayer's requests
# (promociones.consultas); 0 turns the memory off.
BUZON_TABLERO_PAGINAS = env_int("BUZON_TABLERO_PAGINAS", 512)
# Staff queue pages each worker remembers, keyed by the versions of the person's areas
# (atencion.memoria); 0 turns the memory off.
BUZON_COLA_PAGINAS = env_int("BUZON_COLA_PAGINAS", 256)
# Detalle pages and API answers each worker remembers, keyed by the version of the
# taxpayer's requests (promociones.consultas.detalle_recordado); 0 turns it off.
BUZON_DETALLE_PAGINAS = env_int("BUZON_DETALLE_PAGINAS", 512)
# Seconds between a worker's checks of the catalog's version (promociones.catalogo): an
# administrator's edit shows on every server within this. Inside the test runner an
# hour, as if a test never outlived a check (tests count queries exactly); a test of the
# check sets its own.
CATALOGO_REVISAR_CADA_SEGUNDOS = (
    3600 if "pytest" in sys.modules else env_int("BUZON_CATALOGO_REVISAR_CADA_SEGUNDOS", 1)
)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_NAME = "__Host-sesion" if PRODUCTION else "sesion"
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION else "csrftoken"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("BUZON_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# No inline script or style anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

LOGIN_URL = "cuentas:login"
LOGIN_REDIRECT_URL = "promociones:tablero"

# e.firma: trusted CAs and revocation checking.
EFIRMA_CA_DIR = env_path("BUZON_EFIRMA_CA_DIR", DATA_DIR / "demo" / "ca")
# "none" (default), "crl" (BUZON_EFIRMA_CRL_FILE) or "ocsp" (BUZON_EFIRMA_OCSP_URL).
EFIRMA_REVOCACION = env_str("BUZON_EFIRMA_REVOCACION", "none")
EFIRMA_CRL_FILE = env_str("BUZON_EFIRMA_CRL_FILE")
EFIRMA_OCSP_URL = env_str("BUZON_EFIRMA_OCSP_URL")
EFIRMA_RETO_SEGUNDOS = 5 * 60

# Login attempts (limites): this many failures from one address for one identity (an
# RFC, a staff username) within the window lock that pair until the window passes; never
# an RFC alone, which anyone could lock. Per address the limit is higher, so that an
# office behind one NAT is not locked out by one person: five people's worth.
ACCESO_MAX_FALLOS = env_int("BUZON_ACCESO_MAX_FALLOS", 10)
ACCESO_MAX_FALLOS_DIRECCION = env_int("BUZON_ACCESO_MAX_FALLOS_DIRECCION", 50)
ACCESO_VENTANA_SEGUNDOS = env_int("BUZON_ACCESO_VENTANA_SEGUNDOS", 15 * 60)
# e.firma challenges one address may ask for per window (each one is a row).
RETO_MAX_POR_DIRECCION = env_int("BUZON_RETO_MAX_POR_DIRECCION", 60)
RETO_VENTANA_SEGUNDOS = env_int("BUZON_RETO_VENTANA_SEGUNDOS", 60)
# Acuse PDFs one address may have verified per window (acuses.limites).
VERIFICACION_MAX_ARCHIVOS = env_int("BUZON_VERIFICACION_MAX_ARCHIVOS", 600)
VERIFICACION_VENTANA_SEGUNDOS = env_int("BUZON_VERIFICACION_VENTANA_SEGUNDOS", 60)
# How many proxies (load balancers) stand in front of the service: the client's address,
# for those limits and the audit, is then read from X-Forwarded-For (buzon.middleware).
PROXIES_CONFIABLES = env_int("BUZON_PROXIES_CONFIABLES", 0)

# Acuses: the institution's sealing key and certificate.
ACUSE_SELLO_CERT = env_path("BUZON_SELLO_CERT", DATA_DIR / "demo" / "sello" / "sello.cer")
ACUSE_SELLO_KEY = env_path("BUZON_SELLO_KEY", DATA_DIR / "demo" / "sello" / "sello.key")
ACUSE_SELLO_PASSWORD = env_str("BUZON_SELLO_PASSWORD", "")
# Another way to seal (a hardware module, a signing service): the dotted path of a
# callable returning an acuses.sello.Sellador. Empty: the key file above.
ACUSE_SELLADOR = env_str("BUZON_SELLADOR", "")
# Certificates of earlier sealing keys, so rotated-out keys' acuses still verify.
ACUSE_SELLO_CERTS_ANTERIORES_DIR = env_path(
    "BUZON_SELLO_CERTS_ANTERIORES_DIR", DATA_DIR / "demo" / "sello" / "anteriores"
)


def _url_publica() -> str:
    """What acuses (QR code, printed link) and notices point to (CONTRACT.md). Required in
    production, and https there; elsewhere it defaults to where `make run` serves."""
    configurada = env_str("BUZON_PUBLIC_BASE_URL")
    try:
        if configurada:
            return base_publica(configurada, solo_https=PRODUCTION)
        if PRODUCTION:
            raise ImproperlyConfigured(
                "BUZON_PUBLIC_BASE_URL is required in production: the https address people "
                "reach the site at, printed in every acuse's QR code and link"
            )
        return direccion_servida(env_str("BUZON_HOST", "127.0.0.1"), env_int("BUZON_PORT", 8000))
    except UrlPublicaInvalida as exc:
        raise ImproperlyConfigured(f"BUZON_PUBLIC_BASE_URL {exc}") from None


# No trailing slash: callers append the path ("/verificar/<codigo>").
PUBLIC_BASE_URL = _url_publica()
# The longest an acuse's PDF may take to lay out (it is rendered once, when issued; the
# longest text the bounds allow takes well under one second).
ACUSE_PRESUPUESTO_SEGUNDOS = env_int("BUZON_ACUSE_PRESUPUESTO_SEGUNDOS", 10)

# Virus scanning of evidence: "null" (default) or "clamd" (BUZON_CLAMD_SOCKET).
ANTIVIRUS = env_str("BUZON_ANTIVIRUS", "null")
CLAMD_SOCKET = env_str("BUZON_CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")

# Notices (avisos): the SMS gateway ("console" logs them, or a class's dotted path),
# in-process delivery after commit (the embedded default; set 0 when running
# `manage.py enviar_avisos` workers), and the retry policy.
AVISOS_SMS_PASARELA = env_str("BUZON_SMS_GATEWAY", "console")
AVISOS_EN_PROCESO = env_bool("BUZON_AVISOS_EN_PROCESO", True)
AVISOS_MAX_INTENTOS = env_int("BUZON_AVISOS_MAX_INTENTOS", 5)
AVISOS_ESPERA_BASE_SEGUNDOS = env_int("BUZON_AVISOS_ESPERA_BASE_SEGUNDOS", 30)
# How long a worker's claim on a batch lasts without renewal, and the most one gateway
# call may take (kept well below the claim, see avisos.services).
AVISOS_RESERVA_SEGUNDOS = env_int("BUZON_AVISOS_RESERVA_SEGUNDOS", 300)
AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS = env_int("BUZON_AVISOS_PASARELA_TIEMPO_LIMITE_SEGUNDOS", 10)
# E-mail notices: "console" (log and data-dir file, the default), "django" (the
# EMAIL_* backend below: SMTP) or a class's dotted path.
AVISOS_CORREO_PASARELA = env_str("BUZON_EMAIL_GATEWAY", "console")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("BUZON_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BUZON_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("BUZON_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("BUZON_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("BUZON_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("BUZON_EMAIL_FROM", "Buzón IMSS <avisos@buzon.imss.gob.mx>")
# The generic HTTP SMS gateway (BUZON_SMS_GATEWAY=http): endpoint and bearer token, and
# the shared secret that signs its delivery receipts (HMAC-SHA256) with their window.
AVISOS_SMS_HTTP_URL = env_str("BUZON_SMS_HTTP_URL")
AVISOS_SMS_HTTP_TOKEN = env_str("BUZON_SMS_HTTP_TOKEN")
AVISOS_ENTREGAS_SECRETO = env_str("BUZON_SMS_CALLBACK_SECRET")
AVISOS_ENTREGAS_VENTANA_SEGUNDOS = env_int("BUZON_SMS_CALLBACK_WINDOW_SECONDS", 300)

# /metricas (Prometheus) answers only with «Authorization: Bearer <this>»; unset, 404.
METRICAS_TOKEN = env_str("BUZON_METRICAS_TOKEN")

# One JSON object per line on stderr, each with the request id of the request it belongs
# to (operacion.registro); one line per request with its route, status and duration.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "operacion.registro.FormatoJson"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("BUZON_LOG_LEVEL", "INFO")},
}
