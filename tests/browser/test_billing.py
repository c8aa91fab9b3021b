"""A dispute from an invoice line to a credit in real browsers (R-BIL-1, R-TEAM-5): the customer
disputes two lines of an invoice on the portal (the page sums them and, as you type, says next to
a line when its amount is above the line's, without changing it, and holds the form until it is
corrected), Billing Customer Care issues the credit through the real admin pages, and
the customer reads it on the request's page and on the invoice's page; on a desktop and a phone."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from billing import rules
from billing.models import BillingRequest, Credit, Invoice, InvoiceLine
from core.models import Notification, ProductLine
from team.models import TeamAssignment, TeamRole
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sign_in_staff, sticking_out
from tests.factories import (
    ServiceFactory,
    TeamPersonFactory,
    UserFactory,
    invoice_with_lines,
    ticket_open_for,
)
from tickets import services as ticket_services

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
ANSWER = (
    "We confirm the backup link was cancelled in October: line 2 is credited in full, and half "
    "of the installation fee (line 3)."
)


@pytest.fixture
def invoice(customer, portal_admin_user):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    TeamAssignment.objects.create(
        customer=customer,
        role=TeamRole.BILLING_CARE,
        person=TeamPersonFactory(full_name="Beatriz Cobranzas", email="beatriz@lumen.test"),
    )
    main = ServiceFactory(
        customer=customer,
        service_id="AR-BUE-INT-20477",
        product_line=ProductLine.INTERNET,
        site_name="Casa central",
    )
    backup = ServiceFactory(
        customer=customer,
        service_id="AR-BUE-INT-20478",
        product_line=ProductLine.INTERNET,
        site_name="Casa central (backup)",
    )
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    invoice_with_lines(
        customer,
        number="FA-0001-00012100",
        period=last_month,
        amounts=("1250.00", "480.00"),
        services=[main, backup],
    )
    invoice = invoice_with_lines(
        customer,
        number="FA-0001-00012345",
        period=this_month,
        amounts=("1250.00", "480.00", "300.00"),
        services=[main, backup, main],
    )
    descriptions = {
        1: "Internet 1 Gbps, monthly fee",
        2: "Internet 200 Mbps backup, monthly fee",
        3: "Installation of the new router",
    }
    for position, text in descriptions.items():
        InvoiceLine.objects.filter(invoice=invoice, position=position).update(description=text)
    return invoice


@pytest.fixture
def staff(db):
    return UserFactory(
        email="care@lumen.test", full_name="Carla Cobranzas", is_staff=True, is_superuser=True
    )


def _amount(page, invoice, position):
    line = invoice.lines.get(position=position)
    return page.locator(f"#id_amount_{line.pk}")


def test_a_dispute_of_invoice_lines_ends_in_a_credit(
    new_page, screenshot, portal_admin_user, staff, invoice
):
    page = new_page()
    sign_in(page, portal_admin_user.email)

    # From the invoice's page to the dispute form, its lines ready.
    page.goto(f"/billing/invoices/{invoice.number}/")
    page.get_by_test_id("dispute-invoice").click()
    expect(page.locator("h1")).to_have_text("New inquiry, dispute or credit request")
    expect(page.locator("input[name=kind][value=dispute]")).to_be_checked()
    expect(page.get_by_test_id("dispute-line")).to_have_count(3)
    expect(page.get_by_test_id("credit-fields")).to_be_hidden()

    # Another invoice brings its own lines (htmx swaps them in), and back. htmx runs within the
    # CSP: the page's htmx-config turns off eval and the inline indicator style.
    assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [
        False,
        False,
    ]
    page.locator("#id_invoice").select_option("FA-0001-00012100")
    expect(page.get_by_test_id("dispute-line")).to_have_count(2)
    page.locator("#id_invoice").select_option(invoice.number)
    expect(page.get_by_test_id("dispute-line")).to_have_count(3)

    # Ticking a line disputes all of it; more than a line's amount is said next to the line,
    # in the server's words, and the form is not sent: what was typed is never changed.
    page.get_by_label("Line 2", exact=True).check()
    expect(_amount(page, invoice, 2)).to_have_value("480.00")
    _amount(page, invoice, 3).fill("450")
    expect(_amount(page, invoice, 3)).to_have_value("450")
    expect(page.get_by_label("Line 3", exact=True)).to_be_checked()
    line_3 = page.locator("[data-dispute-line][data-line='3']")
    expect(line_3.get_by_test_id("line-error")).to_have_text(
        "You can dispute at most the line's amount, $300.00."
    )
    expect(_amount(page, invoice, 3)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-dispute-total]")).to_have_text("$930.00")  # as typed
    screenshot(page, "1-dispute-too-much")
    page.get_by_test_id("submit-request").click()
    expect(_amount(page, invoice, 3)).to_be_focused()
    assert not BillingRequest.objects.exists()
    _amount(page, invoice, 3).fill("150")
    expect(line_3.get_by_test_id("line-error")).to_have_count(0)
    expect(_amount(page, invoice, 3)).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-dispute-total]")).to_have_text("$630.00")
    page.get_by_label("Description").fill(
        "The backup link was cancelled in October (ticket attached) and the installation was "
        "quoted at half this price."
    )
    page.get_by_label("Attachments").set_input_files(
        [{"name": "cancellation.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "1-dispute-form")
    assert horizontal_overflow(page, 1280) is None

    page.get_by_test_id("submit-request").click()
    expect(page.locator(".message-success")).to_contain_text("We received BIL-")
    expect(page.locator(".message-success")).to_contain_text("Beatriz Cobranzas")
    request_obj = BillingRequest.objects.get()
    expect(page.get_by_test_id("request-number")).to_have_text(request_obj.number)
    expect(page.get_by_test_id("request-status")).to_have_text("Received")
    expect(page.get_by_test_id("disputed-line")).to_have_count(2)
    expect(page.get_by_test_id("disputed-total")).to_have_text("$630.00")
    expect(page.get_by_test_id("attachment")).to_contain_text("cancellation.pdf")
    expect(page.get_by_test_id("billing-care")).to_contain_text("Beatriz Cobranzas")
    assert request_obj.requested_amount == Decimal("630.00")
    screenshot(page, "2-request-received")
    assert horizontal_overflow(page, 1280) is None
    assert sticking_out(page, ".panel") == []

    # On a phone: the form and the request read without sideways scrolling.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, portal_admin_user.email)
    phone.goto(f"/billing/requests/new/?kind=dispute&invoice={invoice.number}")
    expect(phone.get_by_test_id("under-dispute")).to_have_count(2)
    screenshot(phone, "3-phone-form")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    phone.goto(f"/billing/requests/{request_obj.number}/")
    expect(phone.get_by_test_id("disputed-line")).to_have_count(2)
    screenshot(phone, "4-phone-request")
    assert horizontal_overflow(phone, PHONE["width"]) is None

    # Billing Customer Care issues the credit in the admin.
    back_office = new_page()
    sign_in_staff(back_office, staff)
    back_office.goto(f"/admin/billing/billingrequest/?q={request_obj.number}")
    back_office.get_by_role("link", name=request_obj.number, exact=True).click()
    back_office.locator(".object-tools a", has_text="Issue a credit").click()
    expect(back_office.locator("#id_amount")).to_have_value("630.00")
    expect(back_office.locator("#id_invoice option:checked")).to_contain_text(invoice.number)
    back_office.locator("#id_answer").fill(ANSWER)
    screenshot(back_office, "5-admin-credit-form")
    back_office.locator("input[type=submit][value='Issue the credit']").click()
    expect(back_office.locator(".messagelist .success")).to_contain_text("Credit issued")
    screenshot(back_office, "6-admin-credit-issued")
    credit = Credit.objects.get(request=request_obj)
    assert (credit.amount, credit.invoice, credit.override) == (Decimal("630.00"), invoice, False)
    assert Notification.objects.filter(event=f"billing:{request_obj.number}:resolved").exists()

    # The customer reads the credit on the request's page...
    page.reload()
    expect(page.get_by_test_id("request-status")).to_have_text("Resolved")
    banner = page.get_by_test_id("request-banner")
    expect(banner).to_contain_text(f"Credit issued: $630.00 on invoice {invoice.number}")
    expect(page.get_by_test_id("outcome-reason")).to_have_text(ANSWER)
    expect(page.get_by_test_id("credit-card")).to_contain_text("$630.00")
    expect(page.locator("[data-step='resolved']")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("reply-form")).to_have_count(0)
    screenshot(page, "7-credit-on-request")
    assert horizontal_overflow(page, 1280) is None
    assert sticking_out(page, ".panel") == []

    # ... and on the invoice's page, where the credit leads back to the request.
    banner.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_test_id("invoice-number")).to_have_text(invoice.number)
    expect(page.get_by_test_id("invoice-credit")).to_contain_text("$630.00")
    expect(page.get_by_test_id("invoice-credit")).to_contain_text(request_obj.number)
    expect(page.get_by_test_id("invoice-credited")).to_contain_text("$630.00")
    screenshot(page, "8-credit-on-invoice")
    invoice.refresh_from_db()
    # $630 of $2,030 credited: the rest is still to pay, so the invoice is not "credited".
    late = invoice.due_on < rules.customer_today(invoice.customer)
    assert invoice.status == (Invoice.Status.OVERDUE if late else Invoice.Status.ISSUED)

    phone.goto(f"/billing/requests/{request_obj.number}/")
    expect(phone.get_by_test_id("request-banner")).to_contain_text("$630.00")
    screenshot(phone, "9-phone-credit")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    page.goto("/billing/requests/")
    expect(page.get_by_test_id("request-outcome")).to_contain_text("$630.00")
    screenshot(page, "10-list")
    assert horizontal_overflow(page, 1280) is None
    phone.goto("/billing/requests/")
    expect(phone.get_by_test_id("request-row")).to_have_count(1)
    expect(phone.get_by_test_id("request-outcome")).to_contain_text("$630.00")
    screenshot(phone, "11-phone-list")
    assert horizontal_overflow(phone, PHONE["width"]) is None


def test_a_credit_request_starts_from_a_resolved_ticket(
    new_page, screenshot, customer, portal_admin_user, staff_user
):
    """The ticket page offers the credit; the form comes with the ticket's service and outage
    window in the reader's timezone."""
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    service = ServiceFactory(
        customer=customer, service_id="AR-COR-IPVPN-30112", site_name="Planta Córdoba"
    )
    start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=8)
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        ticket = ticket_open_for(
            customer,
            portal_admin_user,
            service=service,
            problem_started_at=start,
            subject="IP VPN down at the Córdoba plant",
        )
    ticket_services.ticket_resolve(
        ticket=ticket,
        actor=staff_user,
        resolution="Fibre cut on the last mile, spliced.",
        restored_at=start + datetime.timedelta(hours=6, minutes=30),
    )
    local = ZoneInfo("America/Argentina/Buenos_Aires")

    page = new_page()
    sign_in(page, portal_admin_user.email)
    page.goto(f"/tickets/{ticket.number}/")
    page.get_by_test_id("request-credit").click()
    expect(page.locator("input[name=kind][value=credit]")).to_be_checked()
    expect(page.get_by_test_id("dispute-lines")).to_be_hidden()
    expect(page.get_by_test_id("credit-ticket")).to_contain_text(f"From ticket {ticket.number}")
    # The outage as lived (6 h 30 min), apart from the SLA time counted from the opening.
    expect(page.get_by_test_id("ticket-outage")).to_contain_text("Outage: 6 h 30 min")
    expect(page.get_by_test_id("ticket-sla")).to_contain_text(
        "SLA restoration time 6 h 25 min, after the 4 h target"
    )
    expect(page.locator("#id_service")).to_have_value("AR-COR-IPVPN-30112")
    expect(page.locator("#id_outage_start")).to_have_value(
        f"{start.astimezone(local):%Y-%m-%dT%H:%M}"
    )
    expect(page.locator("#id_outage_end")).to_have_value(
        f"{(start + datetime.timedelta(hours=6, minutes=30)).astimezone(local):%Y-%m-%dT%H:%M}"
    )
    page.locator("#id_requested_amount").fill("210.50")
    page.locator("#id_currency").select_option("USD")
    page.get_by_label("Description").fill("Six and a half hours without the plant's VPN.")
    screenshot(page, "1-credit-form")
    assert horizontal_overflow(page, 1280) is None

    page.get_by_test_id("submit-request").click()
    expect(page.locator(".message-success")).to_contain_text("We received BIL-")
    expect(page.get_by_test_id("requested-amount")).to_have_text("$210.50")
    expect(page.get_by_test_id("outage")).to_be_visible()
    request_obj = BillingRequest.objects.get()
    assert (request_obj.ticket, request_obj.service) == (ticket, service)
    assert request_obj.outage_start == start
    screenshot(page, "2-credit-request")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, portal_admin_user.email)
    phone.goto(f"/billing/requests/new/?kind=credit&ticket={ticket.number}")
    expect(phone.get_by_test_id("credit-ticket")).to_be_visible()
    screenshot(phone, "3-phone-credit-form")
    assert horizontal_overflow(phone, PHONE["width"]) is None
