import logging

from django.conf import settings
from django.db import connection

from portal.celery import app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


def health_status() -> dict:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    return {
        "status": "ok" if all(checks.values()) else "error",
        **{name: "ok" if ok else "error" for name, ok in checks.items()},
    }
