"""The registry the dashboard and a service's page collect their cards from (core/cards.py):
an area that registers a card appears on the page without the page being edited, in its order,
and only when its function says so."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from core import cards
from core.cards import Card, Slot
from tests.factories import ServiceFactory


@pytest.fixture
def card_templates(settings, tmp_path):
    """A folder of card templates the tests write, searched before the project's own."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
        *settings.TEMPLATES[1:],
    ]

    def write(name: str, text: str) -> str:
        (tmp_path / name).write_text(text)
        return name

    return write


@pytest.fixture
def dashboard_slot(monkeypatch):
    """The dashboard's slot with the installed areas' cards, restored after the test."""
    monkeypatch.setattr(cards.dashboard, "_cards", dict(cards.dashboard._cards))
    return cards.dashboard


@pytest.fixture
def service_slot(monkeypatch):
    monkeypatch.setattr(cards.service_page, "_cards", dict(cards.service_page._cards))
    return cards.service_page


def test_every_area_puts_its_card_on_the_dashboard_through_the_registry():
    # Registered in each area's AppConfig.ready(), never listed by the dashboard.
    assert set(cards.dashboard.keys) >= {
        "services",
        "orders",
        "tickets",
        "changes",
        "billing",
        "tsc",
        "team",
    }


def test_a_new_areas_card_appears_on_the_dashboard_in_its_order(
    portal_admin_client, customer, dashboard_slot, card_templates
):
    seen = []

    def context(request):
        seen.append(request.customer)
        return {"greeting": "Hola desde un área nueva"}

    template = card_templates("_new_area.html", '<section id="new-area">{{ greeting }}</section>')
    dashboard_slot.register(Card("new-area", -1, context, {"main": template}))

    page = portal_admin_client.get(reverse("portal:dashboard")).content.decode()

    assert '<section id="new-area">Hola desde un área nueva</section>' in page
    assert page.index('id="new-area"') < page.index('data-testid="card-orders"')
    assert seen == [customer]


def test_a_card_whose_function_answers_none_is_not_on_the_dashboard(
    portal_admin_client, dashboard_slot, card_templates
):
    template = card_templates("_hidden.html", '<section id="hidden-card">x</section>')
    dashboard_slot.register(Card("hidden", 1, lambda request: None, {"main": template}))

    response = portal_admin_client.get(reverse("portal:dashboard"))

    assert response.status_code == 200
    assert "hidden-card" not in response.content.decode()


def test_a_service_page_shows_a_registered_section_with_the_service(
    portal_admin_client, customer, service_slot, card_templates
):
    service = ServiceFactory.create(customer=customer)
    template = card_templates("_svc.html", '<p id="svc-note">{{ service_id }}</p>')
    service_slot.register(
        Card(
            "note",
            1,
            lambda request, service: {"service_id": service.service_id},
            {"notes": template},
        )
    )

    page = portal_admin_client.get(reverse("services:detail", args=[service.service_id]))

    assert f'<p id="svc-note">{service.service_id}</p>' in page.content.decode()


def test_two_cards_with_one_key_are_refused():
    slot = Slot("dashboard", places=("main",))
    slot.register(Card("orders", 1, lambda request: {}, {"main": "a.html"}))
    with pytest.raises(ImproperlyConfigured):
        slot.register(Card("orders", 2, lambda request: {}, {"main": "b.html"}))
