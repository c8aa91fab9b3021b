"""A signed-out visitor finds the TSC number in the public directory (R-TT-4, R-CON-1)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow

pytestmark = pytest.mark.browser


def test_a_signed_out_visitor_filters_the_directory_and_prints_it(page, new_page, screenshot):
    page.goto("/contacts/", wait_until="networkidle")
    expect(page.get_by_test_id("country-section")).to_have_count(11)
    expect(page.locator("[data-print]")).to_be_visible()  # the static JS showed the button
    screenshot(page, "1-desktop-all")

    page.locator("#id_country").select_option("VE")
    page.locator("#id_need").select_option("fault")
    page.locator(".contacts-filters button[type=submit]").click()
    expect(page).to_have_url("/contacts/?country=VE&need=fault")
    expect(page.get_by_test_id("country-section")).to_have_count(1)
    expect(page.get_by_test_id("tsc-row")).to_have_count(3)
    expect(page.locator("a[href='tel:08002858300']")).to_be_visible()
    expect(page.locator("a[href='tel:+582122049306']")).to_be_visible()
    expect(page.get_by_test_id("billing-phones")).to_have_count(0)
    screenshot(page, "2-desktop-venezuela-fault")

    page.goto("/contacts/?country=AR&need=billing")
    expect(page.get_by_test_id("billing-phones")).to_contain_text("0800 800 5853")
    expect(page.get_by_test_id("tsc-row")).to_have_count(0)

    page.goto("/contacts/?country=BR")
    page.emulate_media(media="print")
    expect(page.locator(".contacts-filters")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_test_id("office-row")).to_have_count(2)
    screenshot(page, "3-print-brazil")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/contacts/?country=VE")
    expect(phone.locator("a[href='tel:+582122049364']")).to_be_visible()
    screenshot(phone, "4-phone-venezuela")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    phone.goto("/contacts/")
    screenshot(phone, "5-phone-all")
    assert horizontal_overflow(phone, PHONE["width"]) is None
