"""Scheduled maintenance in real browsers (R-GCR-1..5): a customer's administrator finds the
planned work in the calendar (list and month), opens a maintenance, sees only its own services in
its own and each site's local time, and asks to reschedule (R-GCR-2); on a desktop and a phone."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from changes.models import Impact, Maintenance, MaintenanceObjection
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out
from tests.changes.test_maintenance_pages import SECRET, make_maintenance
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def planned(customer, other_customer, portal_admin_user):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    casa = ServiceFactory(
        customer=customer, service_id="AR-BUE-IPVPN-10231", site_name="Casa central"
    )
    toluca = ServiceFactory(
        customer=customer, service_id="MX-TOL-INT-20045", site_name="Planta Toluca", country="MX"
    )
    globex = ServiceFactory(
        customer=other_customer, service_id="BR-RIO-IPVPN-99001", site_name=SECRET, country="BR"
    )
    start = datetime.combine(timezone.now().date() + timedelta(days=12), time(7), tzinfo=UTC)
    main = make_maintenance(
        [
            (casa, Impact.OUTAGE, 45),
            (toluca, Impact.REDUCED_REDUNDANCY, 0),
            (globex, Impact.OUTAGE, 60),
        ],
        start=start,
        reason=(
            "Reemplazo del equipo de agregación en el nodo Barracas: la fibra se empalma de nuevo."
        ),
    )
    make_maintenance(
        [(casa, Impact.DEGRADED, 10)],
        kind=Maintenance.Kind.EMERGENCY,
        start=timezone.now() + timedelta(hours=20),
        reason="Falla de un módulo de energía.",
    )
    make_maintenance(
        [(toluca, Impact.NO_IMPACT, 0)],
        start=start + timedelta(days=3),
        status=Maintenance.Status.CANCELLED,
    )
    return main


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_customer_views_the_calendar_and_a_maintenance(
    new_page, screenshot, portal_admin_user, planned, viewport
):
    page = new_page(viewport=viewport)
    sign_in(page, portal_admin_user.email)
    expect(page.get_by_test_id("card-maintenance")).to_contain_text(planned.reference)
    screenshot(page, "1-dashboard")

    page.goto("/changes/maintenance/")
    expect(page.get_by_test_id("maintenance-row")).to_have_count(3)
    expect(page.get_by_test_id("emergency").first).to_be_visible()
    screenshot(page, "2-list")
    page.get_by_test_id("feed-rotate").click()
    expect(page.get_by_test_id("feed-url")).to_have_value(
        re.compile(r"/changes/maintenance/feed/.+\.ics$")
    )
    expect(page.get_by_test_id("feed-once")).to_be_visible()
    screenshot(page, "2-feed-made")
    assert horizontal_overflow(page, viewport["width"]) is None
    page.reload()
    expect(page.get_by_test_id("feed-exists")).to_be_visible()
    expect(page.get_by_test_id("feed-url")).to_have_count(0)
    assert horizontal_overflow(page, viewport["width"]) is None

    page.get_by_test_id("tab-month").click()
    month = planned.start.astimezone(ZoneInfo("America/Argentina/Buenos_Aires")).strftime("%Y-%m")
    page.goto(f"/changes/maintenance/?view=month&month={month}")
    expect(page.get_by_test_id("maintenance-month")).to_contain_text(planned.reference)
    screenshot(page, "3-month")
    assert horizontal_overflow(page, viewport["width"]) is None
    outside = sticking_out(page, "main .panel")
    assert not outside, "\n".join(outside)

    page.get_by_role("link", name=planned.reference).first.click()
    expect(page.get_by_test_id("affected-service")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("BR-RIO-IPVPN-99001")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    expect(page.get_by_test_id("window-site")).to_have_count(2)
    screenshot(page, "4-maintenance")
    assert horizontal_overflow(page, viewport["width"]) is None

    page.locator("#id_message").fill("Cierre de mes: cualquier noche después del día 3.")
    page.get_by_test_id("reschedule-submit").click()
    expect(page.locator(".message-success")).to_contain_text("Change Management received")
    expect(page.get_by_test_id("objections")).to_contain_text("Cierre de mes")
    screenshot(page, "5-requested")
    assert MaintenanceObjection.objects.filter(maintenance=planned).count() == 1
