"""An order from TP1 to TP6 in real browsers (R-ORD-1, R-ORD-2, R-TEAM-3): staff record the
touchpoints in the admin, the customer answers TP1 on the order page and follows the stepper
until the services are active; on a desktop and on a phone."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import ProductLine, Service
from orders.models import Order, Step, Touchpoint
from orders.services import order_create, touchpoint_record
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sign_in_staff, sticking_out
from tests.factories import (
    NotificationContactFactory,
    OrderFactory,
    TeamPersonFactory,
    UserFactory,
    provisioning_service,
)

pytestmark = pytest.mark.browser
LOCAL = ZoneInfo("America/Argentina/Buenos_Aires")


@pytest.fixture
def order(customer, portal_admin_user):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    care_manager = TeamPersonFactory(
        full_name="Lucía Benítez", email="lucia.benitez@lumen.test", phone="+5491155550101"
    )
    NotificationContactFactory(customer=customer, name="Mesa de operaciones", email="ops@acme.test")
    services = [
        provisioning_service(
            customer,
            service_id="AR-BUE-INT-20477",
            product_line=ProductLine.INTERNET,
            site_name="Casa central",
            capacity="1 Gbps",
        ),
        provisioning_service(
            customer,
            service_id="AR-BUE-INT-20478",
            product_line=ProductLine.INTERNET,
            site_name="Casa central (backup)",
            capacity="200 Mbps",
        ),
    ]
    # Two more orders so that the list has something around the one we follow.
    OrderFactory(
        customer=customer,
        number="ORD-2026-00900",
        title="SIP trunk 60 channels",
        product_line=ProductLine.VOICE,
        care_manager=care_manager,
    )
    OrderFactory(
        customer=customer,
        number="ORD-2026-00901",
        title="IP VPN Córdoba",
        product_line=ProductLine.IP_VPN,
        status=Order.Status.ACTIVATED,
        last_step=6,
        activated_on=datetime.date(2026, 10, 1),
        received_on=datetime.date(2026, 8, 3),
    )
    return order_create(
        customer=customer,
        product_line=ProductLine.INTERNET,
        title="Internet 1 Gbps with backup, Buenos Aires head office",
        services=services,
        requester=portal_admin_user,
        care_manager=care_manager,
        received_on=datetime.date(2026, 11, 23),
    )


@pytest.fixture
def staff(db):
    return UserFactory(
        email="care@lumen.test", full_name="Carla Gestión", is_staff=True, is_superuser=True
    )


def _record_in_admin(page, order, fill) -> None:
    """Staff open the order in the admin, follow "Record TPn" and save the form."""
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    page.locator(".object-tools a", has_text="Record TP").click()
    fill(page)
    page.locator("input[type=submit][value='Save and notify']").click()
    expect(page.locator(".messagelist .success")).to_contain_text("recorded")


def _states(page) -> list[str]:
    return page.get_by_test_id("step").evaluate_all("els => els.map(e => e.dataset.state)")


def test_an_order_from_tp1_to_tp6(new_page, screenshot, portal_admin_user, staff, order, customer):
    back_office = new_page()
    sign_in_staff(back_office, staff)

    # TP1: the care team asks for the technical details, in the admin.
    def tp1(page):
        page.locator("#id_details_requested").fill(
            "LAN IP range for the new router\nRack position\nOn-site contact on installation day"
        )
        page.locator("#id_message").fill("We need three details before we confirm the order.")

    _record_in_admin(back_office, order, tp1)
    screenshot(back_office, "0-admin-tp1-recorded")
    order.refresh_from_db()
    assert order.status == Order.Status.WAITING_CUSTOMER

    # The customer sees the order waiting for them, in the list and on its page.
    page = new_page()
    sign_in(page, portal_admin_user.email)
    page.locator("nav.sidenav a[href='/orders/']").click()
    expect(page.get_by_test_id("order-row")).to_have_count(3)
    expect(page.get_by_test_id("orders-waiting")).to_contain_text("1 order is waiting")
    waiting_row = page.locator("tr.order-row-waiting")
    expect(waiting_row).to_contain_text(order.number)
    expect(waiting_row).to_contain_text("Your answer to TP1")
    screenshot(page, "1-list-waiting")

    waiting_row.get_by_role("link", name=order.number).click()
    expect(page.locator("h1")).to_contain_text(order.number)
    expect(page.get_by_test_id("order-status")).to_have_text("● Waiting for you")
    form = page.get_by_test_id("answer-form")
    expect(form.locator("textarea")).to_have_count(3)
    assert _states(page) == ["current"] + ["next"] * 5
    screenshot(page, "2-order-waiting")
    assert horizontal_overflow(page, 1280) is None

    mail.outbox.clear()
    page.get_by_label("LAN IP range for the new router").fill("10.20.0.0/24, gateway 10.20.0.1")
    page.get_by_label("Rack position").fill("Rack B, units 12-13, second floor")
    page.get_by_label("On-site contact on installation day").fill(
        "Martín Gómez, +54 9 11 5555 0199"
    )
    form.get_by_role("button", name="Send the answers").click()
    expect(page.locator(".message-success")).to_contain_text("has your answers")
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    expect(page.get_by_test_id("tp1-answers")).to_contain_text("Rack B, units 12-13")
    expect(page.get_by_test_id("order-status")).to_have_text("In progress")
    assert _states(page) == ["done", "current", "next", "next", "next", "next"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to[0].endswith("<lucia.benitez@lumen.test>")
    screenshot(page, "3-answered")

    # TP2 and TP3 in the admin: the confirmation, then the dates.
    _record_in_admin(
        back_office,
        order,
        lambda p: p.locator("#id_message").fill("Order confirmed: two Internet accesses."),
    )

    def tp3(p):
        p.locator("#id_estimated_activation_on").fill("2026-12-18")
        p.locator("#id_installation_on").fill("2026-12-10")

    _record_in_admin(back_office, order, tp3)
    screenshot(back_office, "4-admin-tp3-recorded")

    page.reload()
    assert _states(page) == ["done", "done", "done", "current", "next", "next"]
    expect(page.locator("[data-step='3']")).to_contain_text("Dec. 18, 2026")
    expect(page.get_by_test_id("ics-installation")).to_be_visible()
    screenshot(page, "5-after-tp3")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, portal_admin_user.email)
    phone.goto("/orders/")
    expect(phone.get_by_test_id("order-row")).to_have_count(3)
    screenshot(phone, "6-phone-list")
    assert horizontal_overflow(phone, PHONE["width"]) is None

    # TP4 to TP6 through the services (the same the admin calls).
    order.refresh_from_db()
    touchpoint_record(
        order=order,
        step=Step.INSTALLATION_REMINDER,
        actor=staff,
        installation_on=datetime.date(2026, 12, 10),
        site_preparation="Access to the equipment room from 8:00\nOne free rack unit and power",
    )
    touchpoint_record(
        order=order,
        step=Step.ACTIVATION_PLANNING,
        actor=staff,
        activation_start=datetime.datetime(2026, 12, 17, 9, tzinfo=LOCAL),
        activation_end=datetime.datetime(2026, 12, 17, 13, tzinfo=LOCAL),
    )
    page.reload()
    assert _states(page) == ["done"] * 5 + ["current"]
    window = page.locator("[data-step='5']").get_by_test_id("activation-window")
    expect(window).to_contain_text("Dec. 17, 2026, 9 a.m.")
    expect(window).to_contain_text("(America/Argentina/Buenos_Aires)")
    with page.expect_download() as download:
        page.get_by_test_id("ics-activation").click()
    assert download.value.suggested_filename == f"{order.number}-activation.ics"
    screenshot(page, "7-after-tp5")

    touchpoint_record(
        order=order,
        step=Step.CONNECTION,
        actor=staff,
        activated_on=datetime.date(2026, 12, 17),
        message="Both accesses are up. Welcome aboard!",
    )
    page.reload()
    assert _states(page) == ["done"] * 6
    expect(page.get_by_test_id("order-status")).to_have_text("Activated")
    expect(page.get_by_test_id("order-banner")).to_contain_text("active since Dec. 17, 2026")
    services = page.get_by_test_id("order-service")
    expect(services).to_have_count(2)
    for row in services.all():
        expect(row).to_contain_text("Active")
    assert set(Service.objects.values_list("status", flat=True)) == {Service.Status.ACTIVE}
    timeline = page.get_by_test_id("timeline-entry")
    expect(timeline).to_have_count(8)  # received, TP1, answer, TP2..TP6
    expect(timeline.first).to_contain_text("TP6 · Connection notification")
    screenshot(page, "8-activated")
    assert horizontal_overflow(page, 1280) is None
    assert sticking_out(page, ".panel") == []
    assert Touchpoint.objects.filter(order=order).count() == 6

    phone.goto(f"/orders/{order.number}/")
    expect(phone.get_by_test_id("step")).to_have_count(6)
    screenshot(phone, "9-phone-activated")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    assert sticking_out(phone, ".panel") == []
