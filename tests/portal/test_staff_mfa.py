"""Staff sign in to /admin/ with a second factor (issue 13 item 2, review A1).

A staff member without an authenticator app is sent to set one up first; a session opened with
the password alone is asked for a code before the admin answers; sign-in is password, then the
code. Customers' people are not affected, and a staff member cannot switch their app off."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.conftest import staff_login, staff_totp, totp_code
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
TOTP_DEACTIVATE = "/accounts/2fa/totp/deactivate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
MFA_REAUTHENTICATE = "/accounts/2fa/reauthenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
ADMIN_PAGES = ("/admin/", "/admin/tickets/ticket/", "/admin/portal/customer/")


@pytest.fixture(params=["TSC", "superuser"])
def staff(request, db):
    if request.param == "superuser":
        return UserFactory(email="root@provider.test", is_staff=True, is_superuser=True)
    user = UserFactory(email="tsc@provider.test", is_staff=True)
    user.groups.add(Group.objects.get(name="TSC"))
    return user


def _sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def _path(response) -> str:
    return urlsplit(response["Location"]).path


def _open_totp_setup(client) -> str:
    """allauth's set-up page (it asks for the password again first) -> the secret shown."""
    response = client.get(TOTP_ACTIVATE)
    if response.status_code == 302 and _path(response) == REAUTHENTICATE:
        assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
        response = client.get(TOTP_ACTIVATE)
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in response.content.decode()  # shown for typing in, besides the QR code
    return secret


def _confirm_password(client) -> None:
    """allauth asks for the password again before a change to the second factor."""
    assert client.post(REAUTHENTICATE, {"password": PASSWORD}).status_code == 302


def _not_signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


# --- Without an authenticator app: set it up first ----------------------------------------


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_without_totp_is_sent_to_set_it_up_before_any_admin_page(client, staff, path):
    client.force_login(staff)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == TOTP_ACTIVATE


def test_a_post_to_admin_without_totp_is_not_performed(client, staff, customer):
    client.force_login(staff)
    url = f"/admin/portal/customer/{customer.pk}/change/"

    response = client.post(url, {"display_name": "Renamed", "require_mfa": "on"})

    assert response.status_code == 302
    assert response["Location"] == TOTP_ACTIVATE
    customer.refresh_from_db()
    assert customer.display_name == "Acme Logística"
    assert not customer.require_mfa


def test_setting_up_totp_lets_the_staff_member_into_admin(client, staff):
    assert _sign_in(client, staff.email, next="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == TOTP_ACTIVATE
    secret = _open_totp_setup(client)

    activated = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # The code typed to set it up was this session's second factor: no second code.
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_at_set_up_keeps_the_admin_closed(client, staff):
    _sign_in(client, staff.email)
    _open_totp_setup(client)

    response = client.post(TOTP_ACTIVATE, {"code": "000000"})

    assert response.status_code == 400
    assert not Authenticator.objects.filter(user=staff).exists()
    assert client.get("/admin/")["Location"] == TOTP_ACTIVATE


# --- With an app: sign-in asks for the code; a password-only session is asked too ----------


def test_staff_sign_in_takes_the_password_then_the_code_and_reaches_admin(client, staff):
    staff_totp(staff)

    password_step = _sign_in(client, staff.email, next="/admin/")

    assert _path(password_step) == MFA_AUTHENTICATE
    assert _not_signed_in(client.get("/admin/"))  # not yet
    code_step = client.post(MFA_AUTHENTICATE, {"code": totp_code()})
    assert code_step.status_code == 302
    assert code_step["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_at_sign_in_does_not_open_admin(client, staff):
    staff_totp(staff)
    _sign_in(client, staff.email, next="/admin/")

    response = client.post(MFA_AUTHENTICATE, {"code": "000000"})

    assert response.status_code == 400
    assert _not_signed_in(client.get("/admin/"))


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_password_only_session_is_asked_for_a_code_before_admin(client, staff, path):
    """A session opened before the app existed (or by any route that skipped the MFA stage)."""
    staff_totp(staff)
    client.force_login(staff)

    response = client.get(path)

    assert response.status_code == 302
    assert _path(response) == MFA_REAUTHENTICATE
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [path]


def test_the_code_asked_for_opens_admin_for_the_rest_of_the_session(client, staff):
    staff_totp(staff)
    client.force_login(staff)
    asked = client.get("/admin/tickets/ticket/")

    confirmed = client.post(asked["Location"], {"code": totp_code()})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/admin/tickets/ticket/"
    assert client.get("/admin/tickets/ticket/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_password_reauthentication_is_not_a_second_factor(client, staff):
    staff_totp(staff)
    client.force_login(staff)

    client.post(f"{REAUTHENTICATE}?next=/admin/", {"password": PASSWORD})

    assert _path(client.get("/admin/")) == MFA_REAUTHENTICATE


def test_signing_out_of_admin_needs_no_code(client, staff):
    client.force_login(staff)

    response = client.post("/admin/logout/")

    assert response.status_code == 200  # the admin's "logged out" page
    assert "_auth_user_id" not in client.session


def test_the_test_helper_session_reaches_admin(staff):
    """tests.conftest.staff_login: the session allauth leaves after password and code."""
    client = staff_login(Client(), staff)

    assert client.get("/admin/").status_code == 200


# --- Customers' people and keeping the app ---------------------------------------------------


def test_a_customers_person_is_not_asked_for_totp(portal_admin_client):
    assert portal_admin_client.get("/").status_code == 200
    assert portal_admin_client.get("/profile/").status_code == 200


def test_a_staff_member_cannot_switch_off_their_authenticator_app(client, staff):
    staff_totp(staff)
    staff_login(client, staff)
    _confirm_password(client)

    page = client.get(TOTP_DEACTIVATE)
    response = client.post(TOTP_DEACTIVATE)

    assert page.status_code == 200
    assert response.status_code == 400
    assert "a superuser removes it" in response.content.decode()  # says why, and what instead
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_a_customers_person_may_still_switch_theirs_off(portal_admin_client, portal_admin_user):
    staff_totp(portal_admin_user)
    staff_login(
        portal_admin_client, portal_admin_user
    )  # a session that passed MFA, as after a sign-in
    _confirm_password(portal_admin_client)

    response = portal_admin_client.post(TOTP_DEACTIVATE)

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=portal_admin_user, type="totp").exists()


def test_staff_whose_app_a_superuser_removed_set_up_a_new_one_before_admin(staff):
    client = staff_login(Client(), staff)
    Authenticator.objects.filter(user=staff).delete()

    assert client.get("/admin/")["Location"] == TOTP_ACTIVATE


# --- The demo staff logins -------------------------------------------------------------------


def test_seed_demo_gives_the_demo_staff_the_published_totp_secret_and_prints_it(db, settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: one authenticator each

    for email in ("tsc@provider.example", "root@provider.example"):
        (authenticator,) = Authenticator.objects.filter(user__email=email)
        assert authenticator.type == Authenticator.Type.TOTP
        assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
        assert f"otpauth://totp/{email.replace('@', '%40')}?secret={DEMO_TOTP_SECRET}" in (
            out.getvalue()
        )
    assert not Authenticator.objects.filter(user__is_staff=False).exists()
    assert "make totp" in out.getvalue()
    # A newcomer signs in with the README's password and the code of the printed secret.
    client = Client()
    _sign_in(client, "tsc@provider.example", DEMO_PASSWORD, next="/admin/")
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_make_totp_prints_the_demo_code_of_now(settings):
    settings.DEBUG = True
    before = totp_code(DEMO_TOTP_SECRET)
    out = io.StringIO()

    call_command("demo_totp", stdout=out)

    code = out.getvalue().split()[0]
    assert code in {before, totp_code(DEMO_TOTP_SECRET)}


def test_make_totp_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("demo_totp", stdout=io.StringIO())
