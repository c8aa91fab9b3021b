"""Maintenance and change requests on the dashboard and on a service's page."""

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
    open_changes = changes_for_customer(request.customer, status="open")
    return {
        "maintenance": {
            "upcoming": with_worst_impact(upcoming[:5]),
            "count": upcoming.count(),
            "days": MAINTENANCE_CARD_DAYS,
        },
        "changes": {"open": list(open_changes[:5]), "count": open_changes.count()},
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
