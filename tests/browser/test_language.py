import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.helpers import open_menu, sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser

# What a person sees in each language: the "Help" link of the section menu and the Users title.
EXPECTED = {
    "es": ("Ayuda", "Usuarios"),
    "en": ("Help", "Users"),
    "pt-br": ("Ajuda", "Usuários"),
}


def _choose_language(page, code: str) -> None:
    open_menu(page, "button[name=language]").locator(f"button[value='{code}']").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.get_by_test_id("current-language")).to_have_text(code[:2].upper())


def _seen(page) -> tuple[str, str]:
    help_link = page.locator("nav.sidenav a[href='/help/']").inner_text().strip()
    return help_link, page.locator("main h1").inner_text().strip()


def test_language_menu_switches_the_interface_and_the_choice_sticks(new_page, screenshot, customer):
    person = MembershipFactory(
        customer=customer, admin=True, user__language="", user__email="lucia@acme.test"
    ).user
    page = new_page(locale="es-AR")
    sign_in(page, person.email)
    page.locator("nav.sidenav a[href='/users/']").click()
    expect(page).to_have_url(re.compile(r"/users/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    seen = {"es": _seen(page)}
    screenshot(page, "1-spanish")

    open_menu(page, "button[name=language]")
    screenshot(page, "2-language-menu")
    page.locator("header button[name=language][value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/users/$"))
    seen["en"] = _seen(page)
    screenshot(page, "3-english")

    page.locator("nav.sidenav a[href='/']").click()
    expect(page.locator("main .cards")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _choose_language(page, "pt-br")
    page.locator("nav.sidenav a[href='/users/']").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    seen["pt-br"] = _seen(page)
    screenshot(page, "4-portuguese")

    another_device = new_page(locale="en-US")
    sign_in(another_device, person.email)
    expect(another_device.locator("html")).to_have_attribute("lang", "pt-br")

    assert seen == EXPECTED


def test_person_preferring_spanish_sees_spanish_from_the_first_page_after_signing_in(
    new_page, portal_admin_user
):
    portal_admin_user.language = "es"
    portal_admin_user.save(update_fields=["language"])
    page = new_page(locale="en-US")
    sign_in(page, portal_admin_user.email)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    with translation.override("es"):
        signed_in = render_to_string(
            "account/messages/logged_in.txt", {"user": portal_admin_user}
        ).strip()
    expect(page.locator(".messages")).to_have_text(signed_in)
