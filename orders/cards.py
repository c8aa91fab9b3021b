"""The orders' cards on the dashboard: orders in progress and those waiting for the customer."""

from core import cards
from core.models import Area
from orders.selectors import orders_dashboard


def _dashboard(request):
    if not request.membership.can(Area.ORDERS):
        return None
    orders = orders_dashboard(request.customer)
    return {"orders": orders} if orders else None


cards.dashboard.register(cards.Card("orders", 20, _dashboard, {"main": "orders/_dashboard.html"}))
