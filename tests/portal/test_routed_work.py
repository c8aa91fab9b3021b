"""Work the portal routes to the provider by e-mail never goes to nobody: an escalation or a
customer's reply on a ticket (R-TT), a request outside the change catalog (R-CHG-6), a billing
request (R-TEAM-5). With no person or mailbox configured it goes to SUPPORT_FALLBACK_MAILBOX, the
mailboxes fall back to it in settings, and `check --deploy` fails while any of them is empty."""

import re

import pytest
from django.core import mail

from changes.models import ChangeRequest
from core.models import Notification
from tests.factories import ticket_open_for
from tests.portal.settings_env import _manage
from tickets.services import ticket_escalate, ticket_reply

pytestmark = pytest.mark.django_db

FALLBACK = "support@provider.test"
ROUTING = (
    "TSC_MAILBOX",
    "SERVICE_MANAGEMENT_MAILBOX",
    "CHANGE_MANAGEMENT_MAILBOX",
    "BILLING_MAILBOX",
    "TEAM_MAILBOX",
)


@pytest.fixture
def nobody_configured(settings):
    """No mailbox of any kind, no account team: only the fallback."""
    for name in ROUTING:
        setattr(settings, name, "")
    settings.SUPPORT_FALLBACK_MAILBOX = FALLBACK


@pytest.fixture
def ticket(customer, limited_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opened = ticket_open_for(customer, limited_user)
    mail.outbox.clear()
    return opened


def _to(message) -> str:
    return message.to[0].split("<")[-1].rstrip(">")


def test_an_escalation_with_no_tsc_mailbox_and_no_team_lead_reaches_the_fallback_mailbox(
    nobody_configured, ticket, limited_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_escalate(ticket=ticket, actor=limited_user, reason="All our stores are offline")

    assert [_to(message) for message in mail.outbox] == [FALLBACK]
    row = Notification.objects.get(template="tickets/escalated")
    assert row.reason == Notification.Reason.STAFF


def test_a_customer_reply_on_an_unassigned_ticket_reaches_the_fallback_mailbox(
    nobody_configured, ticket, limited_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, author=limited_user, body="The router is back on")

    assert [_to(message) for message in mail.outbox] == [FALLBACK]


def test_a_request_outside_the_catalog_with_nobody_configured_reaches_the_fallback_mailbox(
    nobody_configured, portal_admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            "/changes/other/", {"description": "Move a rack"}, follow=True
        )

    change = ChangeRequest.objects.get()
    assert change.routed_to == FALLBACK
    assert FALLBACK in [_to(message) for message in mail.outbox]
    text = re.sub(r"\s+", " ", response.content.decode())
    assert f"Request {change.number} went to Service Management, who will contact you" in text
    assert "went to ," not in text


def test_the_customer_never_reads_went_to_nobody(settings, portal_admin_client):
    """Even with no address at all (a development set-up), the request is with Service
    Management, who see it in the staff administration, and the sentences say so."""
    for name in (*ROUTING, "SUPPORT_FALLBACK_MAILBOX"):
        setattr(settings, name, "")

    response = portal_admin_client.post(
        "/changes/other/", {"description": "Move a rack"}, follow=True
    )

    text = re.sub(r"\s+", " ", response.content.decode())
    number = ChangeRequest.objects.get().number
    assert f"Request {number} went to Service Management, who will contact you" in text
    assert "Sent to Service Management" in text
    assert "went to ," not in text
    assert "Sent to <" not in text
    detail = re.sub(r"\s+", " ", portal_admin_client.get(f"/changes/{number}/").content.decode())
    assert "Sent to Service Management" in detail


def test_a_billing_request_with_no_billing_mailbox_reaches_the_fallback_mailbox(
    nobody_configured, customer
):
    from billing.services import billing_care_email

    assert billing_care_email(customer) == FALLBACK


# --- settings and the deploy check ------------------------------------------------------------


def _mailboxes(env) -> dict[str, str]:
    code = "from django.conf import settings; " + "; ".join(
        f"print('{name}=' + settings.{name})" for name in ROUTING
    )
    result = _manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.split() if "_MAILBOX=" in line)


def test_every_unset_routing_mailbox_falls_back_to_the_support_mailbox(production_env):  # noqa: F811
    production_env.update(SUPPORT_FALLBACK_MAILBOX=FALLBACK, TSC_MAILBOX="tsc@provider.test")

    assert _mailboxes(production_env) == {
        "TSC_MAILBOX": "tsc@provider.test",
        **{name: FALLBACK for name in ROUTING if name != "TSC_MAILBOX"},
    }


def test_the_deploy_check_fails_while_a_routing_mailbox_is_unset(production_env):  # noqa: F811
    production_env.pop("SUPPORT_FALLBACK_MAILBOX", None)
    production_env.update(TSC_MAILBOX="tsc@provider.test", BILLING_MAILBOX="billing@provider.test")

    result = _manage(production_env, "check", "--deploy")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "portal.E001" in output
    assert "SERVICE_MANAGEMENT_MAILBOX, CHANGE_MANAGEMENT_MAILBOX, TEAM_MAILBOX not set" in output
    assert "SUPPORT_FALLBACK_MAILBOX" in output


# --- staff find escalated tickets ---------------------------------------------------------------


def test_staff_filter_the_tickets_list_by_escalation(customer, limited_user, settings, tsc_client):
    from django.urls import reverse

    from tickets.services import ticket_cancel

    settings.TSC_MAILBOX = "tsc@provider.test"
    quiet = ticket_open_for(customer, limited_user)
    loud = ticket_open_for(customer, limited_user)
    ticket_escalate(ticket=loud, actor=limited_user, reason="All stores offline")
    settled = ticket_open_for(customer, limited_user)
    ticket_escalate(ticket=settled, actor=limited_user, reason="Still down")
    ticket_cancel(ticket=settled, actor=limited_user)
    client = tsc_client

    def listed(value: str) -> set[str]:
        response = client.get(reverse("admin:tickets_ticket_changelist"), {"escalated": value})
        assert response.status_code == 200
        return {ticket.number for ticket in response.context["cl"].result_list}

    assert listed("open") == {loud.number}
    assert listed("yes") == {loud.number, settled.number}
    assert listed("no") == {quiet.number}
    page = client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert "?escalated=open" in page
