"""Billing's cards on the dashboard: what is due, what is overdue, requests waiting."""

from billing.selectors import billing_dashboard
from core import cards
from core.models import Area


def _dashboard(request):
    if not request.membership.can(Area.BILLING):
        return None
    billing = billing_dashboard(request.customer)
    return {"billing": billing} if billing else None


cards.dashboard.register(cards.Card("billing", 50, _dashboard, {"main": "billing/_dashboard.html"}))
