"""Maintenance and change requests on the dashboard and on a service's page."""

from changes.selectors import (
    changes_for_customer,
    maintenances_upcoming_for_customer,
    service_maintenances,
    with_worst_impact,
)
from core import cards
from core.lib.listing import first_with_total
from core.models import Area

MAINTENANCE_CARD_DAYS = 30
STYLESHEETS = ("css/maintenance.css",)


def _dashboard(request):
    if not request.membership.can(Area.CHANGES):
        return None
    upcoming, upcoming_total = first_with_total(
        maintenances_upcoming_for_customer(request.customer, days=MAINTENANCE_CARD_DAYS), 5
    )
    # The card shows no service of a change: no prefetch.
    open_changes, open_total = first_with_total(
        changes_for_customer(request.customer, status="open").prefetch_related(None), 5
    )
    return {
        "maintenance": {
            "upcoming": with_worst_impact(upcoming),
            "count": upcoming_total,
            "days": MAINTENANCE_CARD_DAYS,
        },
        "changes": {"open": open_changes, "count": open_total},
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
