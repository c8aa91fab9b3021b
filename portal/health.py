"""/healthz: the database, the broker, beat (its last outbox sweep) and the outbox backlog.

Anonymous callers reach it, so every check is cheap: the broker probe, which may take its full
timeout when the broker is unreachable, runs at most once per BROKER_PROBE_TTL in each process
(one caller probes, the others read its answer); the outbox figures come from two small partial
indexes and one primary-key read.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.db.models.functions import Now

from core.models import Heartbeat, Notification
from core.services.outbox import BEAT
from portal.celery import app

logger = logging.getLogger(__name__)

BROKER_PROBE_TTL = 15.0


@dataclass
class _Probe:
    ok: bool
    at: float


_probes: dict[str, _Probe] = {}
_probe_lock = threading.Lock()


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: database unreachable")
        return False


def _broker_probe(url: str) -> bool:
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


def _broker_ok() -> bool:
    """The last probe of this broker if it is recent; else probe, unless another request of
    this process is probing right now (then its previous answer stands)."""
    url = settings.CELERY_BROKER_URL
    last = _probes.get(url)
    if last is not None and time.monotonic() - last.at < BROKER_PROBE_TTL:
        return last.ok
    if not _probe_lock.acquire(blocking=False):
        # Another request is probing: its previous answer, or (the very first probe still
        # running) no verdict yet rather than a second request waiting on the broker.
        return last.ok if last is not None else True
    try:
        ok = _broker_probe(url)
        _probes[url] = _Probe(ok=ok, at=time.monotonic())
        return ok
    finally:
        _probe_lock.release()


def _seconds(delta) -> int:
    return max(int(delta.total_seconds()), 0)


def _beat() -> tuple[dict, bool, object]:
    """Seconds since beat's last sweep, whether that is on time, and the database's clock. A
    deployment where beat never ran yet counts from the first time /healthz looked (the row is
    created then), so a fresh start has BEAT_STALE_AFTER for beat to come up."""
    Heartbeat.objects.get_or_create(name=BEAT, defaults={"created_at": Now()})
    row = (
        Heartbeat.objects.annotate(now=Now()).values("beat_at", "created_at", "now").get(name=BEAT)
    )
    now = row["now"]
    if row["beat_at"] is None:
        late = _seconds(now - row["created_at"]) > settings.BEAT_STALE_AFTER
        return (
            {"beat": "never ran" if late else "starting", "beat_age_seconds": None},
            not late,
            now,
        )
    age = _seconds(now - row["beat_at"])
    late = age > settings.BEAT_STALE_AFTER
    return {"beat": "late" if late else "ok", "beat_age_seconds": age}, not late, now


def _outbox(now) -> dict:
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    oldest = Notification.objects.filter(
        status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return {
        "failed_notifications": failed,
        "oldest_due_pending_seconds": None if oldest is None else _seconds(now - oldest),
    }


def health_status() -> dict:
    """ "ok" (HTTP 200) when the database and the broker answer and beat swept within
    BEAT_STALE_AFTER. Failed and waiting e-mails are reported for alerting, not judged here."""
    database = _database_ok()
    broker = _broker_ok()
    status = {"database": "ok" if database else "error", "broker": "ok" if broker else "error"}
    beat_ok = False
    if database:
        beat, beat_ok, now = _beat()
        status.update(beat, **_outbox(now))
    return {"status": "ok" if database and broker and beat_ok else "error", **status}
