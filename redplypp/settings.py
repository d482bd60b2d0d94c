"""The one settings module of the platform.

Everything that differs between a developer's machine, CI and production is
read from environment variables here, with defaults that are safe (DEBUG off,
secure cookies, HSTS). ``make run`` and ``make test`` set the few variables a
local run needs; see ``redplypp/launcher.py``.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
import xstatic.pkg.bootstrap
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured

# Lets admin classes be written ModelAdmin[Model] for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Missing secrets never fall back silently outside development: they stay empty, Django
# refuses an empty SECRET_KEY wherever it is used, and the processes that serve people
# (wsgi, asgi, Celery) refuse to start without them (redplypp.configuration). Tools that
# only read the models (makemigrations --check, mypy) can load these settings bare.
INSECURE_KEYS_ALLOWED = DEBUG or env_bool("DJANGO_ALLOW_INSECURE_KEYS", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and INSECURE_KEYS_ALLOWED:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"  # noqa: S105

# Key of the HMAC that turns a national ID number into the only form we store.
# Changing it makes every stored hash unmatchable: rotate only with a re-hash plan.
IDENTITY_HASH_KEY = os.environ.get("IDENTITY_HASH_KEY", "")
if not IDENTITY_HASH_KEY and INSECURE_KEYS_ALLOWED:
    IDENTITY_HASH_KEY = "insecure-development-identity-key-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# The public address, for links in e-mails sent outside a request (e.g. "https://redplypp.co").
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "redplypp.admin_apps.RedplyppAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_htmx",
    "csp",
    "redplypp",
    "accounts",
    "nodes",
    "cycles",
    "proposals",
    "voting",
    "documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "redplypp.unavailable.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "redplypp.csp.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "redplypp.urls"
FORM_RENDERER = "redplypp.forms.PlatformFormRenderer"
WSGI_APPLICATION = "redplypp.wsgi.application"
ASGI_APPLICATION = "redplypp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL only --------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        # No health check (a SELECT 1 on every request): a connection broken by a database
        # restart fails one request with a 503 (redplypp.unavailable) and is replaced after it.
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    }
    # Server-side parameters, and statements prepared on a connection after their second
    # run: PostgreSQL then skips parsing and planning the queries every request repeats
    # (casting a ballot: 1.55 -> 0.88 ms of the server's CPU; tests/bench/bench_cast_cpu.py).
    # Off behind a pooler in transaction mode that cannot keep prepared statements.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 2,
        }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("PostgreSQL is the only database engine this platform supports.")
else:
    # No database: anything that queries fails; see redplypp.configuration for the message.
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks -----------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Database sessions, read with one prepared statement (redplypp/sessions.py).
SESSION_ENGINE = "redplypp.sessions"

# How long a web process keeps a territory's ballot (proposals, costs, calendar) in memory.
VOTING_CONTEXT_SECONDS = float(os.environ.get("VOTING_CONTEXT_SECONDS", "5"))
# Ballots enter the hash chain in batches of at least this many (and all at the close),
# so that their positions do not follow the order people voted in.
VOTING_SEAL_MINIMUM = int(os.environ.get("VOTING_SEAL_MINIMUM", "25"))
# While a vote is busy, a sealing is queued this many seconds after a cast and takes at
# most VOTING_SEAL_BATCH ballots: small, frequent sealings instead of long pauses.
VOTING_SEAL_SECONDS = float(os.environ.get("VOTING_SEAL_SECONDS", "2"))
VOTING_SEAL_BATCH = int(os.environ.get("VOTING_SEAL_BATCH", "2000"))

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Without a broker, tasks run in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = "America/Bogota"

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Red PLyPP] "
# allauth's defaults throttle login, sign-up, e-mail and password-reset by IP and
# by key; they are backed by the cache (Redis in production).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Red PLyPP"
# Accept the code of the previous or next 30-second window too: cheap phones' clocks
# drift, and a code typed at the end of its window should not fail.
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation -------------------------------------------------
# Spanish of Colombia first (its formats: 1.250.000, "25 de octubre de 2026");
# catalogues live in locale/es and serve es-co through gettext's fallback.
LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
# Third-party assets come from packages, never from another host.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Pre-compressing ~1,400 files takes a minute; the test run skips it.
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_COMPRESS", True)
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
# Uploads: nothing larger than 10 MiB reaches a view; forms check their own limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_SIZE", str(10 * 1024 * 1024)))

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Red PLyPP <no-responder@redplypp.co>")

# --- Security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
# Behind proxies every request comes from a proxy's address: the client's is the one the
# nearest trusted proxy appended to X-Forwarded-For. allauth's login limits and the
# receipt check count per client address (redplypp.ratelimit.client_address).
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if env_bool("DJANGO_BEHIND_PROXY", False) else "0")
)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content Security Policy: only this host, no inline scripts, no framing.
# Map tiles of the proposal maps, e.g. a municipality's own tile server
# "https://tiles.example.gov.co/{z}/{x}/{y}.png". Empty: no tiles, maps show as lists.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = os.environ.get("MAP_TILES_ATTRIBUTION", "")
_TILES_ORIGIN = "/".join(MAP_TILES_URL.split("/")[:3]) if MAP_TILES_URL.startswith("https://") else ""

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_TILES_ORIGIN] if _TILES_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "240/minute"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

CELERY_BEAT_SCHEDULE = {
    "audit-verify-nightly": {"task": "accounts.tasks.audit_verify_task", "schedule": 24 * 60 * 60},
    "cycles-advance": {"task": "cycles.tasks.cycles_advance_all_task", "schedule": 5 * 60},
    "ballots-seal": {"task": "voting.tasks.ballot_chain_seal_all_task", "schedule": 60},
    "ballot-reminders": {"task": "voting.tasks.ballot_reminders_task", "schedule": 60 * 60},
}
