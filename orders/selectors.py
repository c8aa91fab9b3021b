"""Every read of a customer's orders: scoped to the customer, with a fixed number of queries."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.models import Customer, Notification, ProductLine
from core.selectors.notifications import notifications_for_subject
from orders.models import Order, OrderEvent, Step, Touchpoint
from team.models import TeamRole
from team.selectors import (
    LANGUAGE_LABELS,
    ROLE_INFO,
    TeamCard,
    key_contacts_for_customer,
    phone_for_humans,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

# What the list may be sorted by: the public name in ?sort= and the columns it orders by.
ORDER_SORTS = {
    "number": ("number",),
    "status": ("status", "-received_on", "-id"),
    "received": ("received_on", "id"),
    "estimated_activation": ("estimated_activation_on", "received_on", "id"),
}
DEFAULT_SORT = "-received"
CALENDARS = ("installation", "activation")


def orders_for_customer(
    customer: Customer,
    *,
    status: str = "",
    product_line: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Order]:
    """The list and its CSV: one query for the rows (care manager joined, services counted)."""
    orders = (
        Order.objects.filter(customer=customer)
        .select_related("care_manager", "requester")
        .annotate(service_count=Count("services", distinct=True))
    )
    if status:
        orders = orders.filter(status=status)
    if product_line:
        orders = orders.filter(product_line=product_line)
    if received_from:
        orders = orders.filter(received_on__gte=received_from)
    if received_to:
        orders = orders.filter(received_on__lte=received_to)
    columns = ORDER_SORTS.get(sort.lstrip("-"), ORDER_SORTS["received"])
    if sort.startswith("-"):
        columns = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in columns)
    return orders.order_by(*columns)


def order_product_lines_for_customer(customer: Customer) -> list[tuple[str, "_StrOrPromise"]]:
    """The product lines the customer has orders of, for the list's filter (one query)."""
    present = set(
        Order.objects.filter(customer=customer)
        .order_by("product_line")
        .values_list("product_line", flat=True)
        .distinct()
    )
    return [(value, label) for value, label in ProductLine.choices if value in present]


def orders_waiting_count(customer: Customer) -> int:
    return Order.objects.filter(customer=customer, status=Order.Status.WAITING_CUSTOMER).count()


def order_get(customer: Customer, number: str) -> Order:
    """Another customer's order is a 404: its existence is not confirmed."""
    return get_object_or_404(
        Order.objects.select_related("customer", "care_manager", "requester"),
        customer=customer,
        number=number,
    )


def order_with_technical_details(
    customer: Customer, number: str
) -> tuple[Order, Touchpoint | None]:
    """The order and its TP1 (None before staff request the details)."""
    order = order_get(customer, number)
    return order, Touchpoint.objects.filter(order=order, step=Step.TECHNICAL_DETAILS).first()


def order_calendars(order: Order) -> list[str]:
    """The calendar files (.ics) the order has: the installation day and the activation window,
    once known; none for a cancelled order."""
    if order.status == Order.Status.CANCELLED:
        return []
    available = []
    if order.installation_on:
        available.append("installation")
    if order.activation_start and order.activation_end:
        available.append("activation")
    return available


def order_calendar_get(customer: Customer, number: str, which: str) -> Order:
    """The order whose `which` calendar file exists; a 404 otherwise."""
    order = get_object_or_404(
        Order.objects.select_related("customer").prefetch_related("services"),
        customer=customer,
        number=number,
    )
    if which not in order_calendars(order):
        raise Http404
    return order


@dataclass(frozen=True)
class StepState:
    step: Step
    state: str  # done, current, next
    touchpoint: Touchpoint | None


@dataclass(frozen=True)
class TimelineEntry:
    event: OrderEvent
    notifications: list[Notification]


def _step_states(order: Order, touchpoints: dict[int, Touchpoint]) -> list[StepState]:
    """Done with its touchpoint; `current` is what the order waits for: the customer's answer
    to TP1 while it is unanswered, else the next touchpoint (R-ORD-1)."""
    waiting = order.status == Order.Status.WAITING_CUSTOMER
    steps = []
    for step in Step:
        touchpoint = touchpoints.get(step)
        if touchpoint is not None and waiting and touchpoint.awaits_answer:
            state = "current"
        elif touchpoint is not None:
            state = "done"
        elif order.is_open and not waiting and step == order.next_step:
            state = "current"
        else:
            state = "next"
        steps.append(StepState(step=step, state=state, touchpoint=touchpoint))
    return steps


def _timeline(order: Order, customer: Customer) -> list[TimelineEntry]:
    """Each event, newest first, with the e-mails it caused. The activation reminder that TP5
    schedules has no event of its own: it is listed under TP5."""
    by_event: dict[str, list[Notification]] = {}
    reminder_prefix = f"order:{order.number}:activation-reminder"
    for notification in notifications_for_subject(customer, order.number):
        event = notification.event
        if event.startswith(reminder_prefix):
            event = f"order:{order.number}:tp{Step.ACTIVATION_PLANNING}"
        by_event.setdefault(event, []).append(notification)
    events = OrderEvent.objects.filter(order=order).select_related("actor")
    timeline = [
        TimelineEntry(event, by_event.get(event.event_key, []) if event.event_key else [])
        for event in events
    ]
    return list(reversed(timeline))


def care_manager_card(order: Order) -> TeamCard:
    """R-TEAM-3: the order's care manager; while none is named, whoever the customer's account
    team offers for the role (the customer's care manager, else the team's mailbox)."""
    role = TeamRole.CUSTOMER_CARE_MANAGER
    person = order.care_manager
    if person is None or not person.is_active:
        cards = key_contacts_for_customer(customer=order.customer)
        return next(card for card in cards if card.role == role)
    info = ROLE_INFO[role]
    return TeamCard(
        role=role,
        label=TeamRole(role).label,
        summary=info.summary,
        topics=info.topics,
        name=person.full_name,
        email=person.email,
        phone=phone_for_humans(person.phone),
        languages=tuple(
            label for code, label in LANGUAGE_LABELS.items() if code in (person.languages or ())
        ),
    )


def order_page(customer: Customer, number: str) -> dict:
    """The order, its six steps, services, the care manager and the timeline with the e-mails
    each step sent. A fixed number of queries whatever the number of touchpoints, events and
    e-mails (R-ORD-2)."""
    order = order_get(customer, number)
    touchpoints = {
        touchpoint.step: touchpoint
        for touchpoint in Touchpoint.objects.filter(order=order).select_related(
            "answered_by", "recorded_by"
        )
    }
    return {
        "order": order,
        "steps": _step_states(order, touchpoints),
        "tp1": touchpoints.get(Step.TECHNICAL_DETAILS),
        "services": list(order.services.order_by("service_id")),
        "timeline": _timeline(order, customer),
        "care_manager": care_manager_card(order),
        "calendars": order_calendars(order),
    }


def orders_dashboard(customer: Customer, *, limit: int = 5) -> dict:
    """The dashboard cards: orders in progress with their next touchpoint, and those waiting."""
    open_orders = list(
        Order.objects.filter(customer=customer, status__in=Order.OPEN_STATUSES).order_by(
            "estimated_activation_on", "received_on", "id"
        )
    )
    return {
        "in_progress": [o for o in open_orders if o.status == Order.Status.IN_PROGRESS][:limit],
        "in_progress_count": sum(o.status == Order.Status.IN_PROGRESS for o in open_orders),
        "waiting": [o for o in open_orders if o.status == Order.Status.WAITING_CUSTOMER][:limit],
        "waiting_count": sum(o.status == Order.Status.WAITING_CUSTOMER for o in open_orders),
    }


def orders_prefetch_touchpoints(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related(Prefetch("touchpoints", queryset=Touchpoint.objects.all()))
