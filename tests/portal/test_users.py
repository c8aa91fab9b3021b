"""Sub-user administration by a customer's portal administrator (R-POR-5, issue 2 section 6)."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.models import AuditEvent, Invitation, Level, Membership
from tests.factories import MembershipFactory

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
INVITE_SUBJECT = "[%(provider)s] You are invited to %(customer)s's customer portal"
EXPIRY_IN_LANGUAGE = {
    "es": "17 de marzo de 2026",
    "pt-br": "17 de março de 2026",
    "en": "March 17, 2026",
}


def _invite_data(**overrides) -> dict:
    data = {
        "email": "new.person@acme.test",
        "full_name": "Nora New",
        "language": "es",
        "role": "user",
        "tickets": "act",
        "billing": "view",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _edit_url(membership) -> str:
    return reverse("portal:user_edit", kwargs={"reference": membership.reference})


def _action_url(action: str, membership) -> str:
    return reverse(f"portal:user_{action}", kwargs={"reference": membership.reference})


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- listing ---------------------------------------------------------------------------------


def test_admin_lists_the_customers_users_with_status_and_pending_invitations(
    portal_admin_client, limited_membership, inactive_membership, other_membership, invite
):
    """R-POR-5: the administrator sees every user of the customer, deactivated ones included."""
    invite("pending.person@acme.test")

    response = portal_admin_client.get(reverse("portal:users"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="member-row"') == 3
    assert "noc@acme.test" in body
    assert "Nico NOC" in body
    assert "gone@acme.test" in body
    assert "Deactivated" in body
    assert "Trouble tickets: view, open and reply to tickets" in body
    assert body.count('data-testid="invitation-row"') == 1
    assert "pending.person@acme.test" in body
    assert "admin@globex.test" not in body


def test_user_list_hides_accepted_and_revoked_invitations_and_flags_expired_ones(
    portal_admin_client, invite, portal_admin_user
):
    accepted, _ = invite("accepted@acme.test")
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=NOW)
    revoked, _ = invite("revoked@acme.test")
    Invitation.objects.filter(pk=revoked.pk).update(revoked_at=NOW)
    expired, _ = invite("expired@acme.test")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))

    body = portal_admin_client.get(reverse("portal:users")).content.decode()

    assert body.count('data-testid="invitation-row"') == 1
    assert "expired@acme.test" in body
    assert "Expired" in body
    assert "accepted@acme.test" not in body
    assert "revoked@acme.test" not in body


def test_resending_an_expired_invitation_sends_a_fresh_link_and_kills_the_old_one(
    portal_admin_client, invite, customer, django_capture_on_commit_callbacks
):
    expired, old_token = invite("late@acme.test", language="pt-br")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            reverse("portal:invitation_resend", kwargs={"reference": expired.reference})
        )

    assert response.status_code == 302
    fresh = Invitation.objects.get(
        customer=customer, email="late@acme.test", revoked_at__isnull=True
    )
    assert fresh.pk != expired.pk
    assert fresh.is_pending
    assert fresh.permissions == expired.permissions
    assert fresh.language == "pt-br"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["late@acme.test"]
    new_link = re.search(r"/invitations/[^/\s]+/", mail.outbox[0].body).group(0)
    assert Client().get(new_link).status_code == 200
    assert Client().get(f"/invitations/{old_token}/").status_code == 410


def test_resending_a_withdrawn_invitation_is_refused_with_a_message(portal_admin_client, invite):
    invitation, _ = invite("gone@acme.test")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=NOW)

    response = portal_admin_client.post(
        reverse("portal:invitation_resend", kwargs={"reference": invitation.reference}),
        follow=True,
    )

    assert "already used or withdrawn" in response.content.decode()
    assert Invitation.objects.filter(email="gone@acme.test").count() == 1


def test_users_list_searches_by_name_or_email_and_filters_by_status(
    portal_admin_client, limited_membership, inactive_membership
):
    by_name = portal_admin_client.get(reverse("portal:users"), {"q": "nico"}).content.decode()
    assert "noc@acme.test" in by_name
    assert "gone@acme.test" not in by_name

    inactive = portal_admin_client.get(
        reverse("portal:users"), {"status": "inactive"}
    ).content.decode()
    assert "gone@acme.test" in inactive
    assert "noc@acme.test" not in inactive

    nobody = portal_admin_client.get(reverse("portal:users"), {"q": "zzz"}).content.decode()
    assert "No user matches these filters." in nobody

    bad = portal_admin_client.get(reverse("portal:users"), {"status": "bogus"})
    assert bad.status_code == 400


def test_a_person_the_provider_blocked_is_not_shown_as_an_active_user(
    portal_admin_client, limited_membership
):
    """Staff blocked the person's account in admin: the membership is still active, but they
    cannot sign in, and the customer's administrator sees why."""
    limited_membership.user.is_active = False
    limited_membership.user.save(update_fields=["is_active"])

    page = portal_admin_client.get(reverse("portal:users")).content.decode()
    active = portal_admin_client.get(reverse("portal:users"), {"status": "active"}).content.decode()
    inactive = portal_admin_client.get(
        reverse("portal:users"), {"status": "inactive"}
    ).content.decode()
    edit = portal_admin_client.get(
        reverse("portal:user_edit", args=[limited_membership.reference])
    ).content.decode()
    dashboard = portal_admin_client.get(reverse("portal:dashboard")).content.decode()

    assert "Sign-in blocked by Lumen" in page
    assert "Sign-in blocked by Lumen" in edit
    assert "noc@acme.test" not in active
    assert "noc@acme.test" in inactive
    assert re.search(r'data-testid="active-users">\s*1\s*<', dashboard)


# --- inviting --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "pt-br", "en"])
def test_invitation_creates_the_row_the_audit_event_and_an_email_in_its_language(
    portal_admin_client, portal_admin_user, customer, language, django_capture_on_commit_callbacks
):
    """R-POR-5: the administrator invites by e-mail; the e-mail is in the invitation's language
    (the administrator's own interface is in English)."""
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            reverse("portal:user_invite"), _invite_data(language=language)
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:users")
    invitation = Invitation.objects.get(customer=customer, email="new.person@acme.test")
    assert invitation.role == Membership.Role.USER
    assert invitation.permissions == {
        "services": "none",
        "orders": "none",
        "tickets": "act",
        "changes": "none",
        "billing": "view",
    }
    assert invitation.language == language
    assert invitation.invited_by == portal_admin_user
    assert invitation.expires_at == datetime(2026, 3, 17, 15, 0, tzinfo=UTC)
    assert invitation.sent_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITE)
    assert (event.customer, event.actor, event.target_email) == (
        customer,
        portal_admin_user,
        "new.person@acme.test",
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@acme.test"]
    with translation.override(language):
        expected_subject = gettext(INVITE_SUBJECT) % {
            "provider": "Lumen",
            "customer": "Acme Logística",
        }
    assert message.subject == expected_subject
    if language != "en":
        english = INVITE_SUBJECT % {"provider": "Lumen", "customer": "Acme Logística"}
        assert message.subject != english, f"the invitation subject is not translated to {language}"
    assert EXPIRY_IN_LANGUAGE[language] in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert EXPIRY_IN_LANGUAGE[language] in str(html)


def test_invitation_email_link_opens_the_accept_page_for_that_address(
    portal_admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(reverse("portal:user_invite"), _invite_data(language="en"))
    links = re.findall(r"https?://\S+/invitations/\S+/", mail.outbox[0].body)
    assert len(links) == 1
    invitation = Invitation.objects.get(email="new.person@acme.test")
    token = urlsplit(links[0]).path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == Invitation.hash_token(token)  # only a hash is stored
    assert token not in invitation.token_hash

    response = Client().get(urlsplit(links[0]).path)

    assert response.status_code == 200
    assert "new.person@acme.test" in response.content.decode()
    assert response.context["invitation"] == invitation


def test_inviting_again_replaces_the_earlier_invitation(portal_admin_client, invite):
    first, _ = invite("new.person@acme.test")

    response = portal_admin_client.post(reverse("portal:user_invite"), _invite_data())

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.filter(email="new.person@acme.test", revoked_at=None).count() == 1


def test_inviting_an_administrator_grants_every_area(portal_admin_client, customer):
    """R-POR-5: administrators have every permission whatever the form says."""
    data = _invite_data(role="admin", tickets=None, billing=None)

    response = portal_admin_client.post(reverse("portal:user_invite"), data)

    assert response.status_code == 302
    invitation = Invitation.objects.get(customer=customer)
    assert invitation.role == Membership.Role.ADMIN
    assert set(invitation.permissions.values()) == {"act"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            _invite_data(email="not-an-email"), "Enter a valid email address.", id="email"
        ),
        pytest.param(_invite_data(email=""), "This field is required.", id="no-email"),
        pytest.param(
            _invite_data(email="NOC@Acme.test"),
            "noc@acme.test is already a user of Acme Logística.",
            id="already-member",
        ),
        pytest.param(
            _invite_data(email="gone@acme.test"),
            "gone@acme.test is already a user of Acme Logística.",
            id="deactivated-member",
        ),
        pytest.param(
            _invite_data(tickets="none", billing="none"),
            "A user without access to any area could not use the portal: grant at least one area.",
            id="no-area",
        ),
        pytest.param(
            _invite_data(tickets="superuser"),
            "Select a valid choice. superuser is not one of the available choices.",
            id="bogus-level",
        ),
        pytest.param(
            _invite_data(role="owner"),
            "Select a valid choice. owner is not one of the available choices.",
            id="bogus-role",
        ),
        pytest.param(
            _invite_data(language="fr"),
            "Select a valid choice. fr is not one of the available choices.",
            id="bogus-language",
        ),
    ],
)
def test_invitation_with_bad_input_is_refused_with_a_clear_message(
    portal_admin_client, limited_membership, inactive_membership, data, message
):
    """R-POR-5: bad input gets a clear message and a 400, never a 500; nothing is sent."""
    response = portal_admin_client.post(reverse("portal:user_invite"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITE).exists()
    assert mail.outbox == []


# --- editing permissions ---------------------------------------------------------------------


def test_admin_changes_a_users_permissions(
    portal_admin_client, portal_admin_user, limited_membership
):
    """R-POR-5: the administrator modifies a user's permissions; the change is audited."""
    response = portal_admin_client.post(
        _edit_url(limited_membership),
        {"role": "user", "tickets": "view", "billing": "act"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("portal:users"), 302)]
    assert "Permissions of noc@acme.test saved." in _messages(response)
    limited_membership.refresh_from_db()
    assert limited_membership.levels() == {
        "services": "none",
        "orders": "none",
        "tickets": "view",
        "changes": "none",
        "billing": "act",
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSIONS_CHANGE)
    assert event.actor == portal_admin_user
    assert event.target_email == "noc@acme.test"
    assert event.detail["before"]["tickets"] == "act"
    assert event.detail["after"]["tickets"] == "view"


def test_edit_page_shows_the_current_permissions(portal_admin_client, limited_membership):
    response = portal_admin_client.get(_edit_url(limited_membership))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["tickets"].value() == "act"
    assert form["services"].value() == "view"
    assert form["billing"].value() == "none"


def test_saving_unchanged_permissions_writes_no_audit_event(
    portal_admin_client, limited_membership
):
    response = portal_admin_client.post(
        _edit_url(limited_membership), {"role": "user", "tickets": "act", "services": "view"}
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSIONS_CHANGE).exists()


def test_promoted_user_can_then_manage_users(portal_admin_client, limited_membership):
    response = portal_admin_client.post(_edit_url(limited_membership), {"role": "admin"})

    assert response.status_code == 302
    limited_membership.refresh_from_db()
    assert limited_membership.is_admin
    promoted = Client()
    promoted.force_login(limited_membership.user)
    assert promoted.get(reverse("portal:users")).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"role": "user"},
            "A user without access to any area could not use the portal: grant at least one area.",
            id="no-area",
        ),
        pytest.param(
            {"role": "user", "tickets": "root"},
            "Select a valid choice. root is not one of the available choices.",
            id="bogus-level",
        ),
        pytest.param(
            {"role": "superuser", "tickets": "act"},
            "Select a valid choice. superuser is not one of the available choices.",
            id="bogus-role",
        ),
    ],
)
def test_nonsense_permission_set_is_refused_and_nothing_changes(
    portal_admin_client, limited_membership, data, message
):
    """R-POR-5: a permission set that makes no sense is refused with a message, never a 500."""
    response = portal_admin_client.post(_edit_url(limited_membership), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    limited_membership.refresh_from_db()
    assert limited_membership.tickets == Level.ACT
    assert limited_membership.services == Level.VIEW
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSIONS_CHANGE).exists()


# --- the last administrator ------------------------------------------------------------------

LAST_ADMIN = (
    "Acme Logística needs at least one active portal administrator: appoint another one first."
)


def test_demoting_the_last_active_administrator_is_refused(portal_admin_client, admin_membership):
    """R-POR-5: a customer always keeps one active portal administrator."""
    response = portal_admin_client.post(
        _edit_url(admin_membership), {"role": "user", "tickets": "act"}
    )

    assert response.status_code == 400
    assert LAST_ADMIN in response.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.is_admin


def test_deactivating_the_last_active_administrator_is_refused(
    portal_admin_client, admin_membership
):
    """R-POR-5: a customer always keeps one active portal administrator."""
    response = portal_admin_client.post(_action_url("deactivate", admin_membership), follow=True)

    assert response.redirect_chain == [(_edit_url(admin_membership), 302)]
    assert LAST_ADMIN in response.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.is_active
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DEACTIVATE).exists()


@pytest.mark.parametrize("how", ["membership-deactivated", "account-disabled"])
def test_an_inactive_second_administrator_does_not_count(
    portal_admin_client, admin_membership, customer, how
):
    """R-POR-5: only an *active* administrator can take over."""
    second = MembershipFactory(customer=customer, admin=True, user__email="second@acme.test")
    if how == "membership-deactivated":
        second.is_active = False
        second.save()
    else:
        second.user.is_active = False
        second.user.save()

    response = portal_admin_client.post(
        _edit_url(admin_membership), {"role": "user", "tickets": "act"}
    )

    assert response.status_code == 400
    assert LAST_ADMIN in response.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.is_admin


def test_an_administrator_may_step_down_when_another_is_active(
    portal_admin_client, admin_membership, customer
):
    MembershipFactory(customer=customer, admin=True, user__email="second@acme.test")

    response = portal_admin_client.post(
        _edit_url(admin_membership), {"role": "user", "tickets": "act"}
    )

    assert response.status_code == 302
    admin_membership.refresh_from_db()
    assert not admin_membership.is_admin


def test_an_administrator_may_deactivate_another_administrator(
    portal_admin_client, customer, django_capture_on_commit_callbacks
):
    second = MembershipFactory(customer=customer, admin=True, user__email="second@acme.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(_action_url("deactivate", second))

    assert response.status_code == 302
    second.refresh_from_db()
    assert not second.is_active


# --- deactivating and reactivating -----------------------------------------------------------


def test_deactivating_a_user_ends_their_sessions_at_once(
    portal_admin_client,
    portal_admin_user,
    limited_membership,
    sign_in,
    django_capture_on_commit_callbacks,
):
    """Issue 2 section 6: deactivation ends the person's sessions at once."""
    person = Client()
    assert sign_in(person, "noc@acme.test").status_code == 302
    assert person.get("/").status_code == 200
    assert UserSession.objects.filter(user=limited_membership.user).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            _action_url("deactivate", limited_membership), follow=True
        )

    assert "noc@acme.test can no longer use this portal." in _messages(response)
    limited_membership.refresh_from_db()
    assert not limited_membership.is_active
    assert not UserSession.objects.filter(user=limited_membership.user).exists()
    response = person.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATE)
    assert (event.actor, event.target_email) == (portal_admin_user, "noc@acme.test")
    # The administrator's own session is untouched.
    assert portal_admin_client.get("/").status_code == 200


def test_deactivated_user_signing_in_again_cannot_use_that_customer(
    portal_admin_client, limited_membership, sign_in, django_capture_on_commit_callbacks
):
    """Issue 2 section 6: a deactivated person can no longer sign in to this customer."""
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_action_url("deactivate", limited_membership))
    person = Client()

    response = sign_in(person, "noc@acme.test")
    wrong = sign_in(person, "noc@acme.test", "not-the-password")

    # Refused at the door (R-POR-5) exactly like a wrong password (issue 13 section 5: the
    # right password earns no page of its own), and no session to use afterwards.
    assert response.status_code == wrong.status_code == 400
    assert response.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert "Acme Logística" not in response.content.decode()
    assert person.get("/").url.startswith("/accounts/login/")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_IN_FAILED, target_email="noc@acme.test"
    ).exists()


def test_deactivated_user_keeps_their_other_customer_but_not_this_one(
    portal_admin_client,
    limited_membership,
    other_customer,
    sign_in,
    django_capture_on_commit_callbacks,
):
    MembershipFactory(user=limited_membership.user, customer=other_customer, tickets=Level.VIEW)
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_action_url("deactivate", limited_membership))
    person = Client()
    sign_in(person, "noc@acme.test")

    response = person.get("/")
    switch = person.post(
        reverse("portal:customer_switch"), {"membership": str(limited_membership.reference)}
    )

    assert response.status_code == 200
    assert response.context["active_customer"] == other_customer
    assert switch.status_code == 404
    assert person.get("/").context["active_customer"] == other_customer


def test_reactivated_user_can_use_the_customer_again(
    portal_admin_client, portal_admin_user, inactive_membership, sign_in
):
    """R-POR-5: the administrator reactivates a deactivated user."""
    response = portal_admin_client.post(_action_url("reactivate", inactive_membership), follow=True)

    assert "gone@acme.test can use this portal again." in _messages(response)
    inactive_membership.refresh_from_db()
    assert inactive_membership.is_active
    event = AuditEvent.objects.get(action=AuditEvent.Action.REACTIVATE)
    assert (event.actor, event.target_email) == (portal_admin_user, "gone@acme.test")
    person = Client()
    sign_in(person, "gone@acme.test")
    dashboard = person.get("/")
    assert dashboard.status_code == 200
    assert dashboard.context["active_customer"] == inactive_membership.customer


def test_edit_page_offers_reactivation_for_a_deactivated_user(
    portal_admin_client, inactive_membership
):
    body = portal_admin_client.get(_edit_url(inactive_membership)).content.decode()

    assert _action_url("reactivate", inactive_membership) in body
    assert _action_url("deactivate", inactive_membership) not in body


# --- invitations -----------------------------------------------------------------------------


def test_admin_revokes_a_pending_invitation(portal_admin_client, portal_admin_user, invite):
    """R-POR-5: a withdrawn invitation leaves the list and its link stops working."""
    invitation, token = invite("pending.person@acme.test")

    response = portal_admin_client.post(
        reverse("portal:invitation_revoke", kwargs={"reference": invitation.reference}),
        follow=True,
    )

    assert "The invitation to pending.person@acme.test was withdrawn." in _messages(response)
    assert 'data-testid="invitation-row"' not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITE_REVOKE)
    assert (event.actor, event.target_email) == (portal_admin_user, "pending.person@acme.test")
    link = Client().get(reverse("portal:invitation_accept", kwargs={"token": token}))
    assert link.status_code == 410


# --- tenant isolation ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_customers_membership_cannot_be_edited(
    portal_admin_client, other_membership, method
):
    """Tenancy: another customer's object is 404, never 403."""
    response = getattr(portal_admin_client, method)(
        _edit_url(other_membership), {"role": "user", "tickets": "view"}
    )

    assert response.status_code == 404
    other_membership.refresh_from_db()
    assert other_membership.is_admin


def test_another_customers_membership_cannot_be_deactivated(portal_admin_client, other_membership):
    response = portal_admin_client.post(_action_url("deactivate", other_membership))

    assert response.status_code == 404
    other_membership.refresh_from_db()
    assert other_membership.is_active
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DEACTIVATE).exists()


def test_another_customers_membership_cannot_be_reactivated(portal_admin_client, other_customer):
    foreign = MembershipFactory(customer=other_customer, tickets=Level.VIEW, is_active=False)

    response = portal_admin_client.post(_action_url("reactivate", foreign))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_active


def test_another_customers_invitation_cannot_be_revoked(
    portal_admin_client, invite, other_customer, other_user
):
    foreign, _token = invite("someone@globex.test", customer=other_customer, actor=other_user)

    response = portal_admin_client.post(
        reverse("portal:invitation_revoke", kwargs={"reference": foreign.reference})
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_invitation_is_created_only_in_the_active_customer(
    portal_admin_client, customer, other_customer
):
    portal_admin_client.post(reverse("portal:user_invite"), _invite_data())

    assert Invitation.objects.get(email="new.person@acme.test").customer == customer
    assert not Invitation.objects.filter(customer=other_customer).exists()


def test_inviting_does_not_touch_another_customers_invitation_to_the_same_address(
    portal_admin_client, invite, other_customer, other_user
):
    """Tenancy: a new invitation replaces only the same customer's earlier one."""
    foreign, _token = invite("shared@example.com", customer=other_customer, actor=other_user)

    response = portal_admin_client.post(
        reverse("portal:user_invite"), _invite_data(email="shared@example.com")
    )

    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
