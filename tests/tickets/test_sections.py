"""Sections other areas add to the ticket page through tickets.sections (billing's credit for an
outage): shown with the context the area's function returns, hidden when it returns None."""

import pytest

from tests.factories import ticket_open_for
from tickets import sections


@pytest.fixture
def registry(monkeypatch):
    """Only the sections a test registers, whatever the installed apps registered."""
    monkeypatch.setattr(sections, "_registered", {})
    return sections


def test_a_registered_section_is_shown_with_what_its_function_returns(
    admin_client, customer, admin_user, registry
):
    ticket = ticket_open_for(customer, admin_user)
    seen = []

    def credit(request, page_ticket):
        seen.append((request.customer, page_ticket))
        return {"can_request_credit": True}

    registry.ticket_section_register(template="billing/_ticket_credit.html", context=credit)
    page = admin_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="request-credit"' in page
    assert f"ticket={ticket.number}" in page
    assert seen == [(customer, ticket)]


def test_a_section_whose_function_returns_none_is_not_shown(
    admin_client, customer, admin_user, registry
):
    ticket = ticket_open_for(customer, admin_user)
    registry.ticket_section_register(
        template="billing/_ticket_credit.html", context=lambda request, ticket: None
    )
    response = admin_client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
    assert 'data-testid="ticket-credit"' not in response.content.decode()
