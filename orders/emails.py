"""What the order e-mails need at delivery time, loaded from the ids the outbox row keeps."""

from core.notifications import NotificationObsolete, context_row, notification_context
from orders.calendar import activation_ics, installation_ics
from orders.models import Order, Step, Touchpoint

_ICS = "text/calendar; charset=utf-8; method=PUBLISH"


def _order(notification) -> Order:
    return context_row(
        Order.objects.select_related("customer", "care_manager").prefetch_related("services"),
        notification,
        "order",
        gone="the order is gone",
        customer_id=notification.customer_id,
    )


@notification_context("orders/touchpoint")
def _touchpoint(notification) -> dict:
    order = _order(notification)
    touchpoint = context_row(
        Touchpoint.objects, notification, "touchpoint", gone="the touchpoint is gone", order=order
    )
    attachments = []
    if touchpoint.step == Step.INSTALLATION_REMINDER and order.installation_on:
        attachments.append((f"{order.number}-installation.ics", installation_ics(order), _ICS))
    if touchpoint.step == Step.ACTIVATION_PLANNING and order.activation_start:
        attachments.append((f"{order.number}-activation.ics", activation_ics(order), _ICS))
    return {
        "order": order,
        "touchpoint": touchpoint,
        "services": list(order.services.all()),
        "attachments": attachments,
    }


@notification_context("orders/activation_reminder")
def _activation_reminder(notification) -> dict:
    order = _order(notification)
    if not order.is_open or order.activation_start is None:
        raise NotificationObsolete("the order is no longer waiting for its activation")
    return {
        "order": order,
        "services": list(order.services.all()),
        "attachments": [(f"{order.number}-activation.ics", activation_ics(order), _ICS)],
    }


@notification_context("orders/details_answered")
@notification_context("orders/closed")
@notification_context("orders/cancelled")
def _order_only(notification) -> dict:
    order = _order(notification)
    context = {"order": order, "services": list(order.services.all())}
    if "touchpoint" in notification.context:
        context["touchpoint"] = Touchpoint.objects.filter(
            pk=notification.context["touchpoint"], order=order
        ).first()
    return context
