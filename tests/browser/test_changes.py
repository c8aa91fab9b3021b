"""A standard change request in a real browser (R-CHG-1..6): the customer picks a change from
the catalog, chooses 11 sites and is refused with the way to the non-standard route (R-CHG-2,
R-CHG-6), keeps 10, checks the request (the analysis deadline, R-CHG-4) and sends it; on a
desktop and on a phone."""

from datetime import datetime, timedelta
from importlib import import_module

import pytest
from playwright.sync_api import expect

from changes.models import ChangeRequest, StandardChange
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(transactional_db):
    """The catalog is seed data from a migration, flushed by earlier transactional tests: the
    same rows again, from the migration's own list."""
    rows = import_module("changes.migrations.0002_catalog_staff_groups").CATALOG
    for position, (code, es, pt, en, lines, parameters) in enumerate(rows):
        StandardChange.objects.get_or_create(
            code=code,
            defaults={
                "name_es": es,
                "name_pt": pt,
                "name_en": en,
                "product_lines": lines,
                "parameters": [
                    {"key": key, "label_es": les, "label_pt": lpt, "label_en": len_}
                    for key, les, lpt, len_ in parameters
                ],
                "position": position,
            },
        )


@pytest.fixture
def sites(customer, portal_admin_user, catalog):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    return [
        ServiceFactory(
            customer=customer,
            service_id=f"AR-BUE-IPVPN-{n:05d}",
            site_name=f"Sucursal {n}",
        )
        for n in range(1, 12)
    ]


def test_ten_sites_yes_eleven_no(page, new_page, screenshot, portal_admin_user, sites):
    sign_in(page, portal_admin_user.email)
    page.goto("/changes/")
    expect(page.get_by_test_id("changes-empty")).to_be_visible()
    screenshot(page, "0-empty")
    page.get_by_test_id("request-change").click()
    expect(page.get_by_test_id("change-type")).not_to_have_count(0)
    screenshot(page, "1-catalog")
    page.get_by_role("link", name="Bandwidth upgrade or downgrade").click()
    expect(page.locator("#service-filter")).to_be_visible()
    blank_form = page.url

    # The filter box narrows the list; eleven sites chosen.
    page.locator("#service-filter").fill("00011")
    expect(page.locator(".service-picker-option:visible")).to_have_count(1)
    page.locator("#service-filter").fill("")
    for site in sites:
        page.get_by_label(site.service_id).check()
    expect(page.locator("[data-service-count]")).to_contain_text("11/10")
    expect(page.locator("[data-service-count]")).to_have_class("small service-count-over")
    page.get_by_label("New bandwidth").fill("500 Mbps")
    page.get_by_label("Any business-hours slot").check()
    screenshot(page, "2-eleven")
    page.get_by_test_id("check").click()

    # R-CHG-2: refused, with the way to Service Management carrying the 11 services.
    refusal = page.get_by_test_id("too-many-sites")
    expect(refusal).to_contain_text("at most 10 sites (you chose 11)")
    expect(page.get_by_test_id("route-other")).to_be_visible()
    screenshot(page, "3-refused")
    assert horizontal_overflow(page, 1280) is None
    assert ChangeRequest.objects.count() == 0
    page.get_by_test_id("route-other").click()
    expect(page.locator("input[name=services]:checked")).to_have_count(11)
    # The same picker here, with no limit: a plain count.
    expect(page.locator("[data-service-count]")).to_have_text("Selected: 11")
    expect(page.locator("#id_description")).to_have_value("Bandwidth upgrade or downgrade: ")
    screenshot(page, "4-other-route")

    # Ten: the check shows the analysis deadline; then it is sent. The refusal above answered a
    # POST, and signed-in pages are never stored (Cache-Control: no-store), so Back would ask to
    # send the form again: the person opens the form anew.
    page.goto(blank_form)
    for site in sites[:10]:
        page.get_by_label(site.service_id).check()
    page.get_by_label("New bandwidth").fill("500 Mbps")
    expect(page.locator("[data-service-count]")).to_have_text("Selected: 10/10")
    page.get_by_label("Any business-hours slot").check()
    page.get_by_test_id("check").click()
    deadline = page.get_by_test_id("preview-deadline").locator("time")
    expect(deadline).to_be_visible()
    shown = datetime.fromisoformat(deadline.get_attribute("datetime"))
    screenshot(page, "5-checked")
    assert horizontal_overflow(page, 1280) is None
    page.get_by_test_id("submit-preview").click()  # the button beside the deadline

    change = ChangeRequest.objects.get()
    expect(page).to_have_url(f"{page.url.split('/changes/')[0]}/changes/{change.number}/")
    expect(page.locator(".message-success")).to_contain_text(change.number)
    assert change.services.count() == 10
    assert abs(change.analysis_deadline - shown) < timedelta(minutes=2)
    on_page = page.get_by_test_id("deadline-at").locator("time").get_attribute("datetime")
    assert datetime.fromisoformat(on_page) == change.analysis_deadline.replace(microsecond=0)
    expect(page.get_by_test_id("countdown")).to_contain_text("business hour")
    screenshot(page, "6-request")
    assert horizontal_overflow(page, 1280) is None

    phone = new_page(viewport=PHONE)
    sign_in(phone, portal_admin_user.email)
    phone.goto("/changes/new/?type=bandwidth")
    phone.get_by_label(sites[0].service_id).check()
    phone.get_by_label("A preset window").check()
    expect(phone.locator("#id_window_date")).to_be_visible()
    screenshot(phone, "7-phone-form")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    phone.goto(f"/changes/{change.number}/")
    screenshot(phone, "8-phone-request")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    assert sticking_out(phone, ".panel, .card") == []
    phone.goto("/changes/")
    expect(phone.get_by_test_id("change-row")).to_have_count(1)
    screenshot(phone, "9-phone-list")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    page.goto("/changes/")
    screenshot(page, "10-list")
