"""Maintenance and change requests on the dashboard and on a service's page."""

from django.db.models import Count, Window

from changes.selectors import (
    changes_for_customer,
    maintenances_upcoming_for_customer,
    service_maintenances,
    with_worst_impact,
)
from core import cards
from core.models import Area

MAINTENANCE_CARD_DAYS = 30
STYLESHEETS = ("css/maintenance.css",)


def _dashboard(request):
    if not request.membership.can(Area.CHANGES):
        return None
    upcoming = maintenances_upcoming_for_customer(request.customer, days=MAINTENANCE_CARD_DAYS)
    upcoming_first = with_worst_impact(upcoming.annotate(total=Window(Count("id")))[:5])
    # The card shows no service of a change: no prefetch; the total comes with the rows.
    open_changes = list(
        changes_for_customer(request.customer, status="open")
        .prefetch_related(None)
        .annotate(total=Window(Count("id")))[:5]
    )
    return {
        "maintenance": {
            "upcoming": upcoming_first,
            "count": upcoming_first[0].total if upcoming_first else 0,
            "days": MAINTENANCE_CARD_DAYS,
        },
        "changes": {
            "open": open_changes,
            "count": open_changes[0].total if open_changes else 0,
        },
    }


def _service_page(request, *, service):
    if not request.membership.can(Area.CHANGES):
        return None
    return {"maintenance": service_maintenances(request.customer, service)}


cards.dashboard.register(
    cards.Card(
        "changes", 40, _dashboard, {"main": "changes/_dashboard.html"}, stylesheets=STYLESHEETS
    )
)
cards.service_page.register(
    cards.Card(
        "maintenance",
        20,
        _service_page,
        {"main": "changes/_service_section.html"},
        stylesheets=STYLESHEETS,
    )
)
