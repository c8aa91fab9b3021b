from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEvent, Customer


def audit_events_for_customer(
    customer: Customer,
    *,
    action: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(customer=customer)
    if action:
        events = events.filter(action=action)
    if person:
        events = events.filter(actor_email__icontains=person) | events.filter(
            target_email__icontains=person
        )
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.order_by("-created_at", "-id")
