"""The customer's key contacts of the account team, on the dashboard (R-TEAM)."""

from core import cards
from team.selectors import key_contacts_for_customer


def _dashboard(request):
    return {"key_contacts": key_contacts_for_customer(customer=request.customer)}


cards.dashboard.register(
    cards.Card("team", 70, _dashboard, {"main": "portal/_team_key_contacts.html"})
)
