from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from core.models import Notification
from core.notifications import NotificationObsolete, customer_row, notification_context
from inventory.models import ExpansionRequest, ExpansionRequestEvent


@notification_context("portal/expansion_request")
def _expansion_request(notification: "Notification") -> dict:
    """The account manager hears of a new expansion request; replies go to the requester."""
    request = customer_row(ExpansionRequest, notification, "request")
    return {
        "request": request,
        "url": settings.PORTAL_BASE_URL
        + reverse("admin:inventory_expansionrequest_change", args=[request.pk]),
        "button": gettext("Open in the staff administration"),
        "reply_to": [request.requested_by.email],
    }


@notification_context("portal/expansion_request_step")
def _expansion_request_step(notification: "Notification") -> dict:
    assert notification.customer_id is not None  # the step's notification names the customer
    event = (
        ExpansionRequestEvent.objects.select_related("request__customer", "request__service")
        .filter(pk=notification.context.get("event"), request__customer_id=notification.customer_id)
        .first()
    )
    if event is None:
        raise NotificationObsolete("the expansion request step is gone")
    return {
        "request": event.request,
        "event": event,
        "path": reverse("services:request_detail", kwargs={"number": event.request.number}),
    }
