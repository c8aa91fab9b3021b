"""/metrics: what an on-call engineer graphs and alerts on, in Prometheus' text format.

- Requests: a count and a latency histogram per view (the URL's name, never its path: a ticket
  number in a label would make a series per ticket), method and status.
- Read from the database at each scrape (one aggregate query each, no cache): the outbox by
  status, the age of the oldest row that is due and not sent, e-mails failed in the last day,
  beat's last run, open tickets by SLA state (R-TT-3, as the staff's "breached" filter counts
  them), and whether the mail relay is failing, with its last error.
- The Celery queue's length, read from the broker (Redis).

Nobody reaches it without METRICS_TOKEN (`Authorization: Bearer …`); with no token set it does
not exist (404). Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes the request figures the sum of
every worker process (portal/gunicorn.conf.py clears a dead worker's files); without it a
scrape sees the figures of the one process that answered.
"""

import hmac
import logging
import os
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from core.models import Heartbeat, Notification
from core.scopes import scopes_disabled
from core.services.outbox import BEAT, db_now
from tickets.selectors import ticket_sla_counts

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by view (URL name), method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by view (URL name).",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetricsMiddleware:
    """Counts and times every request, first in, last out (the whole middleware stack)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unresolved"
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def _queue_length() -> float | None:
    """Messages waiting in Celery's default queue (its priority lists included); None when the
    broker is not Redis or does not answer."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    queue = "celery"
    # kombu's Redis transport keeps priorities 3, 6 and 9 in lists of their own.
    keys = [queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))]
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.llen(key)
            return float(sum(pipe.execute()))
    except redis.RedisError:
        logger.warning("metrics: the broker did not answer", exc_info=True)
        return None


class PortalCollector(Collector):
    """The figures read at each scrape."""

    def collect(self):
        with scopes_disabled():
            yield from self._outbox()
            yield from self._beat()
            yield from self._tickets()
        queued = _queue_length()
        up = GaugeMetricFamily("portal_celery_broker_up", "1 if the broker answered the scrape.")
        up.add_metric([], 0.0 if queued is None else 1.0)
        yield up
        if queued is not None:
            yield GaugeMetricFamily(
                "portal_celery_queue_length",
                "Tasks waiting in the broker for a worker (Celery's default queue).",
                value=queued,
            )

    def _outbox(self):
        now = db_now()
        by_status = dict(
            Notification.objects.values_list("status").annotate(rows=Count("id")).order_by()
        )
        rows = GaugeMetricFamily(
            "portal_outbox_notifications", "Outbox rows (e-mails) by status.", labels=["status"]
        )
        for status in Notification.Status.values:
            rows.add_metric([status], float(by_status.get(status, 0)))
        yield rows
        figures = Notification.objects.aggregate(
            oldest_due=Min(
                "next_attempt_at",
                filter=Q(status=Notification.Status.PENDING, next_attempt_at__lte=now),
            ),
            failed_day=Count(
                "id",
                filter=Q(
                    status=Notification.Status.FAILED, created_at__gte=now - timedelta(days=1)
                ),
            ),
            relay_waiting=Count(
                "id", filter=Q(status=Notification.Status.PENDING, relay_fault=True)
            ),
        )
        oldest = figures["oldest_due"]
        yield GaugeMetricFamily(
            "portal_outbox_oldest_due_seconds",
            "Age of the oldest e-mail that is due and not sent yet (0: none is waiting).",
            value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "portal_outbox_failed_last_day",
            "E-mails written in the last 24 hours that failed for good (staff see them in admin).",
            value=float(figures["failed_day"]),
        )
        failing = GaugeMetricFamily(
            "portal_mail_relay_failing",
            "1 while e-mails wait because the mail relay cannot be reached or refuses our login.",
        )
        failing.add_metric([], 1.0 if figures["relay_waiting"] else 0.0)
        yield failing
        last = (
            Notification.objects.filter(relay_fault=True)
            .exclude(last_error="")
            .order_by("-pk")
            .values_list("last_error", flat=True)
            .first()
        )
        if last:
            info = InfoMetricFamily(
                "portal_mail_relay_last_error", "The last error the mail relay gave."
            )
            info.add_metric([], {"error": " ".join(last.split())[:200]})
            yield info

    def _beat(self):
        row = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
        if row is None:
            return
        yield GaugeMetricFamily(
            "portal_beat_last_run_timestamp_seconds",
            "When beat last swept the outbox (Unix time, the database's clock).",
            value=row.timestamp(),
        )

    def _tickets(self):
        counts = ticket_sla_counts(now=timezone.now())
        tickets = GaugeMetricFamily(
            "portal_tickets_open",
            "Active trouble tickets by SLA state: running, paused (waiting for the customer), "
            "breached, restored (clock stopped, not yet resolved).",
            labels=["sla_state"],
        )
        for state, number in counts.items():
            tickets.add_metric([state], float(number))
        yield tickets


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return registry


_collector = PortalCollector()


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    supplied = request.headers.get("Authorization", "")
    if not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = _registry()
    # The database figures are collected for this scrape only, beside the request counters.
    scrape = CollectorRegistry()
    scrape.register(_collector)
    body = generate_latest(registry) + generate_latest(scrape)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
