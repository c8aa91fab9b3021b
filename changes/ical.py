"""Maintenance notices as iCalendar events in the industry's maintenance-notification BCOP format
(the `X-MAINTNOTE-*` properties), one event per maintenance and customer. Network operators'
tools ingest these files automatically: the format is an interface, tested field by field."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Event, vText

from changes.models import IMPACT_ORDER, Impact, Maintenance, MaintenanceImpact
from core.lib.ical import calendar_file
from core.models import Customer

BCOP_STATUS = {
    Maintenance.Status.DRAFT: "TENTATIVE",
    Maintenance.Status.SCHEDULED: "CONFIRMED",
    Maintenance.Status.RESCHEDULED: "RE-SCHEDULED",
    Maintenance.Status.IN_PROGRESS: "IN-PROCESS",
    Maintenance.Status.COMPLETED: "COMPLETED",
    Maintenance.Status.CANCELLED: "CANCELLED",
}
BCOP_IMPACT = {
    Impact.NO_IMPACT: "NO-IMPACT",
    Impact.REDUCED_REDUNDANCY: "REDUCED-REDUNDANCY",
    Impact.DEGRADED: "DEGRADED",
    Impact.OUTAGE: "OUTAGE",
}


def event_uid(maintenance: Maintenance, customer: Customer) -> str:
    """Stable per maintenance and customer: a calendar updates the event instead of adding one."""
    return f"{maintenance.uid}-{customer.reference}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}"


def worst_impact(impacts: list[MaintenanceImpact]) -> str:
    return max((i.impact for i in impacts), key=IMPACT_ORDER.index, default=Impact.NO_IMPACT)


def maintenance_event(
    maintenance: Maintenance,
    customer: Customer,
    impacts: list[MaintenanceImpact],
    *,
    status: str | None = None,
    sequence: int | None = None,
) -> Event:
    """The customer's event; `impacts` must be that customer's own affected services only."""
    status = status or maintenance.status
    event = Event()
    event.add("uid", event_uid(maintenance, customer))
    event.add("sequence", maintenance.sequence if sequence is None else sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", maintenance.start.astimezone(UTC))
    event.add("dtend", maintenance.end.astimezone(UTC))
    kind = "EMERGENCY " if maintenance.is_emergency else ""
    event.add("summary", f"{kind}{settings.PROVIDER_NAME} maintenance {maintenance.reference}")
    event.add("description", maintenance.reason)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    event.add("status", "CANCELLED" if status == Maintenance.Status.CANCELLED else "CONFIRMED")
    event.add("x-maintnote-provider", vText(settings.NOTIFICATION_MESSAGE_ID_DOMAIN))
    event.add("x-maintnote-account", vText(str(customer.reference)))
    event.add("x-maintnote-maintenance-id", vText(maintenance.reference))
    for row in impacts:
        event.add(
            "x-maintnote-object-id",
            vText(row.service.service_id),
            parameters={"X-MAINTNOTE-OBJECT-IMPACT": BCOP_IMPACT[Impact(row.impact)]},
        )
    event.add("x-maintnote-impact", vText(BCOP_IMPACT[Impact(worst_impact(impacts))]))
    event.add("x-maintnote-status", vText(BCOP_STATUS[Maintenance.Status(status)]))
    return event


def calendar(events: list[Event]) -> bytes:
    return calendar_file(events, product="Customer Portal maintenance")
