"""Cards other areas add to the ticket page through tickets.sections.ticket_page (billing's
credit for an outage): shown with the context the area's function returns, hidden when it
returns None."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.cards import Card, Slot
from tests.factories import ticket_open_for
from tickets import sections


@pytest.fixture
def registry(monkeypatch):
    """Only the cards a test registers, whatever the installed apps registered."""
    slot = Slot("ticket page", places=("side",))
    monkeypatch.setattr(sections.ticket_page, "_cards", slot._cards)
    return sections.ticket_page


def test_a_registered_section_is_shown_with_what_its_function_returns(
    portal_admin_client, customer, portal_admin_user, registry
):
    ticket = ticket_open_for(customer, portal_admin_user)
    seen = []

    def credit(request, ticket):
        seen.append((request.customer, ticket))
        return {"can_request_credit": True}

    registry.register(Card("credit", 10, credit, {"side": "billing/_ticket_credit.html"}))
    page = portal_admin_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="request-credit"' in page
    assert f"ticket={ticket.number}" in page
    assert seen == [(customer, ticket)]


def test_a_section_whose_function_returns_none_is_not_shown(
    portal_admin_client, customer, portal_admin_user, registry
):
    ticket = ticket_open_for(customer, portal_admin_user)
    registry.register(
        Card("credit", 10, lambda request, ticket: None, {"side": "billing/_ticket_credit.html"})
    )
    response = portal_admin_client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    assert 'data-testid="ticket-credit"' not in response.content.decode()


def test_a_card_for_a_place_the_page_does_not_have_is_refused():
    with pytest.raises(ImproperlyConfigured):
        Slot("ticket page", places=("side",)).register(
            Card("credit", 10, lambda request, ticket: None, {"main": "x.html"})
        )
