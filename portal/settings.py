"""Settings for the customer portal, read from the environment (see the README's table).

Every variable is parsed strictly: a malformed value stops start-up with a message naming it.
"""

import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the embedded database, cache, broker and mail live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def _int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {raw!r}.")
    return value


def _list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _url(name: str, default: str, schemes: set[str]) -> str:
    value = env.str(name, default=default).strip()
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(
            f"{name} must be a URL with one of the schemes {allowed}; got {value!r}."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port: {value!r}.") from None
    return value


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _durations(name: str, default: str) -> tuple[int, ...]:
    """A comma-separated list of positive durations in seconds, or with a unit: 30s, 5m, 2h, 1d."""
    raw = env.str(name, default=default)
    values = []
    for item in (part.strip().lower() for part in raw.split(",")):
        unit = _DURATION_UNITS.get(item[-1:]) if item else None
        number = item[:-1] if unit else item
        try:
            seconds = int(number) * (unit or 1)
        except ValueError:
            seconds = 0
        if seconds <= 0:
            raise ImproperlyConfigured(
                f"{name} must be a comma-separated list of durations such as 5m,1h,6h; got {raw!r}."
            )
        values.append(seconds)
    return tuple(values)


def _email(name: str, default: str) -> str:
    value = env.str(name, default=default).strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ImproperlyConfigured(
                f"{name} must be an e-mail address; got {value!r}."
            ) from None
    return value


DEBUG = _bool("DEBUG", False)

# Commands that only read the code never sign anything, so they may run without a secret
# (`manage.py makemigrations --check` in a plain shell). Everything else needs one.
_KEYLESS_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}
_command = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and _command not in _KEYLESS_COMMANDS:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://; got {_origin!r}."
        )

PROVIDER_NAME = env.str("PROVIDER_NAME", default="Lumen")
PORTAL_BASE_URL = _url("PORTAL_BASE_URL", "http://127.0.0.1:8000", {"http", "https"}).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "core.apps.CoreConfig",
    "contacts.apps.ContactsConfig",
    "inventory.apps.InventoryConfig",
    "team.apps.TeamConfig",
    "orders.apps.OrdersConfig",
    "tickets.apps.TicketsConfig",
    "changes.apps.ChangesConfig",
    "billing.apps.BillingConfig",
    "portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "portal.metrics.RequestMetricsMiddleware",  # first: it times the whole stack
    "core.lib.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.private_pages.PrivatePagesMiddleware",
    "core.middleware.TenantScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.SessionActivityMiddleware",
    "core.middleware.UserPreferencesMiddleware",
    "core.middleware.ActiveCustomerMiddleware",
    "core.middleware.StaffMfaMiddleware",
    "core.middleware.AdminSelectionMiddleware",
    "core.middleware.InvalidFormStatusMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.csp",
                "portal.context_processors.portal",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
_database_url = _url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    {"sqlite", "postgres", "postgresql", "pgsql", "postgis"},
)
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception as exc:  # django-environ raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file (not memory) test database so that a real worker process can read it too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # Measured here: a new connection per request cost 2.7x in throughput.
    DATABASES["default"]["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    REDIS_URL = _url("REDIS_URL", REDIS_URL, {"redis", "rediss"})
# Embedded default: a file cache under var/, so the web server and the worker share rate limits.
_cache_url = _url(
    "CACHE_URL",
    REDIS_URL or "filecache://",
    {"redis", "rediss", "filecache", "locmemcache", "dummycache"},
)
if urlsplit(_cache_url).scheme == "filecache":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
else:
    CACHES = {"default": env.cache_url_config(_cache_url)}
    CACHES["default"]["KEY_PREFIX"] = "portal"

CELERY_BROKER_URL = _url(
    "CELERY_BROKER_URL", REDIS_URL or "filesystem://", {"redis", "rediss", "filesystem", "memory"}
)
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Celery's Django fixup closes the database connection before and after every task unless this is
# set: a new PostgreSQL connection (and server process) per e-mail. With it, Celery recycles the
# connection only every this many tasks, and portal/celery.py applies CONN_MAX_AGE and the health
# checks between tasks, as Django does between requests (DATABASE_CONN_MAX_AGE=0: one per task).
CELERY_DB_REUSE_MAX = 10_000
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- E-mail (Django 6.1 MAILERS; EMAIL_URL maps onto it) -------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{PROVIDER_NAME} <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = _url(
    "EMAIL_URL", "file://var/mail", {"smtp", "smtp+tls", "smtps", "file", "console", "locmem"}
)


def _mailer_from_url(url: str) -> dict:
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        path = Path((parts.netloc + parts.path) or "var/mail")
        if not path.is_absolute():
            path = BASE_DIR / path
        return {"BACKEND": "core.lib.mail.EmlFileEmailBackend", "OPTIONS": {"directory": str(path)}}
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL needs a host: {url!r}.")
    options = {
        "host": parts.hostname,
        "port": parts.port
        or (465 if parts.scheme == "smtps" else 587 if "tls" in parts.scheme else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": parts.scheme == "smtp+tls",
        "use_ssl": parts.scheme == "smtps",
        "timeout": int(query.get("timeout", 10)),
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


MAILERS = {"default": _mailer_from_url(_email_url)}
# The notification outbox (portal/services/outbox.py). A temporary failure (the relay down or
# refusing our login, a 4xx) is retried at these delays after the first failure, as an MTA
# retries its queue; the row is `failed` only after the last one (about 44 hours by default, so
# a relay outage of a day loses nothing).
NOTIFICATION_RETRY_SCHEDULE = _durations(
    "NOTIFICATION_RETRY_SCHEDULE", "1m,5m,15m,30m,1h,2h,4h,6h,6h,6h,6h,6h,6h"
)
# How long a row may stay claimed by a worker before the sweep decides that worker died, and how
# many such deaths a row survives before it is `failed` (a message that kills its worker).
NOTIFICATION_CLAIM_TIMEOUT = _int("NOTIFICATION_CLAIM_TIMEOUT", 300)
if NOTIFICATION_CLAIM_TIMEOUT < 1:
    raise ImproperlyConfigured("NOTIFICATION_CLAIM_TIMEOUT must be at least 1 second.")
NOTIFICATION_MAX_WORKER_LOSSES = _int("NOTIFICATION_MAX_WORKER_LOSSES", 3)
# A delivery is stopped (soft limit: an exception in the task; hard limit: the worker process is
# replaced) well before its claim runs out, so the sweep never hands a row that is still being
# sent to a second worker. Derived from the claim timeout, so the two cannot disagree.
NOTIFICATION_SEND_SOFT_TIME_LIMIT = NOTIFICATION_CLAIM_TIMEOUT * 0.6
NOTIFICATION_SEND_TIME_LIMIT = NOTIFICATION_CLAIM_TIMEOUT * 0.8
# Seconds a worker process keeps one SMTP connection open for its next e-mails (probed with RSET
# before each reuse, as Postfix probes its cached connections); 0: a connection per e-mail.
NOTIFICATION_SMTP_REUSE = _int("NOTIFICATION_SMTP_REUSE", 300, minimum=0)
NOTIFICATION_MESSAGE_ID_DOMAIN = urlsplit(PORTAL_BASE_URL).hostname or "localhost"
# /healthz answers 503 when beat's outbox sweep (every minute) has not run for this long.
BEAT_STALE_AFTER = _int("BEAT_STALE_AFTER", 300)

# --- Authentication (allauth) ----------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "core.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# R-POR-4: the response is the same either way; only an existing account receives an e-mail.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Password changes and two-factor changes are e-mailed to the person (and audited by the adapter).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Confirming a sensitive change asks for the password or a two-factor code, never an e-mailed code.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# The client's address, for allauth's rate limits and sessions and for our audit log alike
# (portal.services.client_ip): how many proxies of ours append to X-Forwarded-For in front of the
# app. 0 (no proxy) ignores the header, which any client can forge; 1 behind the one
# TLS-terminating proxy takes the address that proxy appended. The app server must then be
# reachable only through that proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = _int("ALLAUTH_TRUSTED_PROXY_COUNT", 0, minimum=0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PROVIDER_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PROVIDER_NAME
MFA_ADAPTER = "core.mfa.PortalMFAAdapter"
# Session activity is written by core.middleware.SessionActivityMiddleware, at most once per
# interval per session (allauth's own tracking writes on every request).
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_ACTIVITY_INTERVAL = _int("SESSION_ACTIVITY_INTERVAL", 5 * 60)
INVITATION_VALID_DAYS = _int("INVITATION_VALID_DAYS", 7)
# The provider's catch-all for work routed by e-mail: every mailbox below that is not set falls
# back to it, so an escalation, a customer's reply or a request outside the catalog always
# reaches someone. `manage.py check --deploy` fails when a routing mailbox ends up empty.
# In development it is a local address, so the e-mails show under var/mail like the others.
SUPPORT_FALLBACK_MAILBOX = _email("SUPPORT_FALLBACK_MAILBOX", "support@localhost" if DEBUG else "")
# Where a customer's message goes when the account-team role it is for is vacant and that role
# has no team mailbox in admin (R-TEAM, R-POR-6).
TEAM_MAILBOX = _email("TEAM_MAILBOX", "") or SUPPORT_FALLBACK_MAILBOX
SERVICES_PAGE_SIZE = _int("SERVICES_PAGE_SIZE", 25)
FEEDBACK_PER_HOUR = _int("FEEDBACK_PER_HOUR", 5)
# R-ORD default: TP4 goes out this many business days before the installation date.
ORDER_REMINDER_BUSINESS_DAYS = _int("ORDER_REMINDER_BUSINESS_DAYS", 2)
ORDERS_PAGE_SIZE = _int("ORDERS_PAGE_SIZE", 25)
# Trouble tickets (R-TT): where the TSC queue hears of customer replies and escalations, how big
# an attachment may be, and when a resolved ticket closes (and can no longer be reopened).
TSC_MAILBOX = _email("TSC_MAILBOX", "") or SUPPORT_FALLBACK_MAILBOX
TICKET_ATTACHMENT_MAX_MB = _int("TICKET_ATTACHMENT_MAX_MB", 10)
TICKET_CLOSE_AFTER_DAYS = _int("TICKET_CLOSE_AFTER_DAYS", 5)
TICKETS_PAGE_SIZE = _int("TICKETS_PAGE_SIZE", 25)
# CSV exports (issue 15): up to this many rows a download streams at once; a larger one is
# prepared by a worker and offered for download, kept this many hours; one that has made no
# progress for this many seconds (its worker died) is marked failed, so it can be asked again.
CSV_EXPORT_INLINE_MAX_ROWS = _int("CSV_EXPORT_INLINE_MAX_ROWS", 5000, minimum=0)
CSV_EXPORT_KEEP_HOURS = _int("CSV_EXPORT_KEEP_HOURS", 72, minimum=1)
CSV_EXPORT_STALE_AFTER = _int("CSV_EXPORT_STALE_AFTER", 600, minimum=60)
# Changes and maintenance: R-CHG-4 analysis time, R-GCR-3 A.1 window (local hours of each site)
# and A.2 notice, where a need outside the catalog goes (R-CHG-6) when the customer has nobody.
CHANGE_ANALYSIS_BUSINESS_HOURS = _int("CHANGE_ANALYSIS_BUSINESS_HOURS", 72)
CHANGES_PAGE_SIZE = _int("CHANGES_PAGE_SIZE", 25)
MAINTENANCE_WINDOW_START_HOUR = _int("MAINTENANCE_WINDOW_START_HOUR", 0)
MAINTENANCE_WINDOW_END_HOUR = _int("MAINTENANCE_WINDOW_END_HOUR", 6)
MAINTENANCE_NOTICE_DAYS = _int("MAINTENANCE_NOTICE_DAYS", 10)
SERVICE_MANAGEMENT_MAILBOX = _email("SERVICE_MANAGEMENT_MAILBOX", "") or SUPPORT_FALLBACK_MAILBOX
CHANGE_MANAGEMENT_MAILBOX = _email("CHANGE_MANAGEMENT_MAILBOX", "") or SUPPORT_FALLBACK_MAILBOX
# Billing (R-BIL): where inquiries go when the customer has no Billing Customer Care person and
# that role has no team mailbox, how many months of invoices customers see, list page size, and
# the largest invoice PDF staff may upload.
BILLING_MAILBOX = _email("BILLING_MAILBOX", "") or SUPPORT_FALLBACK_MAILBOX
BILLING_MONTHS = _int("BILLING_MONTHS", 24)
BILLING_PAGE_SIZE = _int("BILLING_PAGE_SIZE", 25)
INVOICE_PDF_MAX_MB = _int("INVOICE_PDF_MAX_MB", 20)

# --- Uploads (portal.uploads) ---------------------------------------------------------------
# The largest request body the portal reads: all the files and fields of one form. The largest
# real need is a ticket reply with 10 files (tickets.forms.MAX_FILES) of TICKET_ATTACHMENT_MAX_MB
# each; staff upload invoice PDFs of INVOICE_PDF_MAX_MB and imports of at most 10 MB. 5 MB more
# cover the form's fields and the multipart framing. A larger multipart body is refused (413)
# before any of it is read or written to FILE_UPLOAD_TEMP_DIR; the proxy's limit must match.
REQUEST_BODY_MAX_MB = _int(
    "REQUEST_BODY_MAX_MB", max(10 * TICKET_ATTACHMENT_MAX_MB, INVOICE_PDF_MAX_MB) + 5
)
_largest_file_mb = max(TICKET_ATTACHMENT_MAX_MB, INVOICE_PDF_MAX_MB, 10)
if _largest_file_mb >= REQUEST_BODY_MAX_MB:
    raise ImproperlyConfigured(
        f"REQUEST_BODY_MAX_MB ({REQUEST_BODY_MAX_MB}) must be larger than the largest single file "
        "the portal accepts (TICKET_ATTACHMENT_MAX_MB, INVOICE_PDF_MAX_MB, 10 MB imports)."
    )
FILE_UPLOAD_HANDLERS = [
    "core.lib.uploads.BodyLimitUploadHandler",  # first: it refuses before the others store
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The fields of a request without its files (Django's default, written out because the body
# limit relies on it): a larger urlencoded body is refused before it is read, with the 413 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- What a customer may send to third parties from the provider's mail domain ---------------
# People copied on a ticket: at most TICKET_WATCHERS_MAX on one ticket, and at most
# TICKET_WATCHERS_PER_DAY added by one customer in 24 hours. Confirmation links to notification
# contacts (new contacts, changed addresses, re-sent links) and invitations (new and re-sent),
# per customer in 24 hours. Over a cap the page answers 429 and says so.
TICKET_WATCHERS_MAX = _int("TICKET_WATCHERS_MAX", 10)
TICKET_WATCHERS_PER_DAY = _int("TICKET_WATCHERS_PER_DAY", 20)
CONTACT_CONFIRMATIONS_PER_DAY = _int("CONTACT_CONFIRMATIONS_PER_DAY", 20)
INVITATIONS_PER_DAY = _int("INVITATIONS_PER_DAY", 30)

# --- Sessions and security -------------------------------------------------------------------
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if _bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Languages and time ----------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known IANA time zone: {TIME_ZONE!r}.") from None

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Operations ---------------------------------------------------------------------------------
# /metrics (Prometheus) answers only a request with `Authorization: Bearer <METRICS_TOKEN>`; with
# no token it does not exist.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured(
        "METRICS_TOKEN must be at least 24 characters (openssl rand -hex 24)."
    )

# Errors to Sentry (portal/sentry.py): nothing personal is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="").strip()
if SENTRY_DSN:
    from portal.sentry import sentry_init  # noqa: PLC0415 - sentry-sdk loads only when asked for

    sentry_init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )

# --- Private files (attachments, invoice PDFs, contract supports, CSV exports) -----------------
# STORAGE_URL=file:// (the default) keeps them under MEDIA_ROOT on this machine's disk, for
# `make run`. Several web and worker machines share one S3-compatible bucket instead:
#   s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?region=us-east-1&tls=false&prefix=media
# (keys percent-encoded; without keys, boto3's own chain: AWS_* variables, an instance role).
# The bucket stays private: files leave only through the permission-checked download views
# (core.lib.downloads), streamed or as a presigned URL (STORAGE_DOWNLOADS=redirect) that
# expires after STORAGE_URL_EXPIRY seconds and forces a download.
STORAGE_URL = _url("STORAGE_URL", "file://", {"file", "s3"})


def _storage_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "file":  # under MEDIA_ROOT, below
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config as BotoConfig  # noqa: PLC0415 - only S3 set-ups load it

    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    bucket = parts.path.strip("/")
    if not parts.hostname or not bucket or "/" in bucket:
        raise ImproperlyConfigured(
            f"STORAGE_URL needs a host and a bucket: s3://KEY:SECRET@host:port/bucket; got {url!r}."
        )
    tls = query.get("tls", "true").lower() not in ("0", "false", "no", "off")
    endpoint = f"{'https' if tls else 'http'}://{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": query.get("region", "us-east-1"),
            "access_key": unquote(parts.username or "") or None,
            "secret_key": unquote(parts.password or "") or None,
            "location": query.get("prefix", "").strip("/"),
            # Private: no ACL of our own (the bucket's policy decides, and it grants nobody),
            # signed URLs only, and an upload never replaces another file of the same name.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": STORAGE_URL_EXPIRY,
            "file_overwrite": False,
            # (S3Storage ignores its addressing_style and signature_version options once a
            # client_config is given: they are set here.) A bucket that does not answer costs a
            # request seconds, not minutes: the download says "try again", the outbox retries.
            "client_config": BotoConfig(
                s3={"addressing_style": query.get("addressing", "path")},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }


STORAGE_DOWNLOADS = env.str("STORAGE_DOWNLOADS", default="stream")
if STORAGE_DOWNLOADS not in ("stream", "redirect"):
    raise ImproperlyConfigured(
        f"STORAGE_DOWNLOADS must be stream or redirect; got {STORAGE_DOWNLOADS!r}."
    )
STORAGE_URL_EXPIRY = _int("STORAGE_URL_EXPIRY", 60, minimum=5)
if STORAGE_URL_EXPIRY > 60:
    raise ImproperlyConfigured("STORAGE_URL_EXPIRY is at most 60 seconds: a link must not last.")
if STORAGE_DOWNLOADS == "redirect" and not STORAGE_URL.startswith("s3"):
    raise ImproperlyConfigured("STORAGE_DOWNLOADS=redirect needs an S3 STORAGE_URL.")

STORAGES = {
    "default": _storage_from_url(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def _media_root(url: str) -> Path:
    """Where STORAGE_URL=file://path keeps the files (var/media by default), and where
    media_migrate reads them from."""
    parts = urlsplit(url)
    written = parts.netloc + parts.path if parts.scheme == "file" else ""
    path = Path(written) if written else VAR_DIR / "media"
    return path if path.is_absolute() else BASE_DIR / path


MEDIA_ROOT = _media_root(STORAGE_URL)

# LOG_FORMAT=json: one JSON object per line, each with the request id that follows a request into
# the Celery tasks it queues (core/lib/request_id.py); text (the default) for a person reading.
LOG_FORMAT = env.str("LOG_FORMAT", default="text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.lib.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.lib.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
