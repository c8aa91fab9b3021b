"""Issue 13, item 4 in a real browser: a reply too large for the portal gets the 413 page (not a
reset connection, not a 500) and its way back; a script attachment is refused on the ticket
page; a person copied on the ticket confirms on the public page, on a desktop and on a phone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.helpers import horizontal_overflow, sign_in
from tests.factories import ServiceFactory, ticket_open_for
from tickets.models import Attachment, Watcher

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTA = b'<html><hta:application id="x"/><script language="VBScript">CreateObject("WScript.Shell")'


@pytest.fixture
def ticket(customer, portal_admin_user):
    service = ServiceFactory(customer=customer, service_id="AR-BUE-INT-40001", site_name="Depósito")
    return ticket_open_for(
        customer, portal_admin_user, service=service, subject="Fibre cut at the depot"
    )


def test_a_reply_too_large_gets_the_413_page_and_a_way_back(
    page, screenshot, portal_admin_user, ticket, settings
):
    settings.REQUEST_BODY_MAX_MB = 1
    sign_in(page, portal_admin_user.email)
    page.goto(f"/tickets/{ticket.number}/")
    form = page.get_by_test_id("reply-form")
    form.locator("textarea").fill("The OTDR trace of the cut")
    big = PDF[:9] + b"%" + b"0" * (3 * 1024 * 1024) + b"\n" + PDF[9:]
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "otdr-trace.pdf", "mimeType": "application/pdf", "buffer": big}]
    )
    with page.expect_navigation() as sent:
        form.get_by_role("button", name="Send").click()

    assert sent.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Too large to send")
    expect(page.get_by_test_id("too-large")).to_contain_text("larger than 1 MB")
    screenshot(page, "0-too-large")
    assert horizontal_overflow(page, 1280) is None
    assert not Attachment.objects.exists()

    page.get_by_role("link", name="Back to the page you were on").click()
    expect(page).to_have_url(re.compile(f"/tickets/{ticket.number}/$"))


def test_a_long_paste_says_it_was_cut_and_a_huge_text_gets_its_own_413_page(
    page, screenshot, portal_admin_user, ticket
):
    """QA review of issue 13: the reply box takes 100,000 characters and says so when a paste
    is cut there; a text over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) sent by a browser that
    ignores maxlength gets a 413 page about the text, not about files."""
    line = "2026-12-07 03:12:44 ge-0/0/1 link down (LOS) · BGP 203.0.113.1 Idle -> Active\n"
    sign_in(page, portal_admin_user.email)
    page.goto(f"/tickets/{ticket.number}/")
    form = page.get_by_test_id("reply-form")
    box = form.locator("textarea")
    expect(box).to_have_attribute("maxlength", "100000")

    box.fill(line * 1300)  # 105,300 characters
    assert box.evaluate("box => box.value.length") == 100_000
    note = form.locator("[data-limit-reached]")
    expect(note).to_contain_text("what you pasted beyond it was not kept")
    expect(note).to_contain_text("Attach long logs as a .txt or .log file")
    screenshot(page, "3-paste-cut")
    box.fill(line * 10)
    expect(note).to_have_count(0)

    huge = line * (3 * 1024 * 1024 // len(line))
    box.evaluate("(box, text) => { box.removeAttribute('maxlength'); box.value = text; }", huge)
    with page.expect_navigation() as sent:
        form.get_by_role("button", name="Send").click()

    assert sent.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Too large to send")
    message = page.get_by_test_id("too-large")
    expect(message).to_contain_text("The text typed in the form is larger than 2.5")
    expect(message).to_contain_text("attach them as a .txt or .log file")
    expect(message).not_to_contain_text("Each file")
    screenshot(page, "4-text-too-large")
    assert horizontal_overflow(page, 1280) is None


def test_a_script_is_refused_on_the_ticket_page(page, screenshot, portal_admin_user, ticket):
    sign_in(page, portal_admin_user.email)
    page.goto(f"/tickets/{ticket.number}/")
    form = page.get_by_test_id("reply-form")
    form.locator("textarea").fill("Speed test results attached")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "Speedtest-results.hta", "mimeType": "text/plain", "buffer": HTA}]
    )
    form.get_by_role("button", name="Send").click()

    errors = page.get_by_test_id("reply-form")
    expect(errors).to_contain_text("Speedtest-results.hta: .hta files can run on the computer")
    screenshot(page, "0-refused")
    assert not Attachment.objects.exists()


def test_a_person_copied_confirms_on_a_public_page(
    page, new_page, screenshot, portal_admin_user, ticket
):
    sign_in(page, portal_admin_user.email)
    page.goto(f"/tickets/{ticket.number}/#people")
    form = page.get_by_test_id("watcher-form")
    form.get_by_label("E-mail address").fill("jefa.operaciones@example.org")
    form.get_by_label("Name (optional)").fill("Jefa de operaciones")
    form.get_by_role("button", name="Copy this person").click()
    expect(page.locator(".message-success")).to_contain_text("We sent the person a link")
    expect(page.get_by_test_id("watcher-pending")).to_have_text("not confirmed yet")
    screenshot(page, "0-copied")

    (invitation,) = [m for m in mail.outbox if "jefa.operaciones@example.org" in m.to[0]]
    assert "Fibre cut" not in invitation.subject + invitation.body
    link = re.search(r"http://\S+/tickets/copied/\S+/", invitation.body).group(0)

    phone = new_page(viewport=PHONE)  # the person copied: not signed in, on their phone
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Confirme que quiere las novedades del ticket"
    )
    expect(phone.locator("main")).to_contain_text(ticket.number)
    expect(phone.locator("main")).not_to_contain_text("Fibre cut")
    screenshot(phone, "1-phone-ask")
    assert horizontal_overflow(phone, PHONE["width"]) is None
    assert not Watcher.objects.get().is_confirmed

    phone.get_by_test_id("confirm-button").click()
    expect(phone.get_by_test_id("confirmed")).to_be_visible()
    screenshot(phone, "2-phone-confirmed")
    assert Watcher.objects.get().is_confirmed

    page.reload()
    expect(page.get_by_test_id("watcher")).to_contain_text("jefa.operaciones@example.org")
    expect(page.get_by_test_id("watcher-pending")).to_have_count(0)
