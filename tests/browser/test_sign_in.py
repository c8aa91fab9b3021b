import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import navigation_paths, open_menu, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_administrator_signs_in_through_the_form_and_sees_the_customer_dashboard(
    page, screenshot, portal_admin_user
):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#id_login")).to_be_focused()
    screenshot(page, "1-sign-in-form")

    page.locator("#id_login").fill(portal_admin_user.email)
    page.locator("#id_password").fill("not-the-password")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator("#id_login")).to_have_value(portal_admin_user.email)
    screenshot(page, "2-wrong-password")

    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("active-customer")).to_have_text("Acme Logística")
    expect(page.locator("#card-company")).to_have_text("Acme Logística")
    expect(page.locator("main h1")).to_contain_text("Ana")
    expect(page.locator("nav.sidenav details[data-nav] > summary")).to_be_hidden()
    assert navigation_paths(page) == [
        "/",
        "/services/",
        "/orders/",
        "/tickets/",
        "/changes/",
        "/billing/",
        "/contacts/",
        "/team/",
        "/users/",
        "/notifications/",
        "/audit/",
        "/help/",
    ]
    expect(page.locator("nav.sidenav a[aria-current=page]")).to_have_attribute("href", "/")
    screenshot(page, "3-dashboard")


def test_signing_out_from_the_user_menu_returns_to_the_sign_in_page(
    page, screenshot, portal_admin_user
):
    sign_in(page, portal_admin_user.email)
    menu = open_menu(page, "[data-testid=sign-out]")
    expect(menu).to_contain_text(portal_admin_user.email)
    screenshot(page, "1-user-menu")

    menu.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#id_login")).to_be_visible()
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    expect(page.get_by_test_id("active-customer")).to_have_count(0)
    screenshot(page, "2-signed-out")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("#id_login")).to_be_visible()
