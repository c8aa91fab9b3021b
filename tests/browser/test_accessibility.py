"""axe-core on the main pages, on a desktop and on a phone (issue 13, section 5): no serious or
critical violation. The demo data (seed_demo) fills every page as a customer sees it.

axe-core is vendored under static/vendor/axe-core/ and injected by this test only (the context
bypasses the Content Security Policy for that one script); no page of the portal loads it.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import Customer, Membership, User
from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import open_menu, sign_in
from tests.factories import MembershipFactory

# The seed data of the migrations (staff groups, the change catalog) that seed_demo builds on
# comes back after the flush of an earlier live-server test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
ADMIN = "admin@acme.example"

_RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}
"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    from tickets.models import Ticket

    ticket = Ticket.objects.filter(customer__display_name="Acme Logística").order_by("id").first()
    return {"ticket": ticket.number}


def _violations(page, where: str) -> list[str]:
    """The serious and critical violations on the page as it is now, one readable line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(_RUN_AXE)
    lines = []
    for violation in found:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = "; ".join(
            f"{node['target']} ({node['summary'].splitlines()[-1].strip()})"
            for node in violation["nodes"][:5]
        )
        lines.append(
            f"{where}: {violation['id']} [{violation['impact']}] {violation['help']} -> {nodes}"
        )
    return lines


def _main_pages(demo) -> list[str]:
    return [
        "/",
        "/tickets/",
        f"/tickets/{demo['ticket']}/",
        "/services/",
        "/orders/",
        "/changes/",
        "/changes/maintenance/",
        "/billing/invoices/",
        "/users/",
        "/audit/",
        "/profile/",
        "/contacts/",
        "/help/",
    ]


def _check_main_pages(new_page, screenshot, demo, viewport) -> list[str]:
    phone = viewport is PHONE
    page = new_page(
        viewport=viewport,
        bypass_csp=True,
        **({"is_mobile": True, "has_touch": True} if phone else {}),
    )
    device = "phone" if phone else "desktop"
    problems = []

    page.goto("/accounts/login/")
    problems += _violations(page, f"{device} /accounts/login/")
    sign_in(page, ADMIN, DEMO_PASSWORD)
    for path in _main_pages(demo):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        problems += _violations(page, f"{device} {path}")
        screenshot(page, f"{device}-" + (path.strip("/").replace("/", "_") or "dashboard"))

    # Someone who works for two customers has the customer menu in the header too.
    MembershipFactory(
        customer=Customer.objects.get(display_name="Globex Telecom"),
        user=User.objects.get(email=ADMIN),
    )
    page.goto("/")
    for holding in ("input[name=membership]", "button[name=language]", "[data-testid=sign-out]"):
        menu = open_menu(page, holding)
        problems += _violations(page, f"{device} / with the menu of {holding} open")
        menu.locator("summary").click()
    if phone:
        page.locator("nav.sidenav details[data-nav] summary").click()
        problems += _violations(page, f"{device} / with the section menu open")
    Membership.objects.filter(user__email=ADMIN, customer__display_name="Globex Telecom").delete()
    return problems


def test_main_pages_have_no_serious_or_critical_accessibility_violation(new_page, screenshot, demo):
    """On a desktop, then on a phone: one load of the demo data serves both (loading it is the
    costliest part of the test, and neither pass changes what the other sees)."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        problems += _check_main_pages(new_page, screenshot, demo, viewport)

    assert not problems, "axe-core found:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_header_menus_are_named_by_what_they_show(new_page, portal_admin_user, viewport):
    """label-content-name-mismatch: a speech-input user says what they see ("ES", "Ana")."""
    portal_admin_user.language = "es"
    portal_admin_user.save()
    page = new_page(viewport=viewport)
    sign_in(page, portal_admin_user.email)
    menus = page.locator("header details.menu > summary")

    expect(menus.filter(has=page.get_by_test_id("current-language"))).to_have_accessible_name(
        "Idioma: ES"
    )
    expect(menus.filter(has=page.locator(".avatar"))).to_have_accessible_name("Su cuenta: Ana")
