"""The tickets CSV streams (issue 15): the same file as the one built from the models before,
row for row and to the second, in a fixed number of queries whatever the number of tickets.
(Its figures, first byte and CPU for 2,000 rows, are in tests/tickets/test_export_benchmark.py.)"""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.models import Level
from tests.factories import MembershipFactory, ServiceFactory, TicketFactory, UserFactory
from tickets.models import PauseInterval, Ticket
from tickets.sla import sla_state, ticket_clock

pytestmark = pytest.mark.django_db

# The export's header, written out: the contract with the customers' spreadsheets.
CSV_COLUMNS = [
    "number",
    "subject",
    "services",
    "impact",
    "status",
    "opened_through",
    "opened_by",
    "opened_at",
    "problem_started_at",
    "response_target_minutes",
    "restoration_target_minutes",
    "sla_elapsed_minutes",
    "sla_paused_minutes",
    "sla_state",
    "restoration_deadline",
    "service_restored_at",
    "resolved_at",
]
NOW = datetime.datetime(2026, 12, 7, 15, 30, 45, tzinfo=datetime.UTC)
URL = reverse("tickets:export")


def _minutes(delta):
    return "" if delta is None else str(int(delta.total_seconds() // 60))


def _when(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _cells_from_the_model(ticket: Ticket) -> list[str]:
    """The row as the export built it before it streamed: from the model, its prefetched
    services and pauses and ticket_clock."""
    clock = ticket_clock(ticket, now=NOW)
    by = "Por teléfono" if ticket.channel == Ticket.Channel.PHONE else ticket.opened_by.email
    return [
        ticket.number,
        ticket.subject if not ticket.subject.startswith("=") else "'" + ticket.subject,
        " ".join(s.service_id for s in ticket.services.order_by("service_id")),
        ticket.get_impact_display(),
        ticket.get_status_display(),
        ticket.get_channel_display(),
        by,
        _when(ticket.opened_at),
        _when(ticket.problem_started_at),
        _minutes(ticket.response_target),
        _minutes(ticket.restoration_target),
        _minutes(clock.elapsed),
        _minutes(clock.paused),
        sla_state(ticket, clock),
        _when(clock.deadline),
        _when(ticket.restored_at),
        _when(ticket.resolved_at),
    ]


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = response.getvalue()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _pause(ticket, start, end=None):
    PauseInterval.objects.create(
        ticket=ticket, reason=PauseInterval.Reason.SITE_ACCESS, started_at=start, ended_at=end
    )


@pytest.fixture
def tickets(customer, portal_admin_user):
    """One of each kind the clock treats differently, opened at odd seconds."""
    at = NOW - datetime.timedelta(hours=30, seconds=17)
    services = [ServiceFactory(customer=customer, service_id=f"AR-BUE-{n}") for n in (3, 1, 2)]
    made = []
    for n in range(6):
        opened = at + datetime.timedelta(hours=n * 4, seconds=n * 7)
        made.append(
            TicketFactory(
                customer=customer,
                opened_by=portal_admin_user,
                opened_at=opened,
                impact=("down", "degraded", "no_impact")[n % 3],
                services=services[: 1 + n % 3],
            )
        )
    running, paused, waiting, restored, by_phone, cancelled = made
    _pause(
        paused,
        paused.opened_at + datetime.timedelta(minutes=13, seconds=5),
        paused.opened_at + datetime.timedelta(minutes=59, seconds=1),
    )
    _pause(
        paused, paused.opened_at + datetime.timedelta(hours=2), NOW - datetime.timedelta(hours=1)
    )
    _pause(waiting, NOW - datetime.timedelta(minutes=41, seconds=3))  # still paused
    Ticket.objects.filter(pk=waiting.pk).update(status=Ticket.Status.WAITING_CUSTOMER)
    Ticket.objects.filter(pk=restored.pk).update(
        status=Ticket.Status.RESOLVED,
        restored_at=restored.opened_at + datetime.timedelta(hours=1, seconds=59),
        resolved_at=restored.opened_at + datetime.timedelta(hours=2),
    )
    Ticket.objects.filter(pk=by_phone.pk).update(channel=Ticket.Channel.PHONE, subject="=1+1")
    Ticket.objects.filter(pk=cancelled.pk).update(status=Ticket.Status.CANCELLED)
    return made


def test_the_export_streams_the_same_rows_as_the_models_give_to_the_second(
    portal_admin_client, portal_admin_user, tickets
):
    portal_admin_user.language = "es"
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    with time_machine.travel(NOW, tick=False):
        response = portal_admin_client.get(URL)
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="tickets-20261207-1230.csv"'
        assert "no-store" in response["Cache-Control"]
        rows = _rows(response)
        with translation.override("es"), timezone.override("America/Argentina/Buenos_Aires"):
            expected = [
                _cells_from_the_model(t)
                for t in Ticket.objects.order_by("-opened_at", "-id").prefetch_related("pauses")
            ]

    assert rows[0] == CSV_COLUMNS
    assert rows[1:] == expected
    by_number = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    states = [by_number[ticket.number]["sla_state"] for ticket in tickets]
    assert states == ["breached", "running", "paused", "met", "breached", "cancelled"]
    paused = by_number[tickets[1].number]
    assert paused["sla_paused_minutes"] == "1426"  # 45:56 and 23:00:10 paused: 23:46:06
    assert by_number[tickets[4].number]["opened_by"] == "Por teléfono"
    assert by_number[tickets[4].number]["subject"] == "'=1+1"  # a formula is defused
    assert by_number[tickets[1].number]["services"] == "AR-BUE-1 AR-BUE-3"  # sorted


def test_the_header_leaves_before_any_row_is_read(portal_admin_client, tickets):
    response = portal_admin_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        first = next(iter(response.streaming_content))
    assert first == ("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n").encode()
    assert len(queries) == 0
    response.close()


def test_the_rows_are_read_in_three_queries_for_one_ticket_or_three_hundred(
    portal_admin_client, customer, portal_admin_user
):
    def queries_of_the_rows() -> int:
        response = portal_admin_client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            body = response.getvalue()
        assert body.count(b"\n") == Ticket.objects.count() + 1
        return len(queries)

    TicketFactory(customer=customer, opened_by=portal_admin_user)
    one = queries_of_the_rows()
    service = ServiceFactory(customer=customer)
    for n in range(300):
        ticket = TicketFactory(
            customer=customer, services=[service, ServiceFactory(customer=customer)]
        )
        if n % 3 == 0:
            _pause(ticket, ticket.opened_at, ticket.opened_at + datetime.timedelta(minutes=n))
    many = queries_of_the_rows()
    assert one == many == 3


def test_another_customers_tickets_are_not_in_the_export(client, other_user, tickets):
    client.force_login(other_user)
    rows = _rows(client.get(URL))
    assert rows == [CSV_COLUMNS]


def test_the_export_follows_the_readers_language_and_timezone(client, customer, tickets):
    reader = UserFactory(language="en", timezone="Asia/Tokyo")
    MembershipFactory(user=reader, customer=customer, tickets=Level.VIEW)
    client.force_login(reader)
    rows = _rows(client.get(URL, {"status": "cancelled"}))
    assert rows[1][4] == "Cancelled"
    assert rows[1][7].endswith("+09:00")
