"""A NOC engineer finds a service, and the administrator asks for more bandwidth (R-POR-2)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import ProductLine, Service
from inventory.models import ExpansionRequest
from team.models import TeamAssignment, TeamRole
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in
from tests.factories import ServiceFactory, TeamPersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def inventory(customer):
    rows = [
        ("AR-BUE-IPVPN-10231", ProductLine.IP_VPN, "Casa central", "AR", "200 Mbps", True),
        (
            "AR-COR-IPVPN-10418",
            ProductLine.IP_VPN,
            "Centro logístico Córdoba",
            "AR",
            "100 Mbps",
            True,
        ),
        ("AR-BUE-INT-20045", ProductLine.INTERNET, "Casa central", "AR", "1 Gbps", False),
        ("CL-SCL-INT-30188", ProductLine.INTERNET, "Oficina Santiago", "CL", "300 Mbps", False),
        ("AR-BUE-SIP-40017", ProductLine.VOICE, "Casa central", "AR", "60 SIP channels", False),
    ]
    for service_id, line, site, country, capacity, managed in rows:
        ServiceFactory(
            customer=customer,
            service_id=service_id,
            product_line=line,
            site_name=site,
            site_address="Av. Corrientes 1234, CABA" if country == "AR" else "Av. Apoquindo 4501",
            country=country,
            capacity=capacity,
            managed=managed,
        )
    ServiceFactory(
        customer=customer,
        service_id="CL-SCL-SIP-40126",
        product_line=ProductLine.VOICE,
        site_name="Oficina Santiago",
        country="CL",
        status=Service.Status.PROVISIONING,
        activated_on=None,
    )
    person = TeamPersonFactory(full_name="Mariana Pérez", email="mariana@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.ACCOUNT_MANAGER, person=person)


def test_find_a_service_and_request_more_bandwidth(page, screenshot, portal_admin_user, inventory):
    sign_in(page, portal_admin_user.email)
    expect(page.get_by_test_id("card-services")).to_contain_text("5")
    screenshot(page, "1-dashboard")

    page.locator("nav.sidenav a[href='/services/']").click()
    expect(page.get_by_test_id("service-row")).to_have_count(6)
    page.locator("#id_country").select_option("CL")
    page.locator("form.filters button[type=submit]").click()
    expect(page.get_by_test_id("service-row")).to_have_count(2)
    page.locator("#id_country").select_option("")
    page.locator("#id_product_line").select_option("ip_vpn")
    page.locator("form.filters button[type=submit]").click()
    expect(page.get_by_test_id("service-row")).to_have_count(2)
    page.get_by_role("link", name="Site").click()
    expect(page.get_by_test_id("service-row").first).to_contain_text("Casa central")
    screenshot(page, "2-filtered-list")

    page.get_by_role("link", name="AR-BUE-IPVPN-10231").click()
    expect(page.locator("h1")).to_have_text("AR-BUE-IPVPN-10231")
    expect(page.locator("a[href='tel:08008005383']")).to_be_visible()
    screenshot(page, "3-service")

    page.locator("main a.button", has_text="Request an expansion").click()
    expect(page.locator("#id_service")).to_have_value("AR-BUE-IPVPN-10231")
    page.locator("main button[type=submit]").click()  # nothing said yet: the form explains
    expect(page.locator(".field-error").first).to_be_visible()
    page.locator("#id_capacity").fill("500 Mbps")
    page.locator("#id_description").fill("The ERP moves to the cloud in March.")
    screenshot(page, "4-request-form")
    page.locator("main button[type=submit]").click()

    expansion = ExpansionRequest.objects.get()
    expect(page.locator("h1")).to_have_text(expansion.number)
    expect(page.locator(".timeline li")).to_have_count(1)
    screenshot(page, "5-request")
    assert [m.to for m in mail.outbox] == [["mariana@provider.test"]]

    page.locator("nav.breadcrumbs a", has_text="My requests").click()
    expect(page.get_by_test_id("request-row")).to_have_count(1)


def test_services_list_fits_a_phone(new_page, screenshot, portal_admin_user, inventory):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)
    screenshot(page, "1-dashboard")
    assert horizontal_overflow(page, PHONE["width"]) is None
    page.goto("/services/")
    expect(page.get_by_test_id("service-row")).to_have_count(6)
    screenshot(page, "2-list")
    assert horizontal_overflow(page, PHONE["width"]) is None
    page.goto("/services/AR-BUE-SIP-40017/")
    screenshot(page, "3-detail")
    assert horizontal_overflow(page, PHONE["width"]) is None
