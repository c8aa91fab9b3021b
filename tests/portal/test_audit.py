"""The audit log (issue 2 section 6): every user-administration action and every sign-in is
written with who, what, whom, when and from where; administrators read and filter their own
customer's events; staff read them in the Django admin and can never edit them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Level
from tests.conftest import staff_login
from tests.factories import MembershipFactory, UserFactory

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
IP = "198.51.100.7"
CLIENT = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": "AuditTest/1.0"}
ACCEPT = {
    "full_name": "Iris Invitee",
    "password1": "violet-lantern-harbour-42",
    "password2": "violet-lantern-harbour-42",
}
Action = AuditEvent.Action


def _only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, f"{len(events)} {action} events"
    return events[0]


def _assert_event(event, *, customer, actor, target_email):
    assert event.customer == customer
    assert event.actor == actor
    assert event.actor_email == actor.email
    assert event.target_email == target_email
    assert event.created_at == NOW
    assert event.ip_address == IP
    assert event.user_agent == "AuditTest/1.0"


def _rows(response) -> int:
    return response.content.decode().count('data-testid="audit-row"')


# --- each action writes an event -------------------------------------------------------------


def test_invitation_is_audited(portal_admin_client, portal_admin_user, customer):
    with time_machine.travel(NOW, tick=False):
        portal_admin_client.post(
            reverse("portal:user_invite"),
            {"email": "new@acme.test", "language": "en", "role": "user", "tickets": "view"},
            **CLIENT,
        )

    event = _only_event(Action.INVITE)
    _assert_event(event, customer=customer, actor=portal_admin_user, target_email="new@acme.test")
    assert event.detail["role"] == "user"
    assert event.detail["permissions"]["tickets"] == "view"


def test_accepting_an_invitation_is_audited(client, invite, customer):
    _invitation, token = invite("invitee@acme.test")

    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("portal:invitation_accept", kwargs={"token": token}), ACCEPT, **CLIENT
        )

    assert response.status_code == 302
    event = _only_event(Action.INVITE_ACCEPT)
    _assert_event(event, customer=customer, actor=event.actor, target_email="invitee@acme.test")
    assert event.actor.email == "invitee@acme.test"


def test_permission_change_is_audited_with_before_and_after(
    portal_admin_client, portal_admin_user, customer, limited_membership
):
    with time_machine.travel(NOW, tick=False):
        portal_admin_client.post(
            reverse("portal:user_edit", kwargs={"reference": limited_membership.reference}),
            {"role": "user", "tickets": "view", "orders": "act"},
            **CLIENT,
        )

    event = _only_event(Action.PERMISSIONS_CHANGE)
    _assert_event(event, customer=customer, actor=portal_admin_user, target_email="noc@acme.test")
    assert event.detail["before"] == {
        "role": "user",
        "services": "view",
        "orders": "none",
        "tickets": "act",
        "changes": "none",
        "billing": "none",
    }
    assert event.detail["after"] == {
        "role": "user",
        "services": "none",
        "orders": "act",
        "tickets": "view",
        "changes": "none",
        "billing": "none",
    }


@pytest.mark.parametrize(
    ("url_name", "action", "target"),
    [
        ("portal:user_deactivate", Action.DEACTIVATE, "limited"),
        ("portal:user_reactivate", Action.REACTIVATE, "inactive"),
    ],
)
def test_deactivation_and_reactivation_are_audited(
    portal_admin_client,
    portal_admin_user,
    customer,
    limited_membership,
    inactive_membership,
    django_capture_on_commit_callbacks,
    url_name,
    action,
    target,
):
    membership = {"limited": limited_membership, "inactive": inactive_membership}[target]

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        portal_admin_client.post(
            reverse(url_name, kwargs={"reference": membership.reference}), **CLIENT
        )

    event = _only_event(action)
    _assert_event(
        event, customer=customer, actor=portal_admin_user, target_email=membership.user.email
    )


def test_repeating_a_deactivation_writes_no_second_event(
    portal_admin_client, limited_membership, django_capture_on_commit_callbacks
):
    url = reverse("portal:user_deactivate", kwargs={"reference": limited_membership.reference})
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(url)
        portal_admin_client.post(url)

    assert AuditEvent.objects.filter(action=Action.DEACTIVATE).count() == 1


def test_revoking_an_invitation_is_audited(
    portal_admin_client, portal_admin_user, customer, invite
):
    invitation, _token = invite("invitee@acme.test")

    with time_machine.travel(NOW, tick=False):
        portal_admin_client.post(
            reverse("portal:invitation_revoke", kwargs={"reference": invitation.reference}),
            **CLIENT,
        )

    event = _only_event(Action.INVITE_REVOKE)
    _assert_event(
        event, customer=customer, actor=portal_admin_user, target_email="invitee@acme.test"
    )


def test_sign_in_is_audited_for_each_customer_of_the_person(
    client, limited_user, customer, other_customer, sign_in
):
    """Each customer's administrators see the sign-ins of their people."""
    MembershipFactory(user=limited_user, customer=other_customer, tickets=Level.VIEW)

    with time_machine.travel(NOW, tick=False):
        response = sign_in(client, "noc@acme.test", **CLIENT)

    assert response.status_code == 302
    events = AuditEvent.objects.filter(action=Action.SIGN_IN).order_by("customer__display_name")
    assert [event.customer for event in events] == [customer, other_customer]
    for event in events:
        _assert_event(
            event, customer=event.customer, actor=limited_user, target_email="noc@acme.test"
        )


def test_failed_sign_in_is_audited(client, limited_user, customer, sign_in):
    with time_machine.travel(NOW, tick=False):
        response = sign_in(client, "noc@acme.test", "wrong-password-123", **CLIENT)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    event = _only_event(Action.SIGN_IN_FAILED)
    assert event.customer == customer
    assert event.target_email == "noc@acme.test"
    assert (event.created_at, event.ip_address) == (NOW, IP)
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()


def test_failed_sign_in_for_an_unknown_address_writes_no_customer_event(client, customer, sign_in):
    sign_in(client, "nobody@acme.test", "wrong-password-123")

    assert not AuditEvent.objects.filter(customer=customer).exists()


def test_audit_page_shows_who_what_whom_and_from_where(portal_admin_client, limited_membership):
    portal_admin_client.post(
        reverse("portal:user_deactivate", kwargs={"reference": limited_membership.reference}),
        **CLIENT,
    )

    response = portal_admin_client.get(reverse("portal:audit"))

    body = response.content.decode()
    assert response.status_code == 200
    assert _rows(response) == 1
    assert "admin@acme.test" in body
    assert "Deactivated a user" in body
    assert "noc@acme.test" in body
    assert IP in body


# --- filtering -------------------------------------------------------------------------------


@pytest.fixture
def history(customer, other_customer):
    """Acme events on three days (noon in Buenos Aires), and Globex events that must never show."""

    def event(action, actor, target, day, customer=customer, hour_utc=15):
        return AuditEvent.objects.create(
            customer=customer,
            actor_email=actor,
            action=action,
            target_email=target,
            created_at=datetime(2026, 3, day, hour_utc, 0, tzinfo=UTC),
        )

    event(Action.INVITE, "admin@acme.test", "ana@acme.test", 2)
    event(Action.INVITE, "admin@acme.test", "bruno@acme.test", 5)
    event(Action.DEACTIVATE, "admin@acme.test", "noc@acme.test", 5)
    event(Action.SIGN_IN, "noc@acme.test", "noc@acme.test", 9)
    # 02:00 UTC on the 10th is still the 9th (23:00) in Buenos Aires.
    event(Action.SIGN_IN_FAILED, "noc@acme.test", "noc@acme.test", 10, hour_utc=2)
    for day in (2, 5, 9):
        event(Action.INVITE, "spy@globex.test", "noc@acme.test", day, customer=other_customer)
    AuditEvent.objects.create(action=Action.SIGN_IN, actor_email="tsc@provider.test")


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        pytest.param({}, 5, id="everything"),
        pytest.param({"action": Action.INVITE}, 2, id="action"),
        pytest.param({"person": "noc@acme"}, 3, id="person-as-actor-or-target"),
        pytest.param({"person": "NOC@ACME.TEST"}, 3, id="person-any-case"),
        pytest.param({"person": "bruno"}, 1, id="person-part"),
        pytest.param({"since": "2026-03-05"}, 4, id="since"),
        pytest.param({"until": "2026-03-05"}, 3, id="until-includes-the-whole-day"),
        pytest.param({"since": "2026-03-05", "until": "2026-03-05"}, 2, id="one-day"),
        pytest.param({"since": "2026-03-09", "until": "2026-03-09"}, 2, id="customer-timezone"),
        pytest.param({"since": "2026-03-10"}, 0, id="nothing-yet"),
        pytest.param(
            {"action": Action.INVITE, "person": "ana", "until": "2026-03-02"}, 1, id="combined"
        ),
    ],
)
def test_audit_page_filters_by_action_person_and_date_range(
    portal_admin_client, history, query, rows
):
    """Dates are whole days in the viewer's timezone (here the customer's, Buenos Aires)."""
    response = portal_admin_client.get(reverse("portal:audit"), query)

    assert response.status_code == 200
    assert _rows(response) == rows
    assert "spy@globex.test" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param(
            {"since": "2026-03-09", "until": "2026-03-01"},
            "The end date must be on or after the start date.",
            id="reversed-range",
        ),
        pytest.param({"since": "2026-02-30"}, "Enter a valid date.", id="impossible-date"),
        pytest.param({"until": "yesterday"}, "Enter a valid date.", id="not-a-date"),
        pytest.param(
            {"action": "drop_table"},
            "Select a valid choice. drop_table is not one of the available choices.",
            id="unknown-action",
        ),
    ],
)
def test_bad_audit_filter_is_a_400_with_a_message(portal_admin_client, history, query, message):
    response = portal_admin_client.get(reverse("portal:audit"), query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "spy@globex.test" not in response.content.decode()


def test_another_customers_events_are_never_shown(portal_admin_client, history):
    """Tenancy: even a search for the other customer's people finds nothing."""
    response = portal_admin_client.get(reverse("portal:audit"), {"person": "globex"})

    assert response.status_code == 200
    assert _rows(response) == 0
    assert (
        "tsc@provider.test" not in portal_admin_client.get(reverse("portal:audit")).content.decode()
    )


def test_audit_page_follows_the_active_customer(
    portal_admin_client, portal_admin_user, other_customer, history
):
    globex = MembershipFactory(user=portal_admin_user, customer=other_customer, admin=True)
    portal_admin_client.post(
        reverse("portal:customer_switch"), {"membership": str(globex.reference)}
    )

    response = portal_admin_client.get(reverse("portal:audit"), {"action": Action.INVITE})

    body = response.content.decode()
    assert _rows(response) == 3
    assert "spy@globex.test" in body
    assert "bruno@acme.test" not in body


def test_audit_pages_keep_the_filter(portal_admin_client, customer):
    start = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            customer=customer,
            action=Action.SIGN_IN,
            actor_email="noc@acme.test",
            created_at=start + timedelta(minutes=i),
        )
        for i in range(60)
    )

    first = portal_admin_client.get(reverse("portal:audit"), {"action": Action.SIGN_IN})
    second = portal_admin_client.get(reverse("portal:audit"), {"action": Action.SIGN_IN, "page": 2})

    assert _rows(first) == 50
    assert _rows(second) == 10
    assert re.search(r'href="\?action=sign_in&amp;page=2"', first.content.decode())


def test_audit_log_is_for_administrators_only(limited_client):
    """R-POR-5: users without the administrator role cannot read the audit log."""
    assert limited_client.get(reverse("portal:audit")).status_code == 403


# --- staff in the Django admin ---------------------------------------------------------------


@pytest.fixture
def audit_event(customer, portal_admin_user):
    return AuditEvent.objects.create(
        customer=customer,
        actor=portal_admin_user,
        actor_email=portal_admin_user.email,
        action=Action.DEACTIVATE,
        target_email="noc@acme.test",
        ip_address=IP,
    )


def test_staff_read_the_audit_log_in_the_admin(tsc_client, audit_event):
    """Issue 2 section 8: staff read the audit log (read only)."""
    listing = tsc_client.get("/admin/portal/auditevent/")
    detail = tsc_client.get(f"/admin/portal/auditevent/{audit_event.pk}/change/")

    assert listing.status_code == 200
    assert "noc@acme.test" in listing.content.decode()
    assert IP in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_staff_filter_the_audit_log_in_the_admin(tsc_client, audit_event, customer):
    AuditEvent.objects.create(customer=customer, action=Action.SIGN_IN, actor_email="x@acme.test")

    response = tsc_client.get("/admin/portal/auditevent/", {"action__exact": Action.DEACTIVATE})

    assert response.status_code == 200
    assert "noc@acme.test" in response.content.decode()
    assert "x@acme.test" not in response.content.decode()


@pytest.mark.parametrize("persona", ["tsc", "superuser"])
def test_nobody_can_add_change_or_delete_audit_events_in_the_admin(
    tsc_client, audit_event, persona
):
    """The audit log is evidence: not even a superuser edits it."""
    if persona == "superuser":
        client = Client()
        staff_login(
            client, UserFactory(email="root@provider.test", is_staff=True, is_superuser=True)
        )
    else:
        client = tsc_client
    change = f"/admin/portal/auditevent/{audit_event.pk}/change/"

    add = client.get("/admin/portal/auditevent/add/")
    edit = client.post(change, {"action": Action.SIGN_IN, "target_email": "forged@acme.test"})
    delete = client.post(f"/admin/portal/auditevent/{audit_event.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/portal/auditevent/",
        {"action": "delete_selected", "_selected_action": [audit_event.pk], "post": "yes"},
    )

    assert add.status_code == 403
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code == 200  # no delete action is offered: the list is shown again
    audit_event.refresh_from_db()
    assert audit_event.action == Action.DEACTIVATE
    assert audit_event.target_email == "noc@acme.test"


def test_staff_without_a_team_group_cannot_read_the_audit_log(client, staff_user, audit_event):
    staff_login(client, staff_user)

    assert client.get("/admin/portal/auditevent/").status_code == 403
