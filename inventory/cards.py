"""The inventory's cards on the dashboard: services by status, open expansion requests."""

from core import cards
from core.models import Area
from core.selectors.services import service_status_counts_for_customer
from inventory.selectors import expansion_requests_for_customer


def _dashboard(request):
    if not request.membership.can(Area.SERVICES):
        return None
    counts = service_status_counts_for_customer(request.customer)
    if not counts:
        return None
    return {
        "service_counts": counts,
        "open_requests": expansion_requests_for_customer(request.customer, status="open")[:5],
    }


cards.dashboard.register(
    cards.Card("services", 10, _dashboard, {"main": "portal/services/_dashboard.html"})
)
