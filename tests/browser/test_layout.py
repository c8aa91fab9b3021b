import pytest
from playwright.sync_api import expect

from core import services
from core.models import Level, Membership
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_dashboard_and_users_list_fit_a_phone_with_a_collapsible_menu(
    new_page, screenshot, portal_admin_user, customer
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
        actor=portal_admin_user,
        email="operaciones.centro.de.datos@acme-logistica.test",
        full_name="",
        language="es",
        role=Membership.Role.USER,
        permissions={"tickets": Level.VIEW},
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)

    section_menu = page.locator("nav.sidenav details[data-nav]")
    expect(section_menu).not_to_have_attribute("open", "")
    expect(section_menu.locator("summary")).to_have_text("Menu")
    expect(section_menu.locator("a[href='/users/']")).to_be_hidden()
    screenshot(page, "1-dashboard")
    assert horizontal_overflow(page, PHONE["width"]) is None

    section_menu.locator("summary").click()
    expect(section_menu.locator("a[href='/users/']")).to_be_visible()
    screenshot(page, "2-menu-open")

    section_menu.locator("a[href='/users/']").click()
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    expect(page.get_by_test_id("invitation-row")).to_have_count(1)
    expect(section_menu).not_to_have_attribute("open", "")
    screenshot(page, "3-users")
    assert horizontal_overflow(page, PHONE["width"]) is None


def test_invite_form_fits_a_phone(new_page, screenshot, portal_admin_user):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)
    page.goto("/users/invite/")
    expect(page.locator("input[name=tickets]")).to_have_count(3)
    screenshot(page, "1-invite-form")
    assert horizontal_overflow(page, PHONE["width"]) is None
    outside = sticking_out(page, "main .panel")
    assert not outside, "\n".join(outside)


@pytest.mark.parametrize(
    ("viewport", "language"),
    [(DESKTOP, "en"), (DESKTOP, "es"), (PHONE, "es"), (PHONE, "pt-br")],
    ids=["desktop-en", "desktop-es", "phone-es", "phone-pt-br"],
)
def test_dashboard_cards_hold_their_content(
    new_page, screenshot, portal_admin_user, viewport, language
):
    portal_admin_user.language = language
    portal_admin_user.save(update_fields=["language"])
    page = new_page(viewport=viewport)
    sign_in(page, portal_admin_user.email)
    # Services, expansion requests, orders in progress, orders waiting, open tickets, who the
    # tickets wait for, SLA breached this month, upcoming maintenance, change requests in
    # progress, amount due, invoices overdue, open billing inquiries, the TSC, key contacts,
    # company, access, security, users, notification contacts.
    expect(page.locator("main .card")).to_have_count(19)
    screenshot(page, "1-dashboard")
    outside = sticking_out(page, "main .card")
    assert not outside, "\n".join(outside)
