"""The iCalendar envelope every calendar file of the portal shares (orders, maintenance)."""

from django.conf import settings
from icalendar import Calendar, Event


def calendar_file(events: list[Event], *, product: str = "Customer Portal") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PROVIDER_NAME}//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
