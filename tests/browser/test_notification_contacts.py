"""The portal administrator adds a notification contact, who confirms the address from the
e-mail (R-GCR-4); the list flags the addresses that receive nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from core.models import NotificationContact
from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in
from tests.factories import NotificationContactFactory

pytestmark = pytest.mark.browser

NEW = "noc.bue@acme.test"


def _confirmation_link(portal_url: str) -> str:
    """The live server runs in this process: its locmem outbox is mail.outbox."""
    messages = [message for message in mail.outbox if NEW in message.to[0]]
    assert len(messages) == 1, [message.to for message in mail.outbox]
    links = re.findall(r"https?://\S+/notifications/confirm/[^/\s]+/", str(messages[0].body))
    assert links, messages[0].body
    assert links[0].startswith(portal_url)
    return links[0]


def _fits_a_phone(page) -> None:
    assert horizontal_overflow(page, PHONE["width"]) is None, horizontal_overflow(
        page, PHONE["width"]
    )


def test_administrator_adds_a_contact_who_confirms_from_the_email(
    new_page, screenshot, portal_url, portal_admin_user, customer
):
    admin = new_page()
    sign_in(admin, portal_admin_user.email)
    admin.goto("/notifications/")
    expect(admin.locator("main h1")).to_have_text("Notification contacts")
    expect(admin.get_by_test_id("empty-state")).to_contain_text("need not be portal users")
    screenshot(admin, "1-empty")

    admin.get_by_role("link", name="Add a contact").click()
    expect(admin).to_have_url(re.compile(r"/notifications/new/$"))
    expect(admin.locator("#id_language")).to_have_value("es")  # the customer's language
    admin.locator("#id_name").fill("NOC Buenos Aires")
    admin.locator("#id_email").fill("noc.bue@")
    admin.locator("main form.panel button[type=submit]").click()
    expect(admin.locator(".form-errors")).to_be_visible()
    expect(admin.locator(".field-error").first).to_contain_text("valid email address")
    expect(admin.locator(".kind-options .field-error")).to_contain_text("Choose at least one kind")
    screenshot(admin, "2-form-errors")
    admin.locator("#id_email").fill(NEW)
    phone_form = new_page(viewport=PHONE)
    sign_in(phone_form, portal_admin_user.email)
    phone_form.goto("/notifications/new/")
    phone_form.locator("#id_email").fill("not-an-address")
    phone_form.locator("main form.panel button[type=submit]").click()
    expect(phone_form.locator(".form-errors")).to_be_visible()
    _fits_a_phone(phone_form)
    screenshot(phone_form, "2-form-errors-phone")

    admin.get_by_label("Trouble tickets").check()
    admin.get_by_label("Maintenance and changes").check()
    admin.locator("main form.panel button[type=submit]").click()
    expect(admin).to_have_url(re.compile(r"/notifications/$"))
    expect(admin.locator(".message-success")).to_contain_text(NEW)
    row = admin.get_by_test_id("contact-row").filter(has_text=NEW)
    expect(row.get_by_test_id("state-waiting")).to_be_visible()

    NotificationContactFactory(
        customer=customer, name="Carla Compras", email="carla@acme.test", billing=True
    )
    NotificationContactFactory(
        customer=customer,
        name="Bruno Bounced",
        email="bruno.bounced.mailbox@acme.test",
        tickets=True,
        maintenance=True,
        bounced_at=timezone.now() - timedelta(hours=3),
        bounce_reason="SMTPRecipientsRefused: 550 5.1.1 <bruno.bounced.mailbox@acme.test>: "
        "Recipient address rejected: User unknown in virtual mailbox table",
    )
    admin.reload()
    expect(admin.get_by_test_id("contact-row")).to_have_count(3)
    expect(admin.get_by_test_id("attention")).to_contain_text("2 contacts receive nothing")
    screenshot(admin, "3-list")
    phone_list = new_page(viewport=PHONE)
    sign_in(phone_list, portal_admin_user.email)
    phone_list.goto("/notifications/")
    expect(phone_list.get_by_test_id("contact-row")).to_have_count(3)
    _fits_a_phone(phone_list)
    screenshot(phone_list, "3-list-phone")
    admin.get_by_test_id("contact-row").filter(has_text="Bruno").get_by_role(
        "link", name="Edit"
    ).click()
    expect(admin.get_by_test_id("state-bounced")).to_be_visible()
    expect(admin.locator("#id_email")).to_have_value("bruno.bounced.mailbox@acme.test")
    screenshot(admin, "3-edit-bounced")
    admin.go_back()

    link = _confirmation_link(portal_url)
    guest = new_page()
    guest.goto(link)
    with translation.override("es"):  # the contact's language, chosen by the administrator
        expect(guest.locator("main h1")).to_have_text(gettext("Confirm your address"))
    expect(guest.locator("html")).to_have_attribute("lang", "es")
    expect(guest.locator("main")).to_contain_text("Acme Logística")
    expect(guest.locator("main")).not_to_contain_text(NEW)
    screenshot(guest, "4-confirm")
    assert not NotificationContact.objects.get(email=NEW).is_confirmed  # opening only asks
    phone_guest = new_page(viewport=PHONE)
    phone_guest.goto(link)
    _fits_a_phone(phone_guest)
    screenshot(phone_guest, "4-confirm-phone")

    guest.get_by_test_id("confirm-button").click()
    expect(guest.get_by_test_id("confirmed")).to_be_visible()
    screenshot(guest, "5-confirmed")
    assert NotificationContact.objects.get(email=NEW).can_receive

    admin.reload()
    expect(row.get_by_test_id("state-confirmed")).to_be_visible()
    expect(admin.get_by_test_id("attention")).to_contain_text("1 contact receives nothing")
    screenshot(admin, "6-list-after-confirmation")
