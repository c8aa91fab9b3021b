import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.browser.helpers import navigation_paths, sign_in

pytestmark = pytest.mark.browser

INVITED = "rosa.ruiz@acme.test"
NEW_PASSWORD = "Lighthouse-orbit-2026"


def _invitation_link(portal_url: str) -> str:
    messages = [message for message in mail.outbox if message.to == [INVITED]]
    assert len(messages) == 1, [message.to for message in mail.outbox]
    links = re.findall(r"https?://\S+/invitations/[^/\s]+/", str(messages[0].body))
    assert links, messages[0].body
    assert links[0].startswith(portal_url)
    return links[0]


def test_administrator_invites_a_limited_user_who_joins_and_sees_only_what_is_allowed(
    new_page, screenshot, portal_url, portal_admin_user
):
    admin = new_page()
    sign_in(admin, portal_admin_user.email)
    admin.locator("nav.sidenav a[href='/users/']").click()
    expect(admin.locator("main h1")).to_have_text("Users")
    admin.get_by_role("link", name="Invite a user").first.click()
    expect(admin).to_have_url(re.compile(r"/users/invite/$"))

    admin.locator("#id_email").fill(INVITED)
    admin.locator("#id_full_name").fill("Rosa Ruiz")
    admin.locator("input[name=role][value=user]").check()
    admin.locator("input[name=tickets][value=act]").check()
    admin.locator("input[name=services][value=view]").check()
    screenshot(admin, "1-invite-form")
    admin.locator("main button[type=submit]").click()

    expect(admin).to_have_url(re.compile(r"/users/$"))
    expect(admin.locator(".message-success")).to_contain_text(INVITED)
    pending = admin.get_by_test_id("invitation-row")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(INVITED)
    screenshot(admin, "2-invitation-pending")

    guest = new_page()
    guest.goto(_invitation_link(portal_url))
    expect(guest.locator("main h1")).to_contain_text("Acme Logística")
    expect(guest.locator("#id_email")).to_have_value(INVITED)
    expect(guest.locator("#id_full_name")).to_have_value("Rosa Ruiz")
    guest.locator("#id_password1").fill(NEW_PASSWORD)
    guest.locator("#id_password2").fill(NEW_PASSWORD)
    screenshot(guest, "3-accept-form")
    guest.locator("main button[type=submit]").click()

    expect(guest).to_have_url(re.compile(r"/$"))
    expect(guest.locator("html")).to_have_attribute("lang", "es")
    expect(guest.locator(".message-success")).to_contain_text("Acme Logística")
    welcome_seen = guest.locator(".message-success").inner_text().strip()
    expect(guest.get_by_test_id("active-customer")).to_have_text("Acme Logística")
    expect(guest.locator("main h1")).to_contain_text("Rosa")
    access = guest.locator("section[aria-labelledby=card-access]")
    expect(access.locator(".badge:not(.badge-off)")).to_have_count(2)
    expect(access.locator(".badge-off")).to_have_count(3)
    expect(guest.locator("section[aria-labelledby=card-users]")).to_have_count(0)
    assert navigation_paths(guest) == [
        "/",
        "/services/",
        "/tickets/",
        "/contacts/",
        "/team/",
        "/help/",
    ]
    screenshot(guest, "4-invited-dashboard")

    assert guest.goto("/users/").status == 403
    screenshot(guest, "5-users-forbidden")

    admin.reload()
    expect(admin.get_by_test_id("invitation-row")).to_have_count(0)
    expect(admin.get_by_test_id("member-row").filter(has_text=INVITED)).to_contain_text("Rosa Ruiz")
    screenshot(admin, "6-users-after-joining")

    with translation.override("es"):
        welcome = gettext("Welcome to %(customer)s's portal.") % {"customer": "Acme Logística"}
    assert welcome_seen == welcome, "the welcome message is not in the invited person's language"
