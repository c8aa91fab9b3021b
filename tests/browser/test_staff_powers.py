"""Customer Care in the real admin pages (issue 13 item 1): a customer's person is edited and
sent a password reset link, a staff account is read only, and the customer's administrator
reads every step in the portal's audit log."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from tests.browser.helpers import sign_in, sign_in_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def care(transactional_db):
    user = UserFactory(email="carla@provider.test", full_name="Carla Care", is_staff=True)
    user.groups.add(Group.objects.get(name="Customer Care"))
    return user


def test_customer_care_edits_a_person_not_a_staff_account_and_the_customer_reads_it_all(
    new_page, screenshot, care, customer, portal_admin_user, limited_membership
):
    root = UserFactory(email="root@provider.test", is_staff=True, is_superuser=True)
    person = limited_membership.user
    back_office = new_page()
    sign_in_staff(back_office, care)

    # A customer's person: e-mail and active flag editable, the powers shown read only.
    back_office.goto(f"/admin/portal/user/{person.pk}/change/")
    expect(back_office.locator("#id_email")).to_be_editable()
    for power in ("is_staff", "is_superuser", "groups", "user_permissions"):
        expect(back_office.locator(f"[name={power}]")).to_have_count(0)
    expect(back_office.locator(".field-is_superuser")).to_contain_text("Superuser status")
    expect(back_office.locator('a[href="../password/"]')).to_have_count(0)
    screenshot(back_office, "1-person-powers-read-only")
    back_office.locator("#id_email").fill("nico.new@acme.test")
    back_office.locator("input[name=_continue]").click()
    expect(back_office.locator(".messagelist .success")).to_be_visible()

    # A staff account: read only, no save button.
    back_office.goto(f"/admin/portal/user/{root.pk}/change/")
    expect(back_office.locator("h1")).to_contain_text("View user")
    expect(back_office.locator("input[name=_save]")).to_have_count(0)
    screenshot(back_office, "2-staff-account-read-only")

    # The reset link goes to the person; the superuser is skipped with a warning.
    back_office.goto("/admin/portal/user/")
    back_office.locator(f"input[name=_selected_action][value='{person.pk}']").check()
    back_office.locator(f"input[name=_selected_action][value='{root.pk}']").check()
    back_office.locator("select[name=action]").select_option("send_password_reset")
    back_office.locator("button[name=index]").click()
    expect(back_office.locator(".messagelist .warning")).to_contain_text("root@provider.test")
    expect(back_office.locator(".messagelist .success")).to_contain_text("1 person")
    screenshot(back_office, "3-reset-link-sent")
    # The old address heard of the change; the reset link went to the new one only.
    assert [message.to for message in mail.outbox] == [
        ["Nico NOC <noc@acme.test>"],
        ["nico.new@acme.test"],
    ]
    assert "nico.new@acme.test" in mail.outbox[0].body

    page = new_page()
    sign_in(page, portal_admin_user.email)  # the customer's administrator
    page.goto("/audit/")
    rows = page.get_by_test_id("audit-row")
    expect(rows.filter(has_text="Sent a password reset link")).to_contain_text(care.email)
    expect(rows.filter(has_text="Changed an e-mail address")).to_contain_text(
        re.compile(r"noc@acme\.test\s*→\s*nico\.new@acme\.test")
    )
    screenshot(page, "4-customer-audit-log")
