"""Every customer read of trouble tickets. Internal notes and internal attachments never leave
this module for a customer: the page, the e-mails, the exports all read through here."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.selectors import tsc_card_for_service
from core.models import Customer
from core.models.inventory import CHRONIC_DAYS, CHRONIC_TICKETS  # noqa: F401 - re-exported
from tickets.models import ESCALATION_INTERVAL, Attachment, Message, PauseInterval, Ticket
from tickets.sla import sla_state, ticket_clock

CUSTOMER_MESSAGE_KINDS = (Message.Kind.PUBLIC, Message.Kind.STATUS, Message.Kind.ESCALATION)
# A message of the conversation (every column) and, of its author, the name the page shows, not
# the whole account.
MESSAGE_COLUMNS = (
    *(field.attname for field in Message._meta.concrete_fields),
    "author__full_name",
    "author__email",
)


def tickets_for_customer(
    customer: Customer,
    *,
    status: str = "",
    impact: str = "",
    service: str = "",
    opened_by: str = "",
    opened_from: date | None = None,
    opened_to: date | None = None,
    q: str = "",
) -> QuerySet[Ticket]:
    tickets = (
        Ticket.objects.filter(customer=customer)
        .select_related("opened_by")
        .prefetch_related(
            "services", Prefetch("pauses", queryset=PauseInterval.objects.order_by("started_at"))
        )
    )
    if status == "active":
        tickets = tickets.filter(status__in=Ticket.ACTIVE_STATUSES)
    elif status:
        tickets = tickets.filter(status=status)
    if impact:
        tickets = tickets.filter(impact=impact)
    if service:
        tickets = tickets.filter(services__service_id=service)
    if opened_by == "phone":
        tickets = tickets.filter(channel=Ticket.Channel.PHONE)
    elif opened_by:
        tickets = tickets.filter(opened_by__email__iexact=opened_by)
    if opened_from:
        tickets = tickets.filter(opened_at__date__gte=opened_from)
    if opened_to:
        tickets = tickets.filter(opened_at__date__lte=opened_to)
    if q:
        tickets = tickets.filter(
            Q(number__icontains=q)
            | Q(subject__icontains=q)
            | Q(description__icontains=q)
            | Q(services__service_id__icontains=q)
        )
    if service or q:
        tickets = tickets.distinct()
    return tickets.order_by("-opened_at", "-id")


# What the SLA clock of a ticket reads (tickets.sla.ticket_clock), for pages that only count or
# list a few of them.
CLOCK_FIELDS = (
    "id",
    "customer_id",
    "number",
    "subject",
    "status",
    "opened_at",
    "response_target",
    "restoration_target",
    "first_response_at",
    "restored_at",
    "restoration_deadline",
)


# What a row of the list shows besides the clock: the list never loads a description, a
# resolution or the people's passwords.
LIST_ROW_FIELDS = (
    *CLOCK_FIELDS,
    "impact",
    "channel",
    "opened_by__id",
    "opened_by__full_name",
    "opened_by__email",
)


def ticket_list_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`tickets` (from tickets_for_customer) with the columns of the list's rows only; their
    services and pauses come from ticket_list_extras, for the page's tickets."""
    return tickets.prefetch_related(None).only(*LIST_ROW_FIELDS)


def ticket_list_extras(
    tickets: list[Ticket],
) -> tuple[dict[int, list[str]], dict[int, list[tuple[datetime, datetime | None]]]]:
    """The service ids and the pauses (started_at, ended_at) of a page of tickets, by ticket
    id: two queries of plain values, however many tickets, services and pauses."""
    ids = [ticket.pk for ticket in tickets]
    services: dict[int, list[str]] = {ticket_id: [] for ticket_id in ids}
    links = Ticket.services.through.objects.filter(ticket_id__in=ids)
    for ticket_id, service_id in links.order_by("service__service_id").values_list(
        "ticket_id", "service__service_id"
    ):
        services[ticket_id].append(service_id)
    return services, _pauses_of(tickets)


def _pauses_of(tickets: list[Ticket]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    """The (started_at, ended_at) of each ticket's pauses, by ticket id, in one query."""
    pauses: dict[int, list[tuple[datetime, datetime | None]]] = {t.pk: [] for t in tickets}
    for ticket_id, started, ended in (
        PauseInterval.objects.filter(ticket_id__in=list(pauses))
        .order_by("started_at", "id")
        .values_list("ticket_id", "started_at", "ended_at")
    ):
        pauses[ticket_id].append((started, ended))
    return pauses


def ticket_get(customer: Customer, number: str) -> Ticket:
    """Another customer's ticket is a 404: its existence is not confirmed. The customer is the
    one asked for, not read again."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("opened_by", "requester", "assignee"),
        customer=customer,
        number=number,
    )
    ticket.customer = customer
    return ticket


def ticket_page(customer: Customer, number: str, *, now: datetime | None = None) -> dict:
    """The ticket with what the customer may see: public messages, status changes, escalations
    and non-internal attachments; pauses, each with its length so far; services; people copied;
    the SLA clock at `now` (R-TT-3); what the TSC asked while it waits; until when the customer
    may reopen it; and the TSC card of its first service."""
    now = now or timezone.now()
    ticket = ticket_get(customer, number)
    messages = (
        Message.objects.filter(ticket=ticket, kind__in=CUSTOMER_MESSAGE_KINDS)
        .select_related("author")
        .only(*MESSAGE_COLUMNS)
        .order_by("created_at", "id")
    )
    conversation = list(messages)
    # Each message's files (`files`), from one read of the ticket's: no internal file, and only
    # on the messages listed here (never an internal note's).
    files: dict[int, list[Attachment]] = {message.pk: [] for message in conversation}
    for attachment in Attachment.objects.filter(
        ticket=ticket, internal=False, message__isnull=False
    ).order_by("created_at", "id"):
        if attachment.message_id in files:
            files[attachment.message_id].append(attachment)
    for message in conversation:
        message.files = files[message.pk]  # type: ignore[attr-defined]  # for the page
    # Read once: the page lists them and the SLA clock below adds them up (R-TT-3).
    prefetch_related_objects(
        [ticket],
        Prefetch(
            "pauses",
            queryset=PauseInterval.objects.select_related("started_by", "ended_by"),
        ),
    )
    pauses = list(ticket.pauses.all())
    for pause in pauses:
        pause.length = (pause.ended_at or now) - pause.started_at  # type: ignore[attr-defined]  # for the page
    services = list(ticket.services.order_by("service_id"))
    clock = ticket_clock(ticket, now=now)
    return {
        "ticket": ticket,
        "conversation": conversation,
        "pauses": pauses,
        "services": services,
        "watchers": list(ticket.watchers.order_by("email")),
        "clock": clock,
        "sla_state": sla_state(ticket, clock),
        "open_pause": next((pause for pause in pauses if pause.ended_at is None), None),
        "waiting_message": _waiting_message(conversation),
        "reopen_until": _reopen_until(ticket, now),
        "escalated_recently": bool(
            ticket.last_escalated_at and now - ticket.last_escalated_at < ESCALATION_INTERVAL
        ),
        "tsc_card": tsc_card_for_service(services[0]) if services else None,
    }


def _waiting_message(conversation: list[Message]) -> str:
    """What the TSC wrote when it last set the ticket waiting for the customer."""
    for message in reversed(conversation):
        if message.kind == Message.Kind.STATUS and message.status == Ticket.Status.WAITING_CUSTOMER:
            return message.body
    return ""


def _reopen_until(ticket: Ticket, now: datetime) -> datetime | None:
    if ticket.status != Ticket.Status.RESOLVED or ticket.resolved_at is None:
        return None
    until = ticket.resolved_at + timedelta(days=settings.TICKET_CLOSE_AFTER_DAYS)
    return until if until > now else None


def attachment_get(customer: Customer, number: str, reference) -> Attachment:
    """A customer downloads only their own ticket's non-internal files; the rest is a 404."""
    return get_object_or_404(
        Attachment.objects.select_related("ticket"),
        ticket__customer=customer,
        ticket__number=number,
        reference=reference,
        internal=False,
    )


def tickets_dashboard(customer: Customer, *, first: int = 5) -> dict:
    """Open tickets (counted, and the `first` closest to their restoration deadline, each with
    its clock), those waiting on the TSC and on the customer, and the ones breached this month.
    The counts are the database's: the page costs the same with 5 open tickets or 5,000; the
    pauses of both lists are read in one query."""
    active = Ticket.objects.filter(customer=customer, status__in=Ticket.ACTIVE_STATUSES)
    counts = active.aggregate(
        open_count=Count("id"),
        waiting_on_you=Count("id", filter=Q(status=Ticket.Status.WAITING_CUSTOMER)),
    )
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    closest = list(active.only(*CLOCK_FIELDS).order_by("restoration_deadline", "id")[:first])
    # Whether a ticket breached depends on its pauses (R-TT-3): computed per ticket, exactly.
    this_month = list(
        Ticket.objects.filter(customer=customer, opened_at__gte=month_start).only(*CLOCK_FIELDS)
    )
    pauses = _pauses_of([*closest, *this_month])
    clocks = {
        ticket.pk: ticket_clock(ticket, now=now, pauses=pauses[ticket.pk])
        for ticket in [*closest, *this_month]
    }
    return {
        "first": [(ticket, clocks[ticket.pk]) for ticket in closest],
        "open_count": counts["open_count"],
        "waiting_on_us": counts["open_count"] - counts["waiting_on_you"],
        "waiting_on_you": counts["waiting_on_you"],
        "breached_this_month": sum(clocks[ticket.pk].breached for ticket in this_month),
    }


def service_ticket_counts(customer: Customer, *, days: int = 45) -> dict[int, int]:
    """Tickets per service in the last `days` days: 3 or more makes a service chronic."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Ticket.objects.filter(customer=customer, opened_at__gte=since)
        .values("services")
        .annotate(count=Count("id"))
    )
    return {row["services"]: row["count"] for row in rows if row["services"]}


def ticket_sla_counts(*, now: datetime) -> dict[str, int]:
    """Every customer's active tickets by the state of their SLA clock (R-TT-3), in one query
    and the way the staff's "breached" filter counts (tickets.admin.helpers.BreachFilter): the
    stored deadline is exact for a running ticket; a waiting ticket's deadline moves with its
    open pause, so it counts as breached only if it already was when the pause began. For
    /metrics: no customer scope, no rows, only counts."""
    running = Q(
        restored_at__isnull=True, status__in=[Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS]
    )
    waiting = Q(restored_at__isnull=True, status=Ticket.Status.WAITING_CUSTOMER)
    restored = Q(restored_at__isnull=False)
    late_pause = PauseInterval.objects.filter(
        ticket=OuterRef("pk"),
        ended_at__isnull=True,
        started_at__gt=OuterRef("restoration_deadline"),
    )
    return (
        Ticket.objects.filter(status__in=Ticket.ACTIVE_STATUSES)
        .annotate(late_pause=Exists(late_pause))
        .aggregate(
            running=Count("pk", filter=running & Q(restoration_deadline__gte=now)),
            paused=Count("pk", filter=waiting & Q(late_pause=False)),
            breached=Count(
                "pk",
                filter=(running & Q(restoration_deadline__lt=now))
                | (waiting & Q(late_pause=True))
                | (restored & Q(restored_at__gt=F("restoration_deadline"))),
            ),
            restored=Count("pk", filter=restored & Q(restored_at__lte=F("restoration_deadline"))),
        )
    )
