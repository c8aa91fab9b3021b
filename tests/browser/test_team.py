"""The account team page in a real browser, on a desktop and on a phone (R-TEAM-1..8)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from core.models import Customer, Service
from team.models import TeamAssignment, TeamMailbox, TeamPerson, TeamRole
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out

pytestmark = pytest.mark.browser


@pytest.fixture
def team(customer, settings):
    """A wholesale customer with managed services: every role, some vacant."""
    settings.TEAM_MAILBOX = "equipo.cuentas@lumen.test"
    Customer.objects.filter(pk=customer.pk).update(segment=Customer.Segment.WHOLESALE)
    Service.objects.create(
        customer=customer,
        service_id="AR-MGD-000117",
        product_line="managed",
        managed=True,
        site_name="Casa central",
        site_address="Av. Corrientes 1234, CABA",
        country="AR",
        capacity="Firewall gestionado",
        status=Service.Status.ACTIVE,
        activated_on=date(2025, 3, 1),
    )
    people = {
        TeamRole.ACCOUNT_MANAGER: ("Mariana Quiroga", "+541140001234", ["es", "en"]),
        TeamRole.CLIENT_EXPERIENCE_LEAD: ("Joaquín Fernández Etcheverry", "+541140005678", ["es"]),
        TeamRole.CUSTOMER_CARE_MANAGER: ("Lucía Benítez", "+5491155550101", ["es", "pt-br"]),
        TeamRole.SALES_ENGINEER_DATA: ("Tomás Ibarra", "", ["es", "en"]),
        TeamRole.SERVICE_MANAGER: ("Sofía Medina", "+525555550100", ["es"]),
        TeamRole.CUSTOMER_SERVICE_MANAGER: ("Paulo Reis", "+551130004000", ["pt-br", "es", "en"]),
    }
    for n, (role, (name, phone, languages)) in enumerate(people.items()):
        person = TeamPerson.objects.create(
            full_name=name, email=f"person{n}@lumen.test", phone=phone, languages=languages
        )
        TeamAssignment.objects.create(customer=customer, role=role, person=person)
    TeamAssignment.objects.create(customer=customer, role=TeamRole.BILLING_CARE)  # vacant
    TeamMailbox.objects.create(
        role=TeamRole.BILLING_CARE,
        email="facturacion.latam@lumen.test",
        phone="+541150320000",
    )


def test_member_sees_the_account_manager_and_a_vacant_roles_mailbox(
    new_page, screenshot, portal_admin_user, team
):
    page = new_page()
    sign_in(page, portal_admin_user.email)
    page.locator("nav.sidenav a[href='/team/']").click()

    expect(page.locator("h1")).to_have_text("Your account team")
    manager = page.locator("[data-role=account_manager]")
    expect(manager).to_contain_text("Mariana Quiroga")
    expect(manager.locator("a[href='tel:+541140001234']")).to_have_text("+54 11 4000 1234")
    billing = page.locator("[data-role=billing_care]")
    expect(billing).to_contain_text("Team shared mailbox")
    expect(billing.locator("a[href='mailto:facturacion.latam@lumen.test']")).to_be_visible()
    expect(page.locator("[data-role=customer_service_manager]")).to_contain_text(
        "Spanish, Portuguese (Brazil), English"
    )
    expect(page.get_by_test_id("team-tsc")).to_contain_text("Technical Service Center (24x7)")
    screenshot(page, "1-desktop")
    assert horizontal_overflow(page, 1280) is None
    assert sticking_out(page, ".team-card") == []


def test_team_page_fits_a_phone(new_page, screenshot, portal_admin_user, team):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)
    page.goto("/team/")

    expect(page.get_by_test_id("team-card")).to_have_count(9)
    screenshot(page, "1-phone")
    page.locator("[data-role=billing_care]").scroll_into_view_if_needed()
    # The full page is long: one screen's worth at a vacant role, as a person sees it.
    page.screenshot(path=str(SCREENSHOTS / "test_team_page_fits_a_phone-2-vacant-role.png"))
    assert horizontal_overflow(page, PHONE["width"]) is None
    assert sticking_out(page, ".team-card") == []


def test_team_page_in_spanish_fits_a_phone(new_page, screenshot, portal_admin_user, team):
    """The longer Spanish texts still fit (passes once team.json is compiled into locale/)."""
    portal_admin_user.language = "es"
    portal_admin_user.save(update_fields=["language"])
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)
    page.goto("/team/")

    expect(page.locator("h1")).to_have_text("Su equipo de cuenta")
    expect(page.locator("[data-role=billing_care]")).to_contain_text("Buzón compartido del equipo")
    screenshot(page, "1-phone-es")
    assert horizontal_overflow(page, PHONE["width"]) is None
    assert sticking_out(page, ".team-card") == []
