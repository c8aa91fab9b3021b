"""A manage.py subprocess that starts from a clean environment with production values, for
the tests of settings read from the environment (test_settings.py, test_sentry.py)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Every variable the settings read: the subprocesses start from none of the caller's values.
_SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "PROVIDER_NAME",
    "PORTAL_BASE_URL",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "INVITATION_VALID_DAYS",
    "TEAM_MAILBOX",
    "SERVICES_PAGE_SIZE",
    "FEEDBACK_PER_HOUR",
    "EMAIL_RETRY_BACKOFF",
    "NOTIFICATION_MAX_ATTEMPTS",
    "NOTIFICATION_RETRY_SCHEDULE",
    "NOTIFICATION_CLAIM_TIMEOUT",
    "NOTIFICATION_MAX_WORKER_LOSSES",
    "BEAT_STALE_AFTER",
    "SUPPORT_FALLBACK_MAILBOX",
    "ORDER_REMINDER_BUSINESS_DAYS",
    "ORDERS_PAGE_SIZE",
    "TSC_MAILBOX",
    "TICKET_ATTACHMENT_MAX_MB",
    "TICKET_CLOSE_AFTER_DAYS",
    "TICKETS_PAGE_SIZE",
    "CHANGE_ANALYSIS_BUSINESS_HOURS",
    "CHANGES_PAGE_SIZE",
    "MAINTENANCE_WINDOW_START_HOUR",
    "MAINTENANCE_WINDOW_END_HOUR",
    "MAINTENANCE_NOTICE_DAYS",
    "SERVICE_MANAGEMENT_MAILBOX",
    "CHANGE_MANAGEMENT_MAILBOX",
    "BILLING_MAILBOX",
    "BILLING_MONTHS",
    "BILLING_PAGE_SIZE",
    "INVOICE_PDF_MAX_MB",
    "REQUEST_BODY_MAX_MB",
    "TICKET_WATCHERS_MAX",
    "TICKET_WATCHERS_PER_DAY",
    "CONTACT_CONFIRMATIONS_PER_DAY",
    "INVITATIONS_PER_DAY",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "TIME_ZONE",
    "LOG_LEVEL",
    "STORAGE_URL",
    "METRICS_TOKEN",
    "SENTRY_DSN",
    "SENTRY_ENVIRONMENT",
    "SENTRY_RELEASE",
    "STORAGE_DOWNLOADS",
    "STORAGE_URL_EXPIRY",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_VARIABLES}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.com",
        EMAIL_URL="smtp://mail.example.com:587",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        SUPPORT_FALLBACK_MAILBOX="support@example.com",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
