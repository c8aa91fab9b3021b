"""Calendar files (.ics) for an order's installation day and activation window."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from core.lib.ical import calendar_file
from orders.models import Order


def _calendar(order: Order, *, what: str, summary: str, description: str, **times) -> bytes:
    event = Event()
    # A stable UID: a calendar that imports the file again updates the event instead of adding.
    event.add("uid", f"{order.reference}-{what}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("description", description)
    for name, value in times.items():
        event.add(name, value)
    services = ", ".join(f"{s.service_id} ({s.site_name})" for s in order.services.all())
    if services:
        event.add("location", services[:500])
    return calendar_file([event])


def installation_ics(order: Order) -> bytes:
    """An all-day event on the installation date."""
    assert order.installation_on is not None  # offered only once the date is known
    return _calendar(
        order,
        what="installation",
        summary=_("Installation of order %(number)s") % {"number": order.number},
        description=order.site_preparation or order.title,
        dtstart=order.installation_on,
        dtend=order.installation_on + timedelta(days=1),
    )


def activation_ics(order: Order) -> bytes:
    return _calendar(
        order,
        what="activation",
        summary=_("Activation of order %(number)s") % {"number": order.number},
        description=order.title,
        dtstart=order.activation_start,
        dtend=order.activation_end,
    )
