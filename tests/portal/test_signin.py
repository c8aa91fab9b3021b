"""Sign-in (allauth): e-mail and password, no public sign-up, rate limits, password reset
(R-POR-4), staff sign-in to /admin/, MFA, the profile page, sessions and the language switch."""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.models import AuditEvent, User
from tests.conftest import staff_totp, totp_code
from tests.factories import PASSWORD, MembershipFactory

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
RESET = "/accounts/password/reset/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"


def _sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _open_totp_setup(client) -> str:
    """Open allauth's TOTP set-up (confirming the password when allauth asks) -> the secret."""
    response = client.get(TOTP_ACTIVATE)
    if response.status_code == 302 and urlsplit(response["Location"]).path == REAUTHENTICATE:
        confirmed = client.post(response["Location"], {"password": PASSWORD})
        assert confirmed.status_code == 302
        response = client.get(TOTP_ACTIVATE)
    assert response.status_code == 200
    return client.session[SECRET_SESSION_KEY]


def _reset_link(message) -> str:
    match = re.search(r"https?://\S+?(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- E-mail and password -------------------------------------------------------------------


def test_member_signs_in_with_email_and_password(client, portal_admin_user):
    response = _sign_in(client, "admin@acme.test")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(portal_admin_user.pk)
    assert client.get("/").status_code == 200


def test_sign_in_is_written_to_the_audit_log(client, portal_admin_user, customer):
    _sign_in(client, "admin@acme.test")

    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert event.customer == customer
    assert event.actor == portal_admin_user
    assert event.ip_address == "127.0.0.1"


def test_sign_in_accepts_the_address_in_another_case(client, portal_admin_user):
    response = _sign_in(client, "Admin@ACME.test")

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(portal_admin_user.pk)


def test_wrong_password_is_refused_on_the_form(client, portal_admin_user):
    response = _sign_in(client, "admin@acme.test", "not-the-password")

    assert response.status_code == 400
    assert response.context["form"].errors
    assert _signed_in_user_id(client) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).count() == 1


def test_unknown_address_is_refused_like_a_wrong_password(client, portal_admin_user):
    unknown = _sign_in(client, "nobody@acme.test", "not-the-password")
    wrong = _sign_in(client, "admin@acme.test", "not-the-password")

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert _signed_in_user_id(client) is None


def test_public_sign_up_page_says_sign_up_is_closed(client, db):
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]


def test_public_sign_up_post_creates_no_user(client, db):
    client.post(
        "/accounts/signup/",
        {"email": "intruder@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert not User.objects.filter(email="intruder@example.com").exists()
    assert _signed_in_user_id(client) is None


# --- Rate limit: 5 failures per address in 5 minutes ----------------------------------------


def _too_many_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])


def test_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_one(
    client, portal_admin_user
):
    for _ in range(5):
        response = _sign_in(client, "admin@acme.test", "not-the-password")
        assert escape(_too_many_message()) not in response.content.decode()

    response = _sign_in(client, "admin@acme.test")

    assert response.status_code == 400
    assert escape(_too_many_message()) in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_rate_limit_counts_per_address_not_for_everyone(client, portal_admin_user, limited_user):
    for _ in range(5):
        _sign_in(client, "admin@acme.test", "not-the-password")

    response = _sign_in(client, "noc@acme.test")

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(limited_user.pk)


def test_rate_limit_lifts_after_five_minutes(client, portal_admin_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            _sign_in(client, "admin@acme.test", "not-the-password")
        assert _signed_in_user_id(client) is None

        traveller.shift(timedelta(minutes=5, seconds=1))
        response = _sign_in(client, "admin@acme.test")

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(portal_admin_user.pk)


def test_successful_sign_ins_do_not_count_towards_the_limit(client, portal_admin_user):
    for _ in range(6):
        assert _sign_in(client, "admin@acme.test").status_code == 302
        client.post(LOGOUT)

    assert _sign_in(client, "admin@acme.test").status_code == 302


# --- Password reset (R-POR-4) --------------------------------------------------------------


@pytest.fixture
def reset_user(other_customer):
    return MembershipFactory(
        customer=other_customer,
        user__email="maria@globex.test",
        user__language="pt-br",
        tickets="act",
    ).user


def _request_reset(client, email: str):
    """The reset e-mail goes through the outbox: it leaves once the request has committed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(RESET, {"email": email}, HTTP_ACCEPT_LANGUAGE="es")


def test_password_reset_response_is_the_same_for_known_and_unknown_addresses(client, reset_user):
    """R-POR-4: the reset page does not reveal whether an address has an account."""
    known = _request_reset(client, "maria@globex.test")
    unknown = _request_reset(Client(), "nobody@globex.test")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    known_page = client.get(known["Location"], HTTP_ACCEPT_LANGUAGE="es")
    unknown_page = Client().get(unknown["Location"], HTTP_ACCEPT_LANGUAGE="es")
    assert known_page.status_code == unknown_page.status_code == 200
    assert _without_csrf(known_page.content.decode()) == _without_csrf(
        unknown_page.content.decode()
    )


def test_password_reset_sends_an_email_only_to_an_existing_account(client, reset_user):
    """R-POR-4: one reset e-mail for the known address, nothing to an unknown one."""
    _request_reset(client, "maria@globex.test")
    _request_reset(client, "nobody@globex.test")

    assert [message.to for message in mail.outbox] == [["maria@globex.test"]]


def test_password_reset_email_holds_a_link_and_never_a_password(client, reset_user):
    """R-POR-4: a one-time link, never a password; the password itself is not changed."""
    password_hash = reset_user.password

    _request_reset(client, "maria@globex.test")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert _reset_link(message).startswith("/accounts/password/reset/key/")
    contents = [message.subject, message.body, *(c for c, _m in message.alternatives)]
    assert not any(PASSWORD in content for content in contents)
    reset_user.refresh_from_db()
    assert reset_user.password == password_hash


def test_password_reset_email_is_in_the_recipients_language_not_the_requesters(client, reset_user):
    """R-POR-4 / R-CON-3: a Portuguese-speaking user gets Portuguese even from a Spanish page."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    with translation.override("pt-br"):
        subject_pt = gettext("Password Reset Email")
    with translation.override("es"):
        subject_es = gettext("Password Reset Email")
    assert subject_pt != subject_es

    response = _request_reset(client, "maria@globex.test")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert subject_pt in message.subject
    assert subject_es not in message.subject
    assert "Você está recebendo este e-mail" in message.body
    # The requester's own page stays in Spanish.
    assert response.status_code == 302
    assert client.get(response["Location"])["Content-Language"] == "es"


def test_password_reset_link_sets_a_new_password_once(client, reset_user):
    """R-POR-4: the link is single-use."""
    _request_reset(client, "maria@globex.test")
    link = _reset_link(mail.outbox[0])

    opened = client.get(link)
    assert opened.status_code == 302
    form_url = opened["Location"]
    saved = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert saved.status_code == 302
    reset_user.refresh_from_db()
    assert reset_user.check_password(NEW_PASSWORD)
    assert _sign_in(Client(), "maria@globex.test", NEW_PASSWORD).status_code == 302

    second = Client().get(link)
    assert second.status_code == 200
    assert second.context["token_fail"] is True


def test_password_reset_link_expires_after_the_reset_timeout(client, reset_user):
    """R-POR-4: the link expires after PASSWORD_RESET_TIMEOUT."""
    _request_reset(client, "maria@globex.test")
    link = _reset_link(mail.outbox[0])
    timeout = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)

    with time_machine.travel(timezone.now() + timeout - timedelta(minutes=1)):
        assert Client().get(link).status_code == 302
    with time_machine.travel(timezone.now() + timeout + timedelta(minutes=1)):
        expired = Client().get(link)

    assert expired.status_code == 200
    assert expired.context["token_fail"] is True
    reset_user.refresh_from_db()
    assert reset_user.check_password(PASSWORD)


# --- Staff sign-in to /admin/ --------------------------------------------------------------


def test_admin_sends_anonymous_visitors_to_the_portal_sign_in(client, db):
    response = client.get("/admin/", follow=True)

    final = urlsplit(response.redirect_chain[-1][0])
    assert final.path == LOGIN
    assert parse_qs(final.query)["next"] == ["/admin/"]
    assert "account/login.html" in [t.name for t in response.templates]


def test_admin_login_form_cannot_bypass_the_portal_sign_in(client, staff_user):
    response = client.post(
        "/admin/login/", {"username": staff_user.email, "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN
    assert _signed_in_user_id(client) is None


def test_staff_signs_in_to_admin_through_the_portal_sign_in(client, staff_user):
    staff_totp(
        staff_user
    )  # the admin requires it (issue 13 item 2, tests/portal/test_staff_mfa.py)
    password_step = _sign_in(client, staff_user.email, next="/admin/")
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code()})

    assert urlsplit(password_step["Location"]).path == MFA_AUTHENTICATE
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_signed_in_non_staff_member_gets_403_at_admin(portal_admin_client):
    response = portal_admin_client.get("/admin/", follow=True)

    assert response.status_code == 403


# --- MFA -----------------------------------------------------------------------------------


@pytest.fixture
def mfa_member(customer):
    customer.require_mfa = True
    customer.save(update_fields=["require_mfa"])
    return MembershipFactory(customer=customer, user__email="mfa@acme.test").user


@pytest.mark.parametrize("path", ["/", "/profile/", "/help/", "/users/"])
def test_member_without_totp_is_sent_to_set_it_up_when_the_customer_requires_mfa(
    client, mfa_member, path
):
    client.force_login(mfa_member)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == TOTP_ACTIVATE


def test_member_without_totp_is_not_redirected_when_the_customer_does_not_require_mfa(
    portal_admin_client,
):
    assert portal_admin_client.get("/").status_code == 200


def test_member_without_required_totp_can_still_sign_out(client, mfa_member):
    client.force_login(mfa_member)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert _signed_in_user_id(client) is None


def test_activating_totp_lets_the_member_in_and_later_sign_ins_ask_for_the_code(client, mfa_member):
    with time_machine.travel(timezone.now(), tick=False):
        assert _sign_in(client, "mfa@acme.test").status_code == 302
        assert client.get("/")["Location"] == TOTP_ACTIVATE
        secret = _open_totp_setup(client)

        activated = client.post(TOTP_ACTIVATE, {"code": _totp_code(secret)})

        assert activated.status_code == 302
        assert Authenticator.objects.filter(user=mfa_member, type=Authenticator.Type.TOTP).exists()
        assert client.get("/").status_code == 200

        client.post(LOGOUT)
        password_step = _sign_in(client, "mfa@acme.test")
        assert password_step.status_code == 302
        assert urlsplit(password_step["Location"]).path == MFA_AUTHENTICATE
        assert _signed_in_user_id(client) is None

        code_step = client.post(MFA_AUTHENTICATE, {"code": _totp_code(secret)})

    assert code_step.status_code == 302
    assert _signed_in_user_id(client) == str(mfa_member.pk)
    assert client.get("/").status_code == 200


def test_sign_in_with_totp_refuses_a_wrong_code(client, mfa_member):
    with time_machine.travel(timezone.now(), tick=False):
        _sign_in(client, "mfa@acme.test")
        secret = _open_totp_setup(client)
        client.post(TOTP_ACTIVATE, {"code": _totp_code(secret)})
        client.post(LOGOUT)
        _sign_in(client, "mfa@acme.test")
        wrong = str((int(_totp_code(secret)) + 1) % 1_000_000).zfill(6)

        response = client.post(MFA_AUTHENTICATE, {"code": wrong})

    assert response.status_code == 400
    assert response.context["form"].errors
    assert _signed_in_user_id(client) is None


def test_activating_totp_refuses_a_wrong_code(client, mfa_member):
    _sign_in(client, "mfa@acme.test")
    _open_totp_setup(client)

    response = client.post(TOTP_ACTIVATE, {"code": "not-a-code"})

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Authenticator.objects.filter(user=mfa_member).exists()
    assert client.get("/")["Location"] == TOTP_ACTIVATE


# --- Profile -------------------------------------------------------------------------------


def _profile_data(**overrides) -> dict:
    return {
        "full_name": "Ana María Álvarez",
        "phone": "+54 11 4321-5678",
        "language": "pt-br",
        "timezone": "America/Sao_Paulo",
        **overrides,
    }


def test_profile_page_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/profile/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN


def test_profile_saves_name_phone_language_and_timezone(portal_admin_client, portal_admin_user):
    response = portal_admin_client.post("/profile/", _profile_data())

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.full_name == "Ana María Álvarez"
    assert portal_admin_user.phone == "+54 11 4321-5678"
    assert portal_admin_user.language == "pt-br"
    assert portal_admin_user.timezone == "America/Sao_Paulo"


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "call me maybe"), ("timezone", "Mars/Base"), ("language", "klingon")],
)
def test_profile_refuses_bad_input_with_400_and_a_message(
    portal_admin_client, portal_admin_user, field, value
):
    response = portal_admin_client.post("/profile/", _profile_data(**{field: value}))

    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert errors
    assert escape(errors[0]) in response.content.decode()
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.full_name == "Ana Admin"
    assert getattr(portal_admin_user, field) != value


# --- Active sessions -----------------------------------------------------------------------


def test_sessions_page_lists_sessions_and_ending_the_others_signs_them_out(portal_admin_user):
    laptop, phone = Client(), Client(HTTP_USER_AGENT="PhoneBrowser/1.0")
    _sign_in(laptop, "admin@acme.test")
    _sign_in(phone, "admin@acme.test")

    listing = laptop.get("/accounts/sessions/")

    assert listing.status_code == 200
    assert listing.context["session_count"] == 2
    assert "PhoneBrowser/1.0" in listing.content.decode()

    ended = laptop.post("/accounts/sessions/")

    assert ended.status_code == 302
    assert UserSession.objects.filter(user=portal_admin_user).count() == 1
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


# --- Language switch -----------------------------------------------------------------------


def test_language_switch_sets_the_cookie_and_the_users_language(
    portal_admin_client, portal_admin_user
):
    response = portal_admin_client.post("/language/", {"language": "pt-br", "next": "/profile/"})

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pt-br"
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.language == "pt-br"
    assert portal_admin_client.get("/")["Content-Language"] == "pt-br"


def test_language_switch_works_for_anonymous_visitors(client, db):
    response = client.post("/language/", {"language": "en", "next": LOGIN})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(LOGIN)["Content-Language"] == "en"


def test_language_switch_refuses_an_unknown_language_with_a_400_page(
    portal_admin_client, portal_admin_user
):
    response = portal_admin_client.post("/language/", {"language": "xx", "next": "/"})

    assert response.status_code == 400
    with translation.override(portal_admin_user.language):
        message = gettext("Choose one of the offered languages.")
    assert escape(message) in response.content.decode()
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    assert cookie.value == portal_admin_user.language
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.language == "en"


def test_language_switch_refuses_get(portal_admin_client):
    assert portal_admin_client.get("/language/").status_code == 405


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/phish", "http://testserver.evil.example/"]
)
def test_language_switch_does_not_follow_an_off_site_next(portal_admin_client, next_url):
    response = portal_admin_client.post("/language/", {"language": "es", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"
