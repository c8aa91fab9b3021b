"""The dashboard's order cards (issue 4 section 3) and the notification-contacts card."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Step
from tests.factories import NotificationContactFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_orders_in_progress_show_their_next_touchpoint_and_waiting_ones_stand_out(
    portal_admin_client, customer, other_customer
):
    OrderFactory(
        customer=customer,
        title="Internet Mendoza",
        last_step=Step.ESTIMATED_ACTIVATION,
        estimated_activation_on=datetime.date(2026, 12, 17),
    )
    OrderFactory(
        customer=customer,
        title="SD-WAN Rosario",
        status="waiting_customer",
        last_step=Step.TECHNICAL_DETAILS,
    )
    OrderFactory(
        customer=customer, title="Closed one", status="closed", first_invoice_on="2026-11-01"
    )
    OrderFactory(customer=other_customer, title="Globex order")

    response = portal_admin_client.get("/")

    page = response.content.decode()
    cards = response.context["orders"]
    assert [o.title for o in cards["in_progress"]] == ["Internet Mendoza"]
    assert [o.title for o in cards["waiting"]] == ["SD-WAN Rosario"]
    assert "Next: TP4 Installation reminder" in page
    assert 'data-testid="card-orders-waiting"' in page
    assert "card-attention" in page
    assert "Closed one" not in page
    assert "Globex order" not in page


def test_no_order_card_without_the_orders_permission(limited_client, customer):
    OrderFactory(customer=customer, title="Internet Mendoza")
    page = limited_client.get("/").content.decode()
    assert 'data-testid="card-orders"' not in page
    assert "Internet Mendoza" not in page


def test_administrators_see_contacts_that_receive_nothing(portal_admin_client, customer):
    NotificationContactFactory(customer=customer)
    NotificationContactFactory(customer=customer, confirmed_at=None)
    NotificationContactFactory(customer=customer, bounced_at=timezone.now())

    page = portal_admin_client.get("/").content.decode()

    assert "2 contacts receive nothing" in page
    assert 'href="/notifications/"' in page


def test_users_do_not_see_the_contacts_card(limited_client, customer):
    NotificationContactFactory(customer=customer, confirmed_at=None)
    assert 'data-testid="card-notifications"' not in limited_client.get("/").content.decode()
