"""A trouble ticket in real browsers (R-TT-2, R-TT-3): the customer opens it with an attachment,
the TSC puts it in waiting for the customer, the customer sees the clock paused, answers, and
sees the clock run again; on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from core.models import ProductLine
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out
from tests.factories import ServiceFactory, ticket_open_for
from tickets import services
from tickets.models import PauseInterval, Ticket

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def inventory(customer, portal_admin_user):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.phone = "+54 11 5555 0199"
    portal_admin_user.save()
    wanted = ServiceFactory(
        customer=customer,
        service_id="AR-BUE-INT-20477",
        product_line=ProductLine.INTERNET,
        site_name="Casa central",
    )
    for n in range(6):
        ServiceFactory(
            customer=customer, service_id=f"AR-COR-IPVPN-3000{n}", site_name=f"Sucursal {n}"
        )
    # One earlier ticket so the list has a row besides ours.
    ticket_open_for(
        customer,
        portal_admin_user,
        service=wanted,
        impact="degraded",
        subject="Intermittent packet loss",
    )
    return wanted


def test_open_wait_answer_and_resume(
    page, new_page, screenshot, portal_admin_user, staff_user, inventory
):
    sign_in(page, portal_admin_user.email)
    page.goto("/tickets/")
    page.get_by_test_id("open-ticket").click()

    # R-TT-2: find the service by part of its id, pick the impact with its targets in view.
    page.locator("#service-filter").fill("20477")
    expect(page.locator(".service-picker-option:visible")).to_have_count(1)
    page.get_by_label("AR-BUE-INT-20477").check()
    expect(page.locator("[data-service-count]")).to_have_text("Selected: 1")
    page.locator("#service-filter").fill("")
    page.get_by_label("Service down").check()
    expect(page.get_by_test_id("targets-down")).to_contain_text("15 min")
    expect(page.locator("#id_site_contact_name")).to_have_value(portal_admin_user.full_name)
    expect(page.locator("#id_site_contact_phone")).to_have_value("+54 11 5555 0199")
    page.locator("#id_subject").fill("No traffic at Casa central")
    page.locator("#id_description").fill("The WAN port of the router is down since 08:10.")
    page.locator("#id_access_hours").fill("Mon-Fri 08:00-18:00, ask at reception")
    page.locator("#id_checks_done").fill("Power and cabling checked, router restarted.")
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "router-log.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "0-form")
    page.get_by_role("button", name="Open the ticket").click()

    ticket = Ticket.objects.get(subject="No traffic at Casa central")
    expect(page).to_have_url(f"{page.url.split('/tickets/')[0]}/tickets/{ticket.number}/")
    expect(page.locator(".message-success")).to_contain_text(ticket.number)
    expect(page.get_by_test_id("clock")).to_have_attribute("data-state", "running")
    expect(page.get_by_test_id("attachment")).to_contain_text("router-log.pdf")
    screenshot(page, "1-opened")

    # The TSC needs the customer (R-TT-3): the clock pauses.
    services.ticket_wait_for_customer(
        ticket=ticket,
        reason=PauseInterval.Reason.SITE_ACCESS,
        actor=staff_user,
        message="Our technician is at the door: please authorise access at reception.",
    )
    page.reload()
    clock = page.get_by_test_id("clock")
    expect(page.get_by_test_id("waiting-panel")).to_contain_text("Waiting for access to the site")
    expect(clock).to_have_attribute("data-state", "paused")
    expect(clock).to_have_attribute("data-live", "true")
    expect(page.get_by_test_id("pause")).to_contain_text("Still waiting")
    remaining = clock.locator('[data-counter="remaining"]')
    frozen = remaining.text_content()
    open_pause = clock.locator('[data-counter="open-pause"]')
    expect(open_pause).not_to_have_text(open_pause.text_content())  # the pause counts up...
    assert remaining.text_content() == frozen  # ...while the SLA time stands still
    screenshot(page, "2-waiting")
    assert horizontal_overflow(page, 1280) is None

    phone = new_page(viewport=PHONE)
    sign_in(phone, portal_admin_user.email)
    phone.goto(f"/tickets/{ticket.number}/")
    expect(phone.get_by_test_id("waiting-panel")).to_be_visible()
    screenshot(phone, "3-phone-waiting")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    assert sticking_out(phone, ".panel, .card") == []

    # The customer answers at the top of the page: the clock runs again.
    page.get_by_test_id("waiting-panel").locator("textarea").fill("Reception has your name now.")
    page.get_by_role("button", name="Answer and restart the clock").click()
    expect(page.get_by_test_id("waiting-panel")).to_have_count(0)
    expect(page.get_by_test_id("ticket-status")).to_have_text("In progress")
    clock = page.get_by_test_id("clock")
    expect(clock).to_have_attribute("data-state", "running")
    expect(page.get_by_test_id("pause")).not_to_contain_text("Still waiting")
    elapsed = clock.locator('[data-counter="elapsed"]')
    expect(elapsed).not_to_have_text(elapsed.text_content())  # live again
    expect(page.get_by_test_id("conversation")).to_contain_text("Reception has your name now.")
    screenshot(page, "4-resumed")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.pauses.get().ended_at is not None

    phone.goto("/tickets/")
    expect(phone.get_by_test_id("ticket-row")).to_have_count(2)
    screenshot(phone, "5-phone-list")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    phone.goto(f"/tickets/{ticket.number}/")
    screenshot(phone, "6-phone-resumed")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    page.goto("/tickets/")
    screenshot(page, "7-list")
