"""/metrics (issue 16, part 3): a bearer token or nothing; requests by view; the outbox, beat,
the broker's queue and the open tickets by SLA state, read at each scrape."""

import re
from datetime import timedelta

import pytest
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from core.models import Heartbeat, Notification
from core.services.outbox import notifications_sweep
from tests.factories import NotificationFactory, TicketFactory
from tickets.models import PauseInterval, Ticket

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def _scrape() -> str:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        assert "no-cache" in response["Cache-Control"]
        return response.content.decode()

    return _scrape


def _value(text: str, name: str, **labels: str) -> float | None:
    """The sample `name{labels}` of a scrape (labels in any order), or None."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_:]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2] or ""))
        if found == labels:
            return float(match[3])
    return None


def test_without_a_token_there_is_no_metrics_page(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token-0123456789abcdef", TOKEN])
def test_a_scrape_without_the_right_bearer_token_is_refused(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/metrics", **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "portal_" not in response.content.decode()


def test_requests_are_counted_and_timed_by_view_name_never_by_path(
    scrape, portal_admin_client, customer, portal_admin_user
):
    ticket = TicketFactory(customer=customer, opened_by=portal_admin_user)
    before = scrape()
    counted = {"view": "tickets:detail", "method": "GET", "status": "200"}
    start = _value(before, "portal_http_requests_total", **counted) or 0.0
    timed = _value(before, "portal_http_request_duration_seconds_count", view="tickets:detail")

    for _ in range(3):
        page = portal_admin_client.get(reverse("tickets:detail", kwargs={"number": ticket.number}))
        assert page.status_code == 200
    assert portal_admin_client.get("/tickets/TT-0000-000000/").status_code == 404

    after = scrape()
    assert _value(after, "portal_http_requests_total", **counted) == start + 3
    assert (
        _value(after, "portal_http_request_duration_seconds_count", view="tickets:detail")
        == (timed or 0.0) + 3 + 1
    )  # the 404 was this view's too
    assert ticket.number not in after


def test_the_outbox_beat_and_the_relay_are_read_at_each_scrape(scrape, customer, settings):
    settings.CELERY_BROKER_URL = (
        "filesystem://"  # a real Redis: tests/integration/test_metrics_queue
    )
    notifications_sweep()  # beat ran now

    def row(event: str, **values) -> Notification:
        return NotificationFactory.create(
            key=event, event=event, customer=customer, reason=Notification.Reason.TEAM, **values
        )

    row("failed", status=Notification.Status.FAILED)
    row("due-for-ten-minutes", next_attempt_at=timezone.now() - timedelta(minutes=10))
    row("scheduled", next_attempt_at=timezone.now() + timedelta(days=1))
    row(
        "relay-down",
        next_attempt_at=timezone.now() + timedelta(minutes=5),
        relay_fault=True,
        last_error="ConnectionRefusedError: [Errno 111]\nConnection refused",
    )

    text = scrape()

    assert _value(text, "portal_outbox_notifications", status="pending") == 3
    assert _value(text, "portal_outbox_notifications", status="failed") == 1
    assert _value(text, "portal_outbox_notifications", status="sent") == 0
    assert 595 <= _value(text, "portal_outbox_oldest_due_seconds") <= 660
    assert _value(text, "portal_outbox_failed_last_day") == 1
    assert _value(text, "portal_mail_relay_failing") == 1
    assert (
        _value(
            text,
            "portal_mail_relay_last_error_info",
            error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
        == 1
    )
    beat = Heartbeat.objects.get(name="beat").beat_at.timestamp()
    assert _value(text, "portal_beat_last_run_timestamp_seconds") == pytest.approx(beat)
    # No Redis broker (the newcomer's filesystem queue): said, not guessed.
    assert _value(text, "portal_celery_broker_up") == 0
    assert _value(text, "portal_celery_queue_length") is None

    Heartbeat.objects.filter(name="beat").update(beat_at=Now() - timedelta(minutes=10))
    later = scrape()
    assert _value(later, "portal_beat_last_run_timestamp_seconds") == pytest.approx(
        beat - 600, abs=5
    )


def test_open_tickets_by_sla_state_agree_with_the_staffs_breached_filter(
    scrape, customer, other_customer, portal_admin_user, other_user, tsc_client
):
    """R-TT-3: a waiting ticket's clock stops; it is breached only if it was before it stopped."""
    now = timezone.now()
    hour = timedelta(hours=1)

    def ticket(owner, opener, status, deadline, **values):
        return TicketFactory(
            customer=owner,
            opened_by=opener,
            status=status,
            restoration_deadline=now + deadline,
            **values,
        )

    ticket(customer, portal_admin_user, Ticket.Status.OPEN, 2 * hour)  # running
    ticket(other_customer, other_user, Ticket.Status.IN_PROGRESS, hour)  # running
    ticket(customer, portal_admin_user, Ticket.Status.IN_PROGRESS, -hour)  # breached
    waiting = ticket(customer, portal_admin_user, Ticket.Status.WAITING_CUSTOMER, 3 * hour)
    PauseInterval.objects.create(
        ticket=waiting, reason="information", started_at=now - hour, ended_at=None
    )  # paused
    late = ticket(other_customer, other_user, Ticket.Status.WAITING_CUSTOMER, -2 * hour)
    PauseInterval.objects.create(
        ticket=late, reason="information", started_at=now - hour, ended_at=None
    )  # breached before the pause
    ticket(
        customer,
        portal_admin_user,
        Ticket.Status.IN_PROGRESS,
        hour,
        opened_at=now - 2 * hour,
        restored_at=now - hour,
    )  # restored in time
    ticket(
        customer,
        portal_admin_user,
        Ticket.Status.RESOLVED,
        -hour,
        opened_at=now - 3 * hour,
        restored_at=now - 2 * hour,
        resolved_at=now - hour,
    )  # not open: not counted

    text = scrape()

    counts = {
        state: _value(text, "portal_tickets_open", sla_state=state)
        for state in ("running", "paused", "breached", "restored")
    }
    assert counts == {"running": 2, "paused": 1, "breached": 2, "restored": 1}
    admin = tsc_client.get(reverse("admin:tickets_ticket_changelist") + "?breach=breached")
    assert admin.status_code == 200
    assert admin.context["cl"].result_count == counts["breached"]
