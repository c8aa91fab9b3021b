"""Account security around allauth (R-POR-4, R-POR-5): refusal at sign-in without an active
membership, audited and e-mailed password and two-factor changes, the provider's name in
allauth's e-mails, the audited profile, the closed e-mail change and the curated timezones."""

import re
import time
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from core.models import AuditEvent, Level
from tests.conftest import staff_totp, totp_code
from tests.factories import PASSWORD, MembershipFactory

LOGIN = "/accounts/login/"
PASSWORD_CHANGE = "/accounts/password/change/"
RESET = "/accounts/password/reset/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"
Action = AuditEvent.Action


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def _reset_link(message) -> str:
    match = re.search(r"https?://\S+?(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _profile_data(user, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "timezone": user.timezone,
    }
    data.update(overrides)
    return data


def _timezone_select(html: str) -> str:
    match = re.search(r'<select[^>]*name="timezone".*?</select>', html, re.S)
    assert match, "no timezone select on the page"
    return match.group(0)


# --- 1. refused at sign-in without an active membership --------------------------------------


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _too_many_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(DefaultAccountAdapter.error_messages["too_many_login_attempts"]))


@pytest.fixture(params=["membership", "account"])
def deactivated(request, inactive_membership):
    """Someone who may no longer sign in: every membership deactivated by their administrator,
    or (with an active membership) the account deactivated by staff."""
    if request.param == "membership":
        return inactive_membership.user
    person = MembershipFactory(customer=inactive_membership.customer, user__email="off@acme.test")
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])
    return person.user


def test_a_deactivated_person_gets_the_same_answer_for_the_right_and_a_wrong_password(
    client, sign_in, deactivated
):
    """Issue 13 section 5 (review A4): the right password no longer earns a page of its own,
    so a former member's password cannot be confirmed by trying it."""
    person = deactivated
    person.language = "pt-br"
    person.save(update_fields=["language"])

    right = sign_in(client, person.email)
    wrong = sign_in(client, person.email, "not-the-password")

    assert right.status_code == wrong.status_code == 400
    assert _without_csrf(right.content.decode()) == _without_csrf(wrong.content.decode())
    assert right.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert sorted(right.cookies) == sorted(wrong.cookies)
    assert _signed_in_user_id(client) is None
    dashboard = client.get("/")
    assert dashboard.status_code == 302
    assert urlsplit(dashboard["Location"]).path == LOGIN


def test_a_deactivated_staff_account_gets_the_same_answer_for_the_right_and_a_wrong_password(
    client, sign_in, staff_user
):
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])

    right = sign_in(client, staff_user.email)
    wrong = sign_in(client, staff_user.email, "not-the-password")

    assert right.status_code == wrong.status_code == 400
    assert _without_csrf(right.content.decode()) == _without_csrf(wrong.content.decode())
    assert _signed_in_user_id(client) is None


def test_the_right_password_of_a_deactivated_person_counts_towards_the_rate_limit(
    client, sign_in, deactivated
):
    """5/5m per address: five tries with the right password use up the five attempts."""
    for _ in range(5):
        response = sign_in(client, deactivated.email)
        assert _too_many_message() not in response.content.decode()

    response = sign_in(client, deactivated.email)

    assert response.status_code == 400
    assert _too_many_message() in response.content.decode()


def test_the_refusal_of_a_right_password_is_in_the_audit_log_with_its_reason(
    client, sign_in, inactive_membership, customer, portal_admin_user
):
    person = inactive_membership.user

    sign_in(client, person.email)

    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED, target_email=person.email)
    assert event.detail == {"reason": "no_active_membership"}
    assert event.customer == customer
    assert event.actor == person
    administrator = Client()
    administrator.force_login(portal_admin_user)
    page = administrator.get("/audit/").content.decode()
    assert "Why: no active membership" in " ".join(page.split())


def test_person_with_one_active_membership_among_inactive_ones_still_signs_in(
    client, sign_in, inactive_membership, other_customer
):
    person = inactive_membership.user
    MembershipFactory(customer=other_customer, user=person, tickets=Level.VIEW)

    response = sign_in(client, person.email)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(person.pk)
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).exists()


def test_staff_without_any_membership_still_signs_in(client, sign_in, staff_user):
    staff_totp(staff_user)  # the admin requires it (issue 13 item 2)
    password_step = sign_in(client, staff_user.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})

    assert password_step.status_code == response.status_code == 302
    assert _signed_in_user_id(client) == str(staff_user.pk)
    assert client.get("/admin/").status_code == 200
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).exists()


# --- 2. password and two-factor changes are audited and e-mailed -----------------------------


def test_changing_the_password_is_audited_for_each_customer_and_emailed_naming_the_provider(
    client,
    sign_in,
    settings,
    admin_membership,
    customer,
    other_customer,
    django_capture_on_commit_callbacks,
):
    settings.PROVIDER_NAME = "Lumen"
    person = admin_membership.user
    MembershipFactory(customer=other_customer, user=person, tickets=Level.VIEW)
    assert sign_in(client, person.email).status_code == 302
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PASSWORD_CHANGE,
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    events = AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE)
    assert sorted(event.customer.display_name for event in events) == [
        "Acme Logística",
        "Globex Telecom",
    ]
    assert all(e.actor == person and e.target_email == person.email for e in events)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert "Hello from Lumen!" in message.body
    assert "Hello from !" not in message.body
    assert NEW_PASSWORD not in message.body


def test_password_reset_completed_through_the_emailed_link_is_audited(
    client, limited_membership, customer, django_capture_on_commit_callbacks
):
    person = limited_membership.user
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(RESET, {"email": person.email})
    assert len(mail.outbox) == 1
    # Asking for the link changes nothing yet.
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_RESET).exists()

    opened = client.get(_reset_link(mail.outbox[0]))
    assert opened.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )

    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=Action.PASSWORD_RESET)
    assert event.customer == customer
    assert event.actor == person
    assert event.target_email == person.email
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()


def test_activating_totp_is_audited_as_a_two_factor_change(
    client, sign_in, limited_membership, customer, django_capture_on_commit_callbacks
):
    person = limited_membership.user
    with time_machine.travel(timezone.now(), tick=False):
        assert sign_in(client, person.email).status_code == 302
        response = client.get(TOTP_ACTIVATE)
        if response.status_code == 302 and urlsplit(response["Location"]).path == REAUTHENTICATE:
            client.post(response["Location"], {"password": PASSWORD})
            response = client.get(TOTP_ACTIVATE)
        assert response.status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        assert not AuditEvent.objects.filter(action=Action.MFA_CHANGE).exists()
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            activated = client.post(TOTP_ACTIVATE, {"code": _totp_code(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    event = AuditEvent.objects.get(action=Action.MFA_CHANGE)
    assert event.customer == customer
    assert event.actor == person
    assert event.target_email == person.email
    assert event.detail == {"event": "totp_activated"}
    assert [message.to for message in mail.outbox] == [[person.email]]


# --- 3. the provider's name in allauth's e-mails ---------------------------------------------


def test_password_reset_email_greets_with_the_provider_name(
    client, settings, limited_user, django_capture_on_commit_callbacks
):
    settings.PROVIDER_NAME = "Acme Networks"

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(RESET, {"email": limited_user.email})

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Hello from Acme Networks!" in body
    assert "Thank you for using Acme Networks!" in body
    assert "Hello from !" not in body


# --- 4. the profile: audited, and the language follows at once -------------------------------


def test_saving_the_profile_writes_one_audit_event_listing_the_changed_fields(
    portal_admin_client, portal_admin_user, customer
):
    response = portal_admin_client.post(
        "/profile/",
        _profile_data(portal_admin_user, full_name="Ana María Admin", phone="+54 11 5555"),
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.PROFILE_CHANGE)
    assert sorted(event.detail["fields"]) == ["full_name", "phone"]
    assert event.customer == customer
    assert event.actor == portal_admin_user
    assert event.target_email == portal_admin_user.email
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.full_name == "Ana María Admin"


def test_saving_the_profile_without_changes_writes_no_audit_event(
    portal_admin_client, portal_admin_user
):
    response = portal_admin_client.post("/profile/", _profile_data(portal_admin_user))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Action.PROFILE_CHANGE).exists()


def test_changing_the_language_answers_in_it_at_once_and_sets_the_language_cookie(
    portal_admin_client, portal_admin_user
):
    saved_pt = _in("pt-br", "Your profile was saved.")
    assert saved_pt != "Your profile was saved."
    portal_admin_client.get("/profile/")
    assert portal_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = portal_admin_client.post(
        "/profile/", _profile_data(portal_admin_user, language="pt-br")
    )

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pt-br"
    page = portal_admin_client.get(response["Location"])
    messages = [str(message) for message in page.context["messages"]]
    assert messages == [saved_pt]
    assert AuditEvent.objects.get(action=Action.PROFILE_CHANGE).detail == {"fields": ["language"]}

    portal_admin_client.post("/accounts/logout/")
    sign_in_page = portal_admin_client.get(LOGIN)
    assert _signed_in_user_id(portal_admin_client) is None
    assert sign_in_page.status_code == 200
    assert sign_in_page["Content-Language"] == "pt-br"


# --- 5. the e-mail address cannot be changed by the person -----------------------------------


def test_email_address_page_is_not_found_for_a_signed_in_person(
    portal_admin_client, portal_admin_user
):
    assert portal_admin_client.get("/accounts/email/").status_code == 404
    added = portal_admin_client.post(
        "/accounts/email/", {"action_add": "", "email": "ana.private@example.com"}
    )

    assert added.status_code == 404
    assert list(
        EmailAddress.objects.filter(user=portal_admin_user).values_list("email", flat=True)
    ) == [portal_admin_user.email]
    assert mail.outbox == []


# --- 6. curated timezones --------------------------------------------------------------------


def test_profile_timezone_select_offers_grouped_canonical_zones_with_offsets(portal_admin_client):
    response = portal_admin_client.get("/profile/")

    select = _timezone_select(response.content.decode())
    assert '<optgroup label="Latin America">' in select
    assert '<optgroup label="Other">' in select
    assert select.index("Latin America") < select.index("Other")
    assert "(UTC−03:00) Buenos Aires" in select
    assert 'value="America/Argentina/Buenos_Aires"' in select
    assert "(UTC+00:00) UTC" in select
    for legacy in ("America/Buenos_Aires", "Africa/Asmera", "US/Eastern", "Etc/GMT+3"):
        assert legacy not in select
    assert select.count("<option") < 50


def test_stored_timezone_outside_the_list_stays_an_option_and_can_be_kept(
    portal_admin_client, portal_admin_user
):
    portal_admin_user.timezone = "Asia/Tokyo"
    portal_admin_user.save(update_fields=["timezone"])

    select = _timezone_select(portal_admin_client.get("/profile/").content.decode())
    assert re.search(r'<option value="Asia/Tokyo"[^>]*selected[^>]*>\(UTC\+09:00\) Tokyo<', select)

    response = portal_admin_client.post(
        "/profile/", _profile_data(portal_admin_user, phone="+81 3 5555")
    )

    assert response.status_code == 302
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.timezone == "Asia/Tokyo"
    assert portal_admin_user.phone == "+81 3 5555"


@pytest.mark.parametrize("zone", ["Mars/Base", "America/Nowhere"])
def test_unknown_timezone_is_refused_with_400(portal_admin_client, portal_admin_user, zone):
    response = portal_admin_client.post(
        "/profile/", _profile_data(portal_admin_user, timezone=zone)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["timezone"]
    portal_admin_user.refresh_from_db()
    assert portal_admin_user.timezone == ""
    assert not AuditEvent.objects.filter(action=Action.PROFILE_CHANGE).exists()
