import pytest
from playwright.sync_api import expect

from portal import services
from portal.models import Level, Membership
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_dashboard_and_users_list_fit_a_phone_with_a_collapsible_menu(
    new_page, screenshot, admin_user, customer
):
    MembershipFactory(
        customer=customer,
        user__email="maria.fernanda.gonzalez-etcheverry@acme-logistica.test",
        user__full_name="María Fernanda González Etcheverry",
        tickets=Level.ACT,
        services=Level.VIEW,
        billing=Level.VIEW,
    )
    services.invitation_create(
        customer=customer,
        actor=admin_user,
        email="operaciones.centro.de.datos@acme-logistica.test",
        full_name="",
        language="es",
        role=Membership.Role.USER,
        permissions={"tickets": Level.VIEW},
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, admin_user.email)

    section_menu = page.locator("nav.sidenav details[data-nav]")
    expect(section_menu).not_to_have_attribute("open", "")
    expect(section_menu.locator("summary")).to_have_text("Menu")
    expect(section_menu.locator("a[href='/users/']")).to_be_hidden()
    assert horizontal_overflow(page, PHONE["width"]) is None
    screenshot(page, "1-dashboard")

    section_menu.locator("summary").click()
    expect(section_menu.locator("a[href='/users/']")).to_be_visible()
    screenshot(page, "2-menu-open")

    section_menu.locator("a[href='/users/']").click()
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    expect(page.get_by_test_id("invitation-row")).to_have_count(1)
    expect(section_menu).not_to_have_attribute("open", "")
    assert horizontal_overflow(page, PHONE["width"]) is None
    screenshot(page, "3-users")
