"""The audit page's filters refuse impossible dates cleanly, and its Detail column says what
changed: permission changes (field, before → after), an invitation's grant and its resend."""

import re

import pytest
from django.urls import reverse

from core import services
from core.models import AuditEvent, Level

Action = AuditEvent.Action
DATE_BOUNDS = "Enter a date between the years 2000 and 2100."


def _rows(response) -> int:
    return response.content.decode().count('data-testid="audit-row"')


def _detail_lines(html: str) -> list[str]:
    """Each line of the Detail column, whitespace collapsed."""
    cells = re.findall(r'<td data-label="Detail">(.*?)</td>', html, re.S)
    lines = [line for cell in cells for line in re.findall(r"<div>(.*?)</div>", cell, re.S)]
    return [" ".join(line.split()) for line in lines]


def _granted(lines: list[str], field: str, level: str) -> bool:
    """An invitation's grant: "Field: Level" (or "Field: → Level", nothing before)."""
    return any(re.fullmatch(rf"{field}: (→ )?{level}", line) for line in lines)


@pytest.fixture
def some_events(customer, portal_admin_user, limited_user):
    for action in (Action.SIGN_IN, Action.SIGN_OUT, Action.SWITCH_CUSTOMER):
        services.audit_record(
            action=action,
            customer=customer,
            actor=portal_admin_user,
            target_email=limited_user.email,
        )


# --- 12. filters --------------------------------------------------------------------------------


def test_audit_page_lists_the_events_without_filters(portal_admin_client, some_events):
    response = portal_admin_client.get("/audit/")

    assert response.status_code == 200
    assert _rows(response) == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("until", "9999-12-31"), ("since", "0001-01-01"), ("since", "1999-12-31")],
)
def test_audit_dates_outside_2000_to_2100_are_refused_with_400_and_no_rows(
    portal_admin_client, some_events, field, value
):
    response = portal_admin_client.get("/audit/", {field: value})

    assert response.status_code == 400
    assert DATE_BOUNDS in response.content.decode()
    assert _rows(response) == 0


def test_audit_dates_at_the_bounds_are_accepted(portal_admin_client, some_events):
    response = portal_admin_client.get("/audit/", {"since": "2000-01-01", "until": "2100-12-31"})

    assert response.status_code == 200
    assert DATE_BOUNDS not in response.content.decode()
    assert _rows(response) == 3


@pytest.mark.parametrize(
    "query",
    [
        {"action": "bogus"},
        {"since": "2026-03-10", "until": "2026-03-01"},
        {"since": "not-a-date"},
        {"action": "sign_in", "until": "9999-12-31"},
    ],
    ids=["unknown-action", "since-after-until", "malformed-date", "one-bad-of-two"],
)
def test_invalid_audit_filter_shows_no_rows_rather_than_unfiltered_results(
    portal_admin_client, some_events, query
):
    response = portal_admin_client.get("/audit/", query)

    assert response.status_code == 400
    assert _rows(response) == 0
    assert "No events match these filters." in response.content.decode()


# --- 13. the Detail column ----------------------------------------------------------------------


def test_audit_detail_shows_a_portal_permission_change_as_before_and_after(
    portal_admin_client, limited_membership
):
    response = portal_admin_client.post(
        reverse("portal:user_edit", kwargs={"reference": limited_membership.reference}),
        {"role": "user", "tickets": "view", "services": "view", "billing": "act"},
    )
    assert response.status_code == 302

    body = portal_admin_client.get(
        "/audit/", {"action": Action.PERMISSIONS_CHANGE}
    ).content.decode()

    assert body.count('data-testid="audit-row"') == 1
    assert "Changed permissions" in body
    assert sorted(_detail_lines(body)) == [
        "Billing: No access → View and act",
        "Trouble tickets: View and act → View",
    ]  # unchanged areas (services: view) are not listed


def test_audit_detail_shows_the_permissions_an_invitation_grants(portal_admin_client):
    response = portal_admin_client.post(
        reverse("portal:user_invite"),
        {
            "email": "new.person@acme.test",
            "full_name": "Nora New",
            "language": "en",
            "role": "user",
            "tickets": "act",
            "billing": "view",
        },
    )
    assert response.status_code == 302

    body = portal_admin_client.get("/audit/", {"action": Action.INVITE}).content.decode()

    assert body.count('data-testid="audit-row"') == 1
    assert "Invited a user" in body
    lines = _detail_lines(body)
    assert len(lines) == 3, lines  # areas without access are left out
    assert _granted(lines, "Role", "User")
    assert _granted(lines, "Trouble tickets", "View and act")
    assert _granted(lines, "Billing", "View")


def test_resending_an_invitation_is_audited_as_a_resend_with_its_grant(
    portal_admin_client, invite, portal_admin_user, customer, django_capture_on_commit_callbacks
):
    invitation, _token = invite("late@acme.test", permissions={"orders": Level.VIEW})

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            reverse("portal:invitation_resend", kwargs={"reference": invitation.reference})
        )

    assert response.status_code == 302
    resend = AuditEvent.objects.get(action=Action.INVITE_RESEND)
    assert resend.customer == customer
    assert resend.actor == portal_admin_user
    assert resend.target_email == "late@acme.test"
    assert AuditEvent.objects.filter(action=Action.INVITE).count() == 1
    body = portal_admin_client.get("/audit/", {"action": Action.INVITE_RESEND}).content.decode()
    assert body.count('data-testid="audit-row"') == 1
    assert "Re-sent an invitation" in body
    assert _granted(_detail_lines(body), "Orders", "View")
