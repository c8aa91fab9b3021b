"""The Technical Service Center's card: on the dashboard for the customer's country, and on a
service's page for its country and product line (R-CON)."""

from contacts.selectors import tsc_card, tsc_card_for_country
from core import cards


def _dashboard(request):
    return {"tsc_card": tsc_card_for_country(request.customer.country)}


def _service_page(request, *, service):
    return {
        "tsc_card": tsc_card(
            country=service.country or request.customer.country,
            product_line=service.product_line,
            managed=service.managed,
        )
    }


cards.dashboard.register(cards.Card("tsc", 60, _dashboard, {"main": "contacts/_dashboard.html"}))
cards.service_page.register(
    cards.Card("tsc", 10, _service_page, {"side": "contacts/_dashboard.html"})
)
