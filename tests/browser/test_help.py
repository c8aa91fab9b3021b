"""The help centre, the manual and the feedback form in a real browser (R-POR-3, R-POR-6)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import Feedback
from team.models import TeamAssignment, TeamRole
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in, sticking_out
from tests.factories import TeamPersonFactory

pytestmark = pytest.mark.browser


def _open(new_page, viewport: str, **options):
    if viewport == "phone":
        return new_page(viewport=PHONE, is_mobile=True, has_touch=True, **options)
    return new_page(**options)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_signed_out_visitor_searches_the_help_and_opens_the_manual(new_page, screenshot, viewport):
    """R-POR-3: the help centre and the manual work without signing in."""
    page = _open(new_page, viewport, locale="es-ES")  # a Spanish browser, no cookie yet
    page.goto("/help/")
    expect(page.locator("main h1")).to_have_text("Ayuda")
    screenshot(page, "1-index")
    if viewport == "phone":
        assert horizontal_overflow(page, PHONE["width"]) is None

    page.locator("input[name=q]").fill("facturacion")
    page.locator("form[role=search] button[type=submit]").click()
    hits = page.get_by_test_id("help-hit")
    expect(hits.first).to_be_visible()
    expect(page.locator("[data-testid=help-hit] a[href='/help/billing/']")).to_be_visible()
    expect(page.locator(".help-snippet mark").first).to_be_visible()
    screenshot(page, "2-results")

    page.locator("input[name=q]").fill("nada-que-encontrar")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.get_by_test_id("help-no-results")).to_be_visible()

    page.locator("input[name=q]").fill("espera cliente")
    page.locator("form[role=search] button[type=submit]").click()
    page.locator("[data-testid=help-hit] a[href='/help/trouble-tickets/']").click()
    article = page.get_by_test_id("help-article")
    expect(article.locator("h1")).to_have_text("Abrir un ticket de falla (TT)")
    expect(article).to_contain_text("Espera por el Cliente")
    screenshot(page, "3-article")
    if viewport == "phone":
        assert horizontal_overflow(page, PHONE["width"]) is None

    page.locator("header a.topbar-link").click()
    expect(page).to_have_url(f"{page.url.split('/help/')[0]}/help/manual/")
    expect(page.locator(".manual-chapter")).to_have_count(9)
    print_button = page.locator("button[data-print]")
    expect(print_button).to_be_visible()  # shown by static/js/help.js
    page.locator(".manual-toc a[href='#audit']").click()
    expect(page.locator("#audit")).to_be_in_viewport()
    screenshot(page, "4-manual")
    if viewport == "phone":
        assert horizontal_overflow(page, PHONE["width"]) is None

    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(print_button).to_be_hidden()
    page.emulate_media(media="screen")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_signed_in_user_sends_feedback_to_the_service_manager(
    new_page, screenshot, limited_user, customer, viewport
):
    person = TeamPersonFactory(email="sara.sm@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.SERVICE_MANAGER, person=person)
    page = _open(new_page, viewport)
    sign_in(page, limited_user.email)
    page.goto("/help/")
    expect(page.locator("nav.sidenav a[href='/help/']")).to_have_attribute("aria-current", "page")
    page.locator("a[href^='/help/feedback/']").click()
    form = page.get_by_test_id("feedback-form")
    expect(form).to_be_visible()
    expect(form.locator("input[name=page]")).to_have_value("/help/")

    form.locator("button[type=submit]").click()  # empty: the form explains what is missing
    expect(page.locator(".field-error").first).to_be_visible()
    screenshot(page, "1-errors")
    if viewport == "phone":
        assert horizontal_overflow(page, PHONE["width"]) is None
        assert sticking_out(page, ".panel") == []

    form.locator("input[value=suggestion]").check()
    form.locator("input[name=subject]").fill("Exportar tickets")
    form.locator("textarea[name=message]").fill("Nos ayudaría exportar la lista de tickets.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text("sara.sm@provider.test")
    screenshot(page, "2-sent")

    feedback = Feedback.objects.get()
    assert feedback.customer == customer
    assert feedback.kind == "suggestion"
    assert [m.to for m in mail.outbox] == [["sara.sm@provider.test"]]
