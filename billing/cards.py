"""Billing's cards: on the dashboard, what is due, what is overdue, requests waiting; on a
resolved ticket's page, the credit for the outage (R-BIL-1)."""

from billing.selectors import billing_dashboard, ticket_credit_section
from core import cards
from core.models import Area
from tickets.sections import ticket_page


def _dashboard(request):
    if not request.membership.can(Area.BILLING):
        return None
    billing = billing_dashboard(request.customer)
    return {"billing": billing} if billing else None


cards.dashboard.register(cards.Card("billing", 50, _dashboard, {"main": "billing/_dashboard.html"}))
ticket_page.register(
    cards.Card("credit", 10, ticket_credit_section, {"side": "billing/_ticket_credit.html"})
)
