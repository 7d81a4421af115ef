"""Relance settings: one module, driven by environment variables.

Local use needs no variable at all (SQLite in var/, console e-mail, DEBUG on).
Production (DEBUG=false) refuses to start without SECRET_KEY (or SECRET_KEY_FILE).
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RELANCE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("RELANCE_TESTING", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# A file readable by Relance only, so that the key stays out of the environment (`make run` writes one).
SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", "")
if not SECRET_KEY and SECRET_KEY_FILE:
    try:
        SECRET_KEY = Path(SECRET_KEY_FILE).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE cannot be read: {error}") from None
    if not SECRET_KEY:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE {SECRET_KEY_FILE} is empty.")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "relance-local-development-only-not-a-secret"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # For its bundled Swagger UI files: without the app, /api/v1/docs loads them from a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "relance",
    "core",
    "rates",
    "accounts",
    "ledger",
    "dunning",
    "recovery",
    "bank",
    "imports",
    "exports",
    "automation",
]

MIDDLEWARE = [
    # First: a probe is answered before the HTTPS redirect and the host check (relance/health.py).
    "relance.health.healthz",
    "django.middleware.security.SecurityMiddleware",
    "relance.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Ahead of every view and process_view hook (CSRF's reads the form), once the language is
    # known: the 413 page is translated.
    "relance.middleware.body_size_limit",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relance.middleware.private_when_authenticated",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.domain_errors",
]

ROOT_URLCONF = "relance.urls"
WSGI_APPLICATION = "relance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relance.context_processors.relance",
            ],
            "builtins": ["relance.templatetags.relance_tags"],
        },
    },
]

# SQLite in var/ by default; DATABASE_URL=postgres://... for multi-machine deployments.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'relance.sqlite3'}"),
        # Production keeps each worker's connection open (a connection per request costs more
        # than most pages on PostgreSQL); a health check replaces one the server dropped.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; IMMEDIATE avoids "database is locked"
    # on lock upgrades inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Each process keeps what it may recompute (the late-payment summaries, keyed on a version of the
# books that the database holds, so that processes never need to tell each other of a change).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 10_000)},
    }
}

LOGIN_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["accounts.backends.UserWithBusinessBackend"]
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Failed logins allowed per (e-mail, client IP) pair, and per client IP whatever the e-mail,
# within the window (seconds). Never per e-mail alone: others' failures must not lock the owner out.
LOGIN_THROTTLE_LIMIT = env_int("LOGIN_THROTTLE_LIMIT", 5)
LOGIN_THROTTLE_IP_LIMIT = env_int("LOGIN_THROTTLE_IP_LIMIT", 20)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 15 * 60)
# E-mails about an account (password reset, sign-up) per recipient address, and requests for them
# per client IP, within the window (seconds).
ACCOUNT_EMAIL_LIMIT = env_int("ACCOUNT_EMAIL_LIMIT", 3)
ACCOUNT_EMAIL_IP_LIMIT = env_int("ACCOUNT_EMAIL_IP_LIMIT", 6)
ACCOUNT_EMAIL_WINDOW = env_int("ACCOUNT_EMAIL_WINDOW", 60 * 60)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads (logos, invoice PDFs, frozen reminders, archives) are private: they are served only
# through business-scoped views, never under a public URL.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies, checked from their Content-Length before anything reads them
# (relance.middleware.body_size_limit, 413): a page carries at most a 5 Mo invoice PDF and its
# form; the API takes JSON.
MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_API_REQUEST_BYTES = 10 * 1024 * 1024
# The CSV import's upload (its page and its API route only): a 20 Mo file and its form.
MAX_IMPORT_REQUEST_BYTES = 21 * 1024 * 1024
# Django's own limits agree: no body outside files above the API's, and an upload that got
# through the middleware stays in memory (no temporary file).
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_API_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES


def _email_settings() -> dict[str, object]:
    """EMAIL_URL=smtp://user:pass@host:port/?tls=1 (or smtps://...), else EMAIL_* variables."""
    url = os.environ.get("EMAIL_URL", "")
    if not url:
        host = os.environ.get("EMAIL_HOST", "")
        return {
            "EMAIL_BACKEND": os.environ.get(
                "EMAIL_BACKEND",
                "django.core.mail.backends.smtp.EmailBackend"
                if host
                else "django.core.mail.backends.console.EmailBackend",
            ),
            "EMAIL_HOST": host or "localhost",
            "EMAIL_PORT": env_int("EMAIL_PORT", 25),
            "EMAIL_HOST_USER": os.environ.get("EMAIL_HOST_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", False),
            "EMAIL_USE_SSL": env_bool("EMAIL_USE_SSL", False),
        }
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be smtp, smtps or console, not {parsed.scheme!r}")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true", "yes"},
    }


globals().update(_email_settings())
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)


def _reminder_send_timeout(email_timeout: int) -> int:
    """Seconds after which a reminder e-mail still being sent is "envoi incertain".

    A live worker waits up to EMAIL_TIMEOUT for each answer of the server, the one after the
    message included: a shorter bound would call uncertain a send that is merely slow.
    """
    timeout = env_int("REMINDER_SEND_TIMEOUT", max(300, 2 * email_timeout))
    if timeout < 2 * email_timeout:
        raise ImproperlyConfigured(
            f"REMINDER_SEND_TIMEOUT ({timeout} s) must be at least twice EMAIL_TIMEOUT ({email_timeout} s)."
        )
    return timeout


REMINDER_SEND_TIMEOUT = _reminder_send_timeout(EMAIL_TIMEOUT)
# A reminder e-mail refused for now (a 4xx reply, a server out of reach) is tried again after
# REMINDER_SEND_RETRY_DELAY seconds, doubled at each try, REMINDER_SEND_ATTEMPTS tries in all.
REMINDER_SEND_ATTEMPTS = max(1, env_int("REMINDER_SEND_ATTEMPTS", 5))
REMINDER_SEND_RETRY_DELAY = max(0, env_int("REMINDER_SEND_RETRY_DELAY", 60))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relance <noreply@relance.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: the database backend by default (run `relance worker`);
# TASKS_BACKEND=rq with REDIS_URL for several worker machines; immediate in tests.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database, rq or immediate, not {TASKS_BACKEND!r}")

# What the summary of a reminder warns about before it leaves, asked of the apps above dunning
# (see dunning/send_warnings.py): a statement line that may already pay the invoice.
REMINDER_SUMMARY_WARNINGS = ["bank.queries.reminder_warnings"]

# Security: Django's defaults, plus what production needs behind HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script anywhere: every script is a static file. Styles allow inline
# attributes only for the widths of progress bars and charts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; frame-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Where `relance rates fetch` reads the ECB main refinancing rate; empty = the ECB data portal.
ECB_API_URL = os.environ.get("ECB_API_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Micro-entrepreneur turnover ceilings for the dashboard's progress bar (2026–2028).
# Source: Urssaf announcement of 20 Feb 2026, relayed by Service Public Entreprendre;
# secondary sources, to confirm on service-public.fr.
REVENUE_CEILINGS = {
    "sales": {
        "amount": "203100",
        "source": "Plafond micro-entreprise 2026 – ventes et hébergement (Urssaf, 20/02/2026)",
    },
    "services": {
        "amount": "83600",
        "source": "Plafond micro-entreprise 2026 – prestations de services (Urssaf, 20/02/2026)",
    },
}
