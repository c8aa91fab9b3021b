"""A staff member's first sign-in to the admin sets up the authenticator app; the next sign-in is
the password and a code (issue 13 item 2, review A1). The code is computed here from the secret
the set-up page shows, as an authenticator app would."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.conftest import totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def tsc(transactional_db):
    user = UserFactory(email="tomas@provider.test", full_name="Tomás Castro", is_staff=True)
    user.groups.add(Group.objects.get(name="TSC"))
    return user


def test_staff_set_up_totp_on_first_sign_in_then_sign_in_with_password_and_code(
    page, screenshot, tsc
):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)admin(/|%2F)$"))
    page.locator("#id_login").fill(tsc.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()

    # No app yet: the admin sends the staff member to set it up (allauth first asks for the
    # password again, as before any change to the second factor).
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    expect(page.locator("main")).to_contain_text("two-factor")
    screenshot(page, "1-admin-asks-for-totp")
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("main img")).to_be_visible()  # the QR code
    screenshot(page, "2-set-up-authenticator-app")
    page.locator("main input[name=code]").fill(totp_code(secret))
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    assert Authenticator.objects.filter(user=tsc, type=Authenticator.Type.TOTP).exists()
    screenshot(page, "3-recovery-codes")
    page.get_by_role("link", name="Continue to the staff administration").click()

    # The code typed at set-up was this session's second factor: straight into the admin.
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text("staff administration")
    screenshot(page, "4-admin-after-set-up")

    page.locator("#logout-form button[type=submit]").click()
    again = page.get_by_role("link", name=re.compile("log in again", re.I))
    expect(again).to_be_visible()
    again.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=(/|%2F)admin(/|%2F)$"))
    page.locator("#id_login").fill(tsc.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    screenshot(page, "5-sign-in-asks-for-the-code")
    confirm = page.get_by_role("button", name=re.compile("sign in", re.I))
    page.locator("main input[name=code]").fill("000000")
    confirm.click()
    expect(page.locator("main")).to_contain_text(re.compile("incorrect", re.I))
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    screenshot(page, "6-wrong-code")

    page.locator("main input[name=code]").fill(totp_code(secret))
    confirm.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text("staff administration")
    screenshot(page, "7-admin-after-sign-in-with-code")
