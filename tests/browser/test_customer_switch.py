import pytest
from playwright.sync_api import expect

from core.models import Level, Membership
from tests.browser.helpers import navigation_paths, open_menu, sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_person_with_two_customers_switches_the_active_one_and_it_persists(
    new_page, screenshot, portal_admin_user, other_customer
):
    MembershipFactory(
        customer=other_customer,
        user=portal_admin_user,
        role=Membership.Role.USER,
        tickets=Level.VIEW,
    )
    page = new_page()
    sign_in(page, portal_admin_user.email)
    expect(page.get_by_test_id("active-customer")).to_have_text("Acme Logística")
    assert "/users/" in navigation_paths(page)

    menu = open_menu(page, "input[name=membership]")
    expect(menu.locator("button[aria-current=true]")).to_have_text("Acme Logística")
    screenshot(page, "1-customer-menu")

    menu.get_by_role("button", name="Globex Telecom").click()
    expect(page.get_by_test_id("active-customer")).to_have_text("Globex Telecom")
    expect(page.locator(".message-success")).to_contain_text("Globex Telecom")
    expect(page.locator("#card-company")).to_have_text("Globex Telecom")
    assert navigation_paths(page) == ["/", "/tickets/", "/contacts/", "/team/", "/help/"]
    screenshot(page, "2-switched")

    open_menu(page, "[data-testid=sign-out]").get_by_test_id("sign-out").click()
    elsewhere = new_page()
    sign_in(elsewhere, portal_admin_user.email)
    expect(elsewhere.get_by_test_id("active-customer")).to_have_text("Globex Telecom")
    screenshot(elsewhere, "3-next-sign-in")
