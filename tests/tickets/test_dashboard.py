"""The dashboard's ticket cards (issue 5, section 5): open tickets with their SLA, who they wait
for, breached this month; only for members who may view tickets."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from core.models import Level
from tests.factories import MembershipFactory, ticket_open_for
from tickets.models import Ticket
from tickets.services import ticket_resolve, ticket_wait_for_customer

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.UTC)


def _page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ")


@pytest.fixture
def tickets(customer, other_customer, limited_user, other_user, staff_user):
    with time_machine.travel(T0, tick=False):
        breached = ticket_open_for(customer, limited_user, subject="Link down in Rosario")
        waiting = ticket_open_for(
            customer, limited_user, impact="no_impact", subject="Question on the QoS"
        )
        resolved = ticket_open_for(customer, limited_user, subject="Fixed already")
        ticket_open_for(other_customer, other_user, subject="Globex fault")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket_wait_for_customer(ticket=waiting, reason="information", actor=staff_user)
        ticket_resolve(ticket=resolved, actor=staff_user, resolution="Done.")
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        running = ticket_open_for(
            customer, limited_user, impact="degraded", subject="Slow in Mendoza"
        )
    return {"breached": breached, "waiting": waiting, "running": running, "resolved": resolved}


def test_open_tickets_show_their_sla_and_who_they_wait_for(client, portal_admin_user, tickets):
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        client.force_login(portal_admin_user)
        page = _page(client)
        cards = client.get("/").context["tickets"]

    assert cards["open_count"] == 3
    assert [t.subject for t, _clock in cards["first"]] == [
        "Link down in Rosario",  # the nearest deadline first
        "Slow in Mendoza",
        "Question on the QoS",
    ]
    assert 'data-testid="card-tickets"' in page
    assert "SLA breached 1 hour ago" in page  # 5 h open on a 4 h target
    assert "SLA: 7 hours left" in page  # 1 h of an 8 h target
    assert "SLA paused" in page
    assert "2 days, 23 hours left" in page
    assert tickets["resolved"].number not in page
    assert "Globex fault" not in page
    assert '<dd data-testid="tickets-waiting-on-us">2</dd>' in page
    assert '<dd data-testid="tickets-waiting-on-you">1</dd>' in page
    assert "card-attention" in page
    assert cards["breached_this_month"] == 1
    assert 'href="/tickets/new/"' in page  # Report a fault


def test_only_the_first_five_open_tickets_are_listed(portal_admin_client, customer, limited_user):
    subjects = [f"Fault number {n}" for n in range(7)]
    for subject in subjects:
        ticket_open_for(customer, limited_user, subject=subject)
    page = _page(portal_admin_client)
    assert sum(subject in page for subject in subjects) == 5
    assert '<span class="count">7</span>' in page


def test_the_cards_cost_the_same_queries_for_one_ticket_or_twenty(
    portal_admin_client, customer, limited_user, staff_user
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            portal_admin_client.get("/")
        return len(captured)

    ticket_open_for(customer, limited_user)
    queries()
    one = queries()
    for n in range(20):
        ticket = ticket_open_for(customer, limited_user)
        if n % 2:
            ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=staff_user)
    assert queries() == one


def test_the_cards_load_five_open_tickets_not_all_of_them(
    portal_admin_client, customer, limited_user
):
    """The counts are the database's; only the five listed tickets become objects (issue 15:
    the dashboard loaded every open ticket of the customer to count them)."""
    with time_machine.travel(T0 - timedelta(days=40), tick=False):
        for _ in range(30):
            ticket_open_for(customer, limited_user)
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=Ticket)
    try:
        with time_machine.travel(T0, tick=False):
            page = _page(portal_admin_client)
    finally:
        post_init.disconnect(count, sender=Ticket)

    assert '<span class="count">30</span>' in page
    assert len(built) == 5


def test_no_ticket_cards_without_the_tickets_permission(client, customer, tickets):
    member = MembershipFactory(customer=customer, services=Level.VIEW, tickets=Level.NONE)
    client.force_login(member.user)
    page = _page(client)
    assert 'data-testid="card-tickets' not in page
    assert "Link down in Rosario" not in page
    assert "/tickets/new/" not in page


def test_viewers_get_the_cards_but_no_report_a_fault_button(client, customer, tickets):
    member = MembershipFactory(customer=customer, tickets=Level.VIEW)
    client.force_login(member.user)
    page = _page(client)
    assert 'data-testid="card-tickets"' in page
    assert "Link down in Rosario" in page
    assert "/tickets/new/" not in page


def test_no_open_ticket_says_so_and_nothing_stands_out(limited_client):
    page = _page(limited_client)
    assert "No open ticket." in page
    assert '<dd data-testid="tickets-waiting-on-you">0</dd>' in page
    assert "card-attention" not in page
