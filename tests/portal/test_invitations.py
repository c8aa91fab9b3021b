"""Accepting an invitation (R-POR-5, issue 2 section 6): the link sets the password, verifies the
address, creates the membership with the invited permissions; it works once and expires."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core import services
from core.models import AuditEvent, Invitation, Level, Membership, User
from tests.factories import PASSWORD, MembershipFactory

NEW_PASSWORD = "violet-lantern-harbour-42"
USED = "This invitation has already been used. Sign in with your e-mail address and password."
WITHDRAWN = (
    "This invitation was withdrawn or replaced by a newer one. "
    "Use the most recent e-mail you received."
)
NOT_VALID = "This invitation link is not valid. Ask your portal administrator for a new one."


def _url(token: str) -> str:
    return reverse("portal:invitation_accept", kwargs={"token": token})


def _accept_data(**overrides) -> dict:
    return {
        "full_name": "Iris Invitee",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


@pytest.fixture
def english_client(client):
    """An anonymous visitor who chose English with the language switcher."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _error(response) -> str:
    return response.context["message"] if response.context else ""


# --- the happy path --------------------------------------------------------------------------


def test_invited_person_sets_a_password_and_lands_signed_in_on_the_dashboard(
    english_client, invite, customer
):
    """R-POR-5: accepting sets the password, verifies the address and creates the membership."""
    invitation, token = invite(
        "invitee@acme.test",
        permissions={"tickets": Level.ACT, "billing": Level.VIEW},
        language="pt-br",
    )
    page = english_client.get(_url(token))
    assert page.status_code == 200
    assert "invitee@acme.test" in page.content.decode()

    response = english_client.post(_url(token), _accept_data(), follow=True)

    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    assert response.status_code == 200
    user = User.objects.get(email="invitee@acme.test")
    assert int(english_client.session["_auth_user_id"]) == user.pk
    assert response.context["user"] == user
    assert response.context["active_customer"] == customer
    assert user.full_name == "Iris Invitee"
    assert user.check_password(NEW_PASSWORD)
    assert user.language == "pt-br"
    assert EmailAddress.objects.filter(
        user=user, email="invitee@acme.test", verified=True, primary=True
    ).exists()
    membership = Membership.objects.get(user=user, customer=customer)
    assert membership.is_active
    assert membership.role == Membership.Role.USER
    assert membership.levels() == {
        "services": "none",
        "orders": "none",
        "tickets": "act",
        "changes": "none",
        "billing": "view",
    }
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_invited_administrator_becomes_a_portal_administrator(english_client, invite, customer):
    _invitation, token = invite("second.admin@acme.test", role=Membership.Role.ADMIN)

    english_client.post(_url(token), _accept_data())

    membership = Membership.objects.get(user__email="second.admin@acme.test")
    assert membership.is_admin
    assert english_client.get(reverse("portal:users")).status_code == 200


def test_new_member_signs_in_later_with_the_password_they_chose(english_client, invite, sign_in):
    _invitation, token = invite("invitee@acme.test")
    english_client.post(_url(token), _accept_data())
    english_client.logout()

    response = sign_in(Client(), "invitee@acme.test", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_invitation_works_until_just_before_it_expires(english_client, invite):
    """Issue 2 section 6: the invitation expires after 7 days."""
    _invitation, token = invite("invitee@acme.test")

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        response = english_client.post(_url(token), _accept_data())

    assert response.status_code == 302
    assert User.objects.filter(email="invitee@acme.test").exists()


# --- links that cannot be used ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_invitation_shows_a_clear_message_and_410(english_client, invite, method):
    """Issue 2 section 6: the invitation expires after 7 days."""
    invitation, token = invite("invitee@acme.test")

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = getattr(english_client, method)(_url(token), _accept_data())

    assert response.status_code == 410
    expiry = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")
    assert _error(response) == (
        f"This invitation expired on {expiry}. Ask your portal administrator to invite you again."
    )
    assert _error(response) in response.content.decode()
    assert not User.objects.filter(email="invitee@acme.test").exists()


def test_invitation_used_once_cannot_be_used_again(english_client, invite, customer):
    """The link is single-use: a second visitor with the same link gets a clear message."""
    _invitation, token = invite("invitee@acme.test")
    assert english_client.post(_url(token), _accept_data()).status_code == 302

    stranger = Client()
    stranger.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = stranger.get(_url(token))
    again = stranger.post(_url(token), _accept_data(password1="x", password2="x"))

    assert page.status_code == 410
    assert _error(page) == USED
    assert USED in page.content.decode()
    assert again.status_code == 410
    assert User.objects.filter(email="invitee@acme.test").count() == 1
    assert (
        Membership.objects.filter(customer=customer, user__email="invitee@acme.test").count() == 1
    )
    assert User.objects.get(email="invitee@acme.test").check_password(NEW_PASSWORD)


def test_invitation_link_is_single_use_even_for_the_person_who_used_it(english_client, invite):
    _invitation, token = invite("invitee@acme.test", language="en")
    english_client.post(_url(token), _accept_data())

    response = english_client.get(_url(token))

    assert response.status_code == 410
    assert _error(response) == USED
    assert english_client.post(_url(token)).status_code == 410
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.INVITE_ACCEPT, target_email="invitee@acme.test"
        ).count()
        == 1
    )


def test_revoked_invitation_shows_a_clear_message(english_client, invite, portal_admin_user):
    invitation, token = invite("invitee@acme.test")
    services.invitation_revoke(invitation=invitation, actor=portal_admin_user)

    response = english_client.get(_url(token))

    assert response.status_code == 410
    assert _error(response) == WITHDRAWN
    assert WITHDRAWN in response.content.decode()


def test_replaced_invitation_shows_a_clear_message_and_the_newer_one_works(english_client, invite):
    _first, old_token = invite("invitee@acme.test")
    _second, new_token = invite("invitee@acme.test")

    old = english_client.get(_url(old_token))
    new = english_client.get(_url(new_token))

    assert old.status_code == 410
    assert _error(old) == WITHDRAWN
    assert new.status_code == 200


def test_unknown_invitation_token_shows_a_clear_message(english_client, db):
    response = english_client.get(_url("not-a-real-token"))

    assert response.status_code == 410
    assert _error(response) == NOT_VALID
    assert NOT_VALID in response.content.decode()


def test_invitation_messages_are_in_spanish_by_default(client, db):
    """Issue 2 section 6: clear, translated messages; Spanish is the default language."""
    response = client.get(_url("not-a-real-token"))

    with translation.override("es"):
        spanish = gettext(NOT_VALID)
    assert spanish != NOT_VALID, "the message has no Spanish translation"
    assert spanish in response.content.decode()


# --- bad input on the form -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        pytest.param(
            _accept_data(password2="violet-lantern-harbour-43"),
            ["The two passwords do not match."],
            id="mismatch",
        ),
        pytest.param(
            _accept_data(password1="12345678", password2="12345678"),
            [
                "This password is too short. It must contain at least 10 characters.",
                "This password is entirely numeric.",
            ],
            id="short-numeric",
        ),
        pytest.param(
            _accept_data(password1="password123", password2="password123"),
            ["This password is too common."],
            id="common",
        ),
        pytest.param(
            _accept_data(password1="invitee.acme.test", password2="invitee.acme.test"),
            ["The password is too similar to the e-mail address."],
            id="like-the-address",
        ),
        pytest.param(_accept_data(full_name=""), ["This field is required."], id="no-name"),
    ],
)
def test_bad_password_or_name_is_refused_with_400_and_messages(
    english_client, invite, data, messages
):
    _invitation, token = invite("invitee@acme.test")

    response = english_client.post(_url(token), data)

    assert response.status_code == 400
    body = response.content.decode()
    for message in messages:
        assert message in body
    assert not User.objects.filter(email="invitee@acme.test").exists()
    assert "_auth_user_id" not in english_client.session
    assert Invitation.objects.get(email="invitee@acme.test").accepted_at is None


# --- people who already have an account ------------------------------------------------------


def test_signed_in_member_joins_a_second_customer_and_can_switch_between_them(
    client, invite, customer, other_user, other_customer, other_membership, sign_in
):
    """R-POR-5 and issue 2 section 4: a person can belong to several customers and switch."""
    _invitation, token = invite("admin@globex.test", permissions={"tickets": Level.VIEW})
    sign_in(client, "admin@globex.test")

    page = client.get(_url(token))
    assert page.status_code == 200
    assert "Acme Logística" in page.content.decode()
    response = client.post(_url(token), follow=True)

    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    assert response.context["active_customer"] == customer
    joined = Membership.objects.get(user=other_user, customer=customer)
    assert joined.role == Membership.Role.USER
    assert joined.tickets == Level.VIEW
    assert other_user.memberships.count() == 2

    switched = client.post(
        reverse("portal:customer_switch"), {"membership": str(other_membership.reference)}
    )
    assert switched.status_code == 302
    assert client.get("/").context["active_customer"] == other_customer
    back = client.post(reverse("portal:customer_switch"), {"membership": str(joined.reference)})
    assert back.status_code == 302
    assert client.get("/").context["active_customer"] == customer


def test_signed_in_person_cannot_accept_someone_elses_invitation(
    portal_admin_client, invite, customer
):
    _invitation, token = invite("invitee@acme.test")

    response = portal_admin_client.post(_url(token))

    assert response.status_code == 409
    assert "invitee@acme.test" in _error(response)
    assert not Membership.objects.filter(user__email="invitee@acme.test").exists()
    assert Invitation.objects.get(email="invitee@acme.test").accepted_at is None


def test_anonymous_visitor_with_an_existing_account_signs_in_and_then_joins(
    english_client, invite, other_user, customer, sign_in
):
    """An invitation link never sets the password of an existing account: sign in, then join."""
    _invitation, token = invite("admin@globex.test")

    response = english_client.post(_url(token), _accept_data())

    other_user.refresh_from_db()
    assert not other_user.check_password(NEW_PASSWORD)
    assert not Membership.objects.filter(user=other_user, customer=customer).exists()
    assert "_auth_user_id" not in english_client.session
    links = re.findall(r'href="(/accounts/login/\?next=[^"]+)"', response.content.decode())
    assert links, "the page offers no sign-in link that returns to the invitation"
    login_url = html.unescape(links[0])
    assert parse_qs(urlsplit(login_url).query)["next"] == [_url(token)]

    signed_in = english_client.post(login_url, {"login": "admin@globex.test", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == _url(token)
    assert english_client.post(_url(token)).status_code == 302
    assert Membership.objects.filter(user=other_user, customer=customer, is_active=True).exists()


# --- an invitation never overrides what an administrator decided later -----------------------


@pytest.fixture
def added_by_staff(invite, customer):
    """A pending invitation, and meanwhile Customer Care added the person in the Django admin."""
    _invitation, token = invite("invitee@acme.test", permissions={"tickets": Level.VIEW})
    membership = MembershipFactory(
        customer=customer, user__email="invitee@acme.test", tickets=Level.VIEW
    )
    return membership, token


def test_pending_invitation_cannot_bring_back_a_deactivated_member(
    client, added_by_staff, portal_admin_user, sign_in
):
    """Issue 2 section 6: a deactivated person can no longer use this customer; an old
    invitation link must not undo the deactivation (R-POR-5)."""
    membership, token = added_by_staff
    services.membership_deactivate(membership=membership, actor=portal_admin_user)
    sign_in(client, "invitee@acme.test")

    response = client.post(_url(token))

    membership.refresh_from_db()
    assert not membership.is_active
    assert response.status_code == 410
    # The deactivated person is not even signed in: the dashboard sends them to sign-in.
    assert client.get("/").url.startswith("/accounts/login/")


def test_pending_invitation_cannot_demote_the_last_administrator(
    client, added_by_staff, admin_membership, sign_in
):
    """R-POR-5: the last active administrator cannot be demoted, not even by an old link."""
    membership, token = added_by_staff
    Membership.objects.filter(pk=membership.pk).update(
        role=Membership.Role.ADMIN,
        **dict.fromkeys(("services", "orders", "tickets", "changes", "billing"), Level.ACT),
    )
    Membership.objects.filter(pk=admin_membership.pk).update(is_active=False)
    sign_in(client, "invitee@acme.test")

    client.post(_url(token))

    membership.refresh_from_db()
    assert membership.is_admin


def test_invitation_email_to_an_existing_account_says_to_sign_in_not_to_create_a_password(
    invite, other_user, django_capture_on_commit_callbacks
):
    """A person who already uses the portal for another customer keeps one account."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invite(other_user.email, language="en")

    body = mail.outbox[0].body
    assert "You already have an account" in body
    assert "set your password" not in body
