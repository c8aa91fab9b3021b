"""Every customer read of change requests and maintenance. A maintenance is visible to a customer
only when it is announced and affects one of its services, and then only with its own services."""

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from changes.ical import worst_impact
from changes.models import (
    CalendarFeed,
    ChangeRequest,
    Impact,
    Maintenance,
    MaintenanceImpact,
    MaintenanceObjection,
    StandardChange,
)
from core.models import Customer, Membership, Service
from core.scopes import customer_scope, scopes_disabled


def catalog_for_customer(customer: Customer) -> list[StandardChange]:
    """The active standard changes that apply to at least one of the customer's active services."""
    services = list(Service.objects.filter(customer=customer, status=Service.Status.ACTIVE))
    return [
        change
        for change in StandardChange.objects.filter(is_active=True)
        if any(change.applies_to(service) for service in services)
    ]


def services_for_change(customer: Customer, change_type: StandardChange) -> list[Service]:
    services = Service.objects.filter(customer=customer, status=Service.Status.ACTIVE)
    return [
        service for service in services.order_by("service_id") if change_type.applies_to(service)
    ]


def changes_for_customer(customer: Customer, *, status: str = "") -> QuerySet[ChangeRequest]:
    changes = (
        ChangeRequest.objects.filter(customer=customer)
        .select_related("change_type", "requested_by")
        .prefetch_related("services")
    )
    if status == "open":
        changes = changes.filter(status__in=ChangeRequest.OPEN_STATUSES)
    elif status:
        changes = changes.filter(status=status)
    return changes.order_by("-created_at", "-id")


def change_get(customer: Customer, number: str) -> ChangeRequest:
    return get_object_or_404(
        ChangeRequest.objects.select_related("change_type", "requested_by"),
        customer=customer,
        number=number,
    )


def _own_impacts(customer: Customer) -> Prefetch:
    return Prefetch(
        "impacts",
        queryset=MaintenanceImpact.objects.filter(service__customer=customer)
        .select_related("service")
        .order_by("service__service_id"),
        to_attr="own_impacts",
    )


def maintenances_for_customer(
    customer: Customer,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str = "",
    impact: str = "",
) -> QuerySet[Maintenance]:
    """Announced maintenance on the customer's services, each with `own_impacts` only.

    The customer's impacts are a subquery (a semi-join), not a join: a maintenance on several of
    the customer's services is one row without DISTINCT over its wide columns, so a card can count
    it with its rows (a window)."""
    impacts = MaintenanceImpact.objects.filter(service__customer=customer)
    if service:
        impacts = impacts.filter(service__service_id=service)
    if impact:
        impacts = impacts.filter(impact=impact)
    rows = Maintenance.objects.filter(
        status__in=Maintenance.ANNOUNCED_STATUSES, id__in=impacts.values("maintenance_id")
    )
    if since:
        rows = rows.filter(end__gte=since)
    if until:
        rows = rows.filter(start__lt=until)
    return rows.prefetch_related(_own_impacts(customer)).order_by("start", "id")


def maintenance_get(customer: Customer, reference: str) -> Maintenance:
    """Not announced, or not on this customer's services: 404, like another customer's object."""
    maintenance = (
        Maintenance.objects.filter(status__in=Maintenance.ANNOUNCED_STATUSES, reference=reference)
        .prefetch_related(_own_impacts(customer), "events")
        .first()
    )
    if maintenance is None or not maintenance.own_impacts:  # type: ignore[attr-defined]  # to_attr
        raise Http404
    return maintenance


def maintenance_by_feed_token(token: str) -> tuple[Customer, list[Maintenance]]:
    """The feed's customer and its maintenance; an unknown, rotated or stopped token, or a
    personal one whose owner may no longer see maintenance, is a 404."""
    with scopes_disabled():  # the secret address is the credential, and it names the feed
        feed = (
            CalendarFeed.objects.select_related("customer", "membership__user")
            .filter(token_hash=CalendarFeed.hash_token(token))
            .first()
        )
    if feed is None or not feed.is_usable:
        raise Http404
    customer = feed.customer
    with customer_scope(customer):
        return customer, list(maintenances_for_customer(customer))


def calendar_feeds_for_membership(membership: Membership) -> dict:
    """{"personal": this member's feed or None, "shared": the customer's shared feed or None}."""
    feeds = CalendarFeed.objects.filter(
        Q(membership=membership) | Q(customer_id=membership.customer_id, membership__isnull=True)
    )
    found: dict[str, CalendarFeed | None] = {"personal": None, "shared": None}
    for feed in feeds:
        found["shared" if feed.membership_id is None else "personal"] = feed
    return found


SERVICE_MAINTENANCE_ROWS = 5
RECENT_DAYS = 90


def with_worst_impact(maintenances) -> list[Maintenance]:
    """Each maintenance (with `own_impacts` prefetched) gets `worst`, the Impact the customer
    suffers at its worst affected service: the account's impact in the BCOP notice."""
    rows = list(maintenances)
    for maintenance in rows:
        maintenance.worst = Impact(worst_impact(maintenance.own_impacts))
    return rows


def maintenance_services_for_customer(customer: Customer) -> list[str]:
    """The service ids of the customer's that announced maintenance touched: the calendar's
    service filter offers these, not the whole inventory."""
    return list(
        MaintenanceImpact.objects.filter(
            service__customer=customer, maintenance__status__in=Maintenance.ANNOUNCED_STATUSES
        )
        .order_by("service__service_id")
        .values_list("service__service_id", flat=True)
        .distinct()
    )


def maintenances_upcoming_for_customer(customer: Customer, *, days: int = 30) -> QuerySet:
    """Announced maintenance that has not ended and starts within `days`, the cancelled left
    out (dashboard)."""
    now = timezone.now()
    return maintenances_for_customer(customer, since=now, until=now + timedelta(days=days)).exclude(
        status=Maintenance.Status.CANCELLED
    )


def service_maintenances(customer: Customer, service: Service) -> dict[str, list[Maintenance]]:
    """A service's page: its upcoming and recent announced maintenance, each with `service_impact`
    (the impact on this service only). Another customer's service gets nothing."""
    now = timezone.now()
    rows = (
        Maintenance.objects.filter(
            status__in=Maintenance.ANNOUNCED_STATUSES,
            impacts__service=service,
            impacts__service__customer=customer,
        )
        .distinct()
        .prefetch_related(
            Prefetch(
                "impacts",
                queryset=MaintenanceImpact.objects.filter(
                    service=service, service__customer=customer
                ),
                to_attr="service_impacts",
            )
        )
    )
    upcoming: list[Maintenance] = list(
        rows.filter(end__gte=now).order_by("start", "id")[:SERVICE_MAINTENANCE_ROWS]
    )
    recent: list[Maintenance] = list(
        rows.filter(end__lt=now, end__gte=now - timedelta(days=RECENT_DAYS)).order_by(
            "-start", "-id"
        )[:SERVICE_MAINTENANCE_ROWS]
    )
    for maintenance in upcoming + recent:
        maintenance.service_impact = next(iter(maintenance.service_impacts), None)  # type: ignore[attr-defined]  # to_attr, and the page's attribute
    return {"upcoming": upcoming, "recent": recent}


def objections_for_customer(
    customer: Customer, maintenance: Maintenance
) -> QuerySet[MaintenanceObjection]:
    """The customer's own requests to reschedule this maintenance (R-GCR-2), newest first."""
    return MaintenanceObjection.objects.filter(
        maintenance=maintenance, customer=customer
    ).select_related("author")
