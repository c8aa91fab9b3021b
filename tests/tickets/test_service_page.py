"""A service's page lists its tickets; 3 or more tickets in 45 days flag it as chronic, on its
page and in the staff admin (issue 5, section 5)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Level
from tests.factories import MembershipFactory, ServiceFactory, ticket_open_for
from tickets.models import Ticket
from tickets.services import ticket_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00042")


def _page(client, service) -> str:
    response = client.get(reverse("services:detail", args=[service.service_id]))
    assert response.status_code == 200
    return response.content.decode()


def _tickets(customer, user, service, *, days_ago: list[int]) -> list[Ticket]:
    tickets = []
    for days in days_ago:
        ticket = ticket_open_for(customer, user, service=service, subject=f"Fault {days} days ago")
        Ticket.objects.filter(pk=ticket.pk).update(
            opened_at=timezone.now() - timedelta(days=days, minutes=1)
        )
        tickets.append(ticket)
    return tickets


def test_the_service_page_lists_its_latest_tickets_with_status_and_a_link(
    limited_client, customer, limited_user, service
):
    other_service = ServiceFactory(customer=customer)
    ticket_open_for(customer, limited_user, service=other_service, subject="Another service")
    tickets = _tickets(customer, limited_user, service, days_ago=list(range(100, 111)))
    ticket_cancel(ticket=tickets[0], actor=limited_user)
    tickets[0].refresh_from_db()

    page = _page(limited_client, service)

    assert 'data-testid="service-tickets"' in page
    for ticket in tickets[:10]:
        assert f'href="/tickets/{ticket.number}/"' in page
    assert tickets[10].number not in page  # the 11th, the oldest: latest 10 only
    assert "Cancelled" in page
    assert "Open" in page
    opened = timezone.localtime(tickets[0].opened_at)
    assert opened.strftime("%m/%d/%Y") in page
    assert "Another service" not in page
    assert f'href="/tickets/new/?service={service.service_id}"' in page


def test_a_service_without_tickets_says_so(limited_client, service):
    page = _page(limited_client, service)
    assert "No trouble ticket for this service." in page
    assert 'data-testid="chronic"' not in page


@pytest.mark.parametrize(
    ("days_ago", "chronic"),
    [
        ([1, 10, 44], True),  # 3 in 45 days
        ([0, 1, 2, 3], True),
        ([1, 10], False),  # 2 are not enough
        ([1, 10, 46], False),  # the third is outside the 45 days
    ],
)
def test_three_tickets_in_45_days_make_a_service_chronic(
    limited_client, customer, limited_user, service, days_ago, chronic
):
    _tickets(customer, limited_user, service, days_ago=days_ago)
    page = _page(limited_client, service)
    assert ('data-testid="chronic"' in page) is chronic
    assert ("the TSC reviews this service as a chronic fault" in page) is chronic


def test_another_services_tickets_do_not_make_this_one_chronic(
    limited_client, customer, limited_user, service
):
    _tickets(customer, limited_user, ServiceFactory(customer=customer), days_ago=[1, 2, 3])
    _tickets(customer, limited_user, service, days_ago=[1, 2])
    assert 'data-testid="chronic"' not in _page(limited_client, service)


def test_a_member_without_the_tickets_permission_sees_no_tickets(
    client, customer, limited_user, service
):
    _tickets(customer, limited_user, service, days_ago=[1, 2, 3])
    member = MembershipFactory(customer=customer, services=Level.VIEW, tickets=Level.NONE)
    client.force_login(member.user)

    page = _page(client, service)

    assert 'data-testid="service-tickets"' not in page
    assert "TT-" not in page
    assert 'data-testid="chronic"' not in page
    assert "/tickets/new/" not in page


def test_a_member_who_only_views_tickets_gets_no_open_a_ticket_button(
    client, customer, limited_user, service
):
    (ticket,) = _tickets(customer, limited_user, service, days_ago=[1])
    member = MembershipFactory(customer=customer, services=Level.VIEW, tickets=Level.VIEW)
    client.force_login(member.user)

    page = _page(client, service)

    assert ticket.number in page
    assert "/tickets/new/" not in page


def test_no_ticket_button_for_a_disconnected_service(limited_client, customer):
    service = ServiceFactory(customer=customer, status="disconnected")
    assert "/tickets/new/" not in _page(limited_client, service)


def test_staff_see_and_filter_chronic_services_in_admin(
    root_client, customer, limited_user, service
):
    calm = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00099")
    _tickets(customer, limited_user, service, days_ago=[1, 5, 30])
    _tickets(customer, limited_user, calm, days_ago=[1, 2, 46])
    changelist = reverse("admin:portal_service_changelist")

    page = root_client.get(changelist).content.decode()
    assert "Chronic: 3 tickets in 45 days" in page
    assert "Chronic: 2 tickets" not in page

    chronic = root_client.get(changelist, {"chronic": "yes"}).content.decode()
    assert service.service_id in chronic
    assert calm.service_id not in chronic
    calm_only = root_client.get(changelist, {"chronic": "no"}).content.decode()
    assert calm.service_id in calm_only
    assert service.service_id not in calm_only


def test_the_admin_list_counts_tickets_in_a_fixed_number_of_queries(
    root_client, customer, limited_user
):
    changelist = reverse("admin:portal_service_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert root_client.get(changelist).status_code == 200
        return len(captured)

    service = ServiceFactory(customer=customer)
    _tickets(customer, limited_user, service, days_ago=[1])
    queries()  # warms the caches a first admin request fills (content types, session)
    one = queries()
    for _ in range(20):
        _tickets(customer, limited_user, ServiceFactory(customer=customer), days_ago=[1, 2, 3])
    assert queries() == one
