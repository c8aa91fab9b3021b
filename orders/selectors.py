"""Every read of a customer's orders: scoped to the customer, with a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from orders.models import Order, OrderEvent, Step, Touchpoint
from portal.models import Customer, Notification
from portal.selectors.notifications import notifications_for_subject


def orders_for_customer(
    customer: Customer,
    *,
    status: str = "",
    product_line: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
) -> QuerySet[Order]:
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
    return orders.order_by("-received_on", "-id")


def order_get(customer: Customer, number: str) -> Order:
    """Another customer's order is a 404: its existence is not confirmed."""
    return get_object_or_404(
        Order.objects.select_related("customer", "care_manager", "requester"),
        customer=customer,
        number=number,
    )


@dataclass(frozen=True)
class StepState:
    step: Step
    state: str  # done, current, next
    touchpoint: Touchpoint | None


@dataclass(frozen=True)
class TimelineEntry:
    event: OrderEvent
    notifications: list[Notification]


def order_page(customer: Customer, number: str) -> dict:
    """The order, its six steps, services, and the timeline with the e-mails each step sent."""
    order = order_get(customer, number)
    touchpoints = {
        touchpoint.step: touchpoint
        for touchpoint in Touchpoint.objects.filter(order=order).select_related(
            "answered_by", "recorded_by"
        )
    }
    steps = []
    for step in Step:
        touchpoint = touchpoints.get(step)
        if touchpoint is not None:
            state = "done"
        elif order.is_open and step == order.next_step:
            state = "current"
        else:
            state = "next"
        steps.append(StepState(step=step, state=state, touchpoint=touchpoint))
    by_event: dict[str, list[Notification]] = {}
    for notification in notifications_for_subject(customer, order.number):
        by_event.setdefault(notification.event, []).append(notification)
    events = OrderEvent.objects.filter(order=order).select_related("actor")
    timeline = [TimelineEntry(event, by_event.get(event.event_key, [])) for event in events]
    return {
        "order": order,
        "steps": steps,
        "tp1": touchpoints.get(Step.TECHNICAL_DETAILS),
        "services": list(order.services.order_by("service_id")),
        "timeline": list(reversed(timeline)),
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
