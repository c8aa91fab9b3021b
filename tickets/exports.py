"""The tickets CSV (R-TT-1): the customer's filtered list, one row per ticket, with its SLA clock
(R-TT-3) to the second. Read as plain values in three queries whatever the number of rows (the
tickets, their services, their pauses), each streamed in the list's own order and joined here as
they arrive, so a long export holds a few rows in memory, not the whole file. No message of the
conversation is read, so no internal note can reach the file.

The download (tickets/views/tickets.py) and the background export (core/services/exports.py)
both write these rows."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.exports import ExportKind, export_kind_register
from core.models import Area, Customer
from tickets import selectors
from tickets.forms import TicketFilterForm
from tickets.models import Impact, PauseInterval, Ticket
from tickets.sla import Interval, clock, sla_state_of

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
FILTERS = ("q", "status", "impact", "service", "opened_by", "opened_from", "opened_to")
CHUNK_SIZE = 1000  # rows fetched at a time from each of the three queries
_FIELDS = (
    "id",
    "number",
    "subject",
    "impact",
    "status",
    "channel",
    "opened_by__email",
    "opened_at",
    "problem_started_at",
    "response_target",
    "restoration_target",
    "restored_at",
    "resolved_at",
    "first_response_at",
)
ORDER = ("-opened_at", "-id")  # the list's (tickets.selectors), which the followers keep


def _minutes(delta: timedelta | None) -> str:
    return "" if delta is None else str(int(delta.total_seconds() // 60))


class _Follower:
    """Rows of another query, each starting with its ticket's (opened_at, id) and sorted like
    the tickets (newest first): `take(key)` returns that ticket's rows, moving forward only. A
    ticket opened or deleted between the queries is skipped on either side, never shifting the
    rows of the others."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._groups = groupby(rows, key=itemgetter(0, 1))
        self._next = next(self._groups, None)

    def take(self, key: tuple[datetime, int]) -> list[tuple]:
        while self._next is not None and self._next[0] > key:  # not among the tickets read
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != key:
            return []
        rows = list(self._next[1])
        self._next = next(self._groups, None)
        return rows


def ticket_csv_count(tickets: QuerySet[Ticket]) -> int:
    return tickets.order_by().count()


def ticket_csv_rows(tickets: QuerySet[Ticket], *, now: datetime) -> Iterator[list[str]]:
    """The rows of `tickets` (a queryset of tickets.selectors.tickets_for_customer) at `now`,
    dates in the active timezone and words in the active language."""
    ids = tickets.order_by().values("id")
    by_ticket = ("-ticket__opened_at", "-ticket_id")
    services = _Follower(
        Ticket.services.through.objects.filter(ticket_id__in=ids)
        .order_by(*by_ticket, "service__service_id")
        .values_list("ticket__opened_at", "ticket_id", "service__service_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    pauses = _Follower(
        PauseInterval.objects.filter(ticket_id__in=ids)
        .order_by(*by_ticket, "started_at")
        .values_list("ticket__opened_at", "ticket_id", "started_at", "ended_at")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    rows = tickets.order_by(*ORDER).values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)

    # Everything that is the same for every row, once.
    zone = timezone.get_current_timezone()
    impacts = {value: str(label) for value, label in Impact.choices}
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    channels = {value: str(label) for value, label in Ticket.Channel.choices}
    by_phone = _("By phone")

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    for (
        ticket_id,
        number,
        subject,
        impact,
        status,
        channel,
        opened_by,
        opened_at,
        problem_started_at,
        response_target,
        restoration_target,
        restored_at,
        resolved_at,
        first_response_at,
    ) in rows:
        key = (opened_at, ticket_id)
        sla = clock(
            opened_at=opened_at,
            target=restoration_target,
            response_target=response_target,
            pauses=[Interval(start, end) for *_key, start, end in pauses.take(key)],
            now=now,
            restored_at=restored_at,
            first_response_at=first_response_at,
        )
        yield [
            number,
            subject,
            " ".join(service_id for *_key, service_id in services.take(key)),
            impacts.get(impact, impact),
            statuses.get(status, status),
            channels.get(channel, channel),
            by_phone if channel == Ticket.Channel.PHONE else opened_by,
            when(opened_at),
            when(problem_started_at),
            _minutes(response_target),
            _minutes(restoration_target),
            _minutes(sla.elapsed),
            _minutes(sla.paused),
            sla_state_of(status, sla),
            when(sla.deadline),
            when(restored_at),
            when(resolved_at),
        ]


# --- as a background export (core/exports.py): above CSV_EXPORT_INLINE_MAX_ROWS --------------


def _filtered(customer: Customer, params: dict[str, str]) -> QuerySet[Ticket]:
    form = TicketFilterForm(params or None, customer=customer)
    if form.is_bound and not form.is_valid():
        raise DomainError(_("These filters are not valid: correct them on the list first."))
    return selectors.tickets_for_customer(customer, **form.filters())


TICKETS_EXPORT = export_kind_register(
    ExportKind(
        key="tickets",
        area=Area.TICKETS,
        label=gettext_lazy("Trouble tickets"),
        columns=CSV_COLUMNS,
        filters=FILTERS,
        count=lambda customer, params: ticket_csv_count(_filtered(customer, params)),
        rows=lambda customer, params, now: ticket_csv_rows(_filtered(customer, params), now=now),
        filename=lambda local: f"tickets-{local:%Y%m%d-%H%M}.csv",
        list_url="tickets:list",
    )
)
