"""Every customer read of trouble tickets. Internal notes and internal attachments never leave
this module for a customer: the page, the e-mails, the exports all read through here."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.models import Customer
from core.models.inventory import CHRONIC_DAYS, CHRONIC_TICKETS  # noqa: F401 - re-exported
from tickets.models import Attachment, Message, PauseInterval, Ticket

CUSTOMER_MESSAGE_KINDS = (Message.Kind.PUBLIC, Message.Kind.STATUS, Message.Kind.ESCALATION)


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


def ticket_get(customer: Customer, number: str) -> Ticket:
    """Another customer's ticket is a 404: its existence is not confirmed."""
    return get_object_or_404(
        Ticket.objects.select_related("customer", "opened_by", "requester", "assignee"),
        customer=customer,
        number=number,
    )


def ticket_page(customer: Customer, number: str) -> dict:
    """The ticket with what the customer may see: public messages, status changes, escalations
    and non-internal attachments; pauses; services; people copied."""
    ticket = ticket_get(customer, number)
    attachments = Attachment.objects.filter(internal=False).order_by("created_at")
    messages = (
        Message.objects.filter(ticket=ticket, kind__in=CUSTOMER_MESSAGE_KINDS)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "id")
    )
    return {
        "ticket": ticket,
        "conversation": list(messages),
        "pauses": list(ticket.pauses.select_related("started_by", "ended_by")),
        "services": list(ticket.services.order_by("service_id")),
        "watchers": list(ticket.watchers.order_by("email")),
    }


def attachment_get(customer: Customer, number: str, reference) -> Attachment:
    """A customer downloads only their own ticket's non-internal files; the rest is a 404."""
    return get_object_or_404(
        Attachment.objects.select_related("ticket"),
        ticket__customer=customer,
        ticket__number=number,
        reference=reference,
        internal=False,
    )


def tickets_dashboard(customer: Customer) -> dict:
    """Open tickets, those waiting on the TSC, and the ones breached this month."""
    from django.utils import timezone

    from tickets.services import ticket_clock

    active = list(
        Ticket.objects.filter(customer=customer, status__in=Ticket.ACTIVE_STATUSES)
        .prefetch_related("pauses")
        .order_by("restoration_deadline")
    )
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = Ticket.objects.filter(
        customer=customer, opened_at__gte=month_start
    ).prefetch_related("pauses")
    return {
        "open": active,
        "open_count": len(active),
        "waiting_on_us": sum(t.status != Ticket.Status.WAITING_CUSTOMER for t in active),
        "waiting_on_you": sum(t.status == Ticket.Status.WAITING_CUSTOMER for t in active),
        "breached_this_month": sum(ticket_clock(t, now=now).breached for t in this_month),
    }


def service_ticket_counts(customer: Customer, *, days: int = 45) -> dict[int, int]:
    """Tickets per service in the last `days` days: 3 or more makes a service chronic."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(days=days)
    rows = (
        Ticket.objects.filter(customer=customer, opened_at__gte=since)
        .values("services")
        .annotate(count=Count("id"))
    )
    return {row["services"]: row["count"] for row in rows if row["services"]}
