"""The rules of tickets.services (R-TT-1..4) outside the clock arithmetic.

The clock arithmetic is in tests/tickets/test_sla.py.
"""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.errors import DomainError
from core.models import Notification, Service
from team.models import TeamAssignment, TeamRole
from tests.factories import (
    NotificationContactFactory,
    ServiceFactory,
    TeamPersonFactory,
    ticket_open_for,
)
from tickets.models import Message, PauseInterval, SlaTarget, Ticket
from tickets.services import (
    ticket_cancel,
    ticket_escalate,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_resume,
    ticket_wait_for_customer,
    ticket_watcher_add,
    tickets_close_resolved,
)
from tickets.services.watchers import ticket_watcher_confirm, watcher_confirmation_token

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


@pytest.fixture
def ticket(customer, limited_user, send):
    with time_machine.travel(T0, tick=False):
        return send(ticket_open_for, customer=customer, user=limited_user)


def test_a_ticket_gets_a_six_digit_number_and_a_copy_of_the_targets(ticket):
    assert ticket.number == f"TT-{T0.year}-000001"
    assert (ticket.response_target, ticket.restoration_target) == (
        timedelta(minutes=15),
        timedelta(hours=4),
    )
    assert ticket.restoration_deadline == T0 + timedelta(hours=4)
    assert ticket.requester == ticket.opened_by
    assert ticket.messages.get().status == "open"


def test_opening_notifies_the_ticket_contacts_and_the_requester_only(customer, limited_user, send):
    NotificationContactFactory(
        customer=customer, email="noc-lead@acme.test", orders=False, tickets=True
    )
    NotificationContactFactory(customer=customer, email="orders-only@acme.test")
    send(ticket_open_for, customer=customer, user=limited_user)
    to = sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox)
    assert to == sorted(["noc-lead@acme.test", limited_user.email])
    assert set(Notification.objects.values_list("reason", flat=True)) == {"contact", "requester"}


def test_a_ticket_needs_a_live_service_of_the_customer(customer, other_customer, limited_user):
    with pytest.raises(DomainError) as error:
        ticket_open_for(customer, limited_user, service=ServiceFactory(customer=other_customer))
    assert error.value.field == "services"
    gone = ServiceFactory(customer=customer, status=Service.Status.DISCONNECTED)
    with pytest.raises(DomainError):
        ticket_open_for(customer, limited_user, service=gone)
    with pytest.raises(DomainError):
        ticket_open_for(
            customer, limited_user, problem_started_at=timezone.now() + timedelta(hours=1)
        )
    assert not Ticket.objects.exists()


def test_waiting_needs_a_reason_and_an_open_ticket(ticket, staff_user):
    """R-TT-3: the wait has a reason; only one pause runs at a time."""
    with pytest.raises(DomainError) as error:
        ticket_wait_for_customer(ticket=ticket, reason="lunch", actor=staff_user)
    assert error.value.rule == "R-TT-3"
    ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=staff_user)
    with pytest.raises(DomainError):
        ticket_wait_for_customer(ticket=ticket, reason="information", actor=staff_user)
    assert PauseInterval.objects.filter(ticket=ticket, ended_at__isnull=True).count() == 1


def test_a_customer_reply_ends_the_wait_and_tells_the_assignee(
    ticket, staff_user, limited_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    ticket_wait_for_customer(ticket=ticket, reason="contact_unreachable", actor=staff_user)
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=limited_user, body="Call Marta on +54 11 5555 0102")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.pauses.get().ended_at is not None
    assert [m.to for m in mail.outbox] == [["tsc-queue@provider.test"]]


def test_staff_may_end_the_wait_themselves(ticket, staff_user):
    ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=staff_user)
    ticket_resume(ticket=ticket, actor=staff_user)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.pauses.get().ended_by == staff_user
    with pytest.raises(DomainError):
        ticket_resume(ticket=ticket, actor=staff_user)


def test_an_internal_note_reaches_no_customer(ticket, staff_user, limited_user, send):
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=staff_user, body="Carrier X is flaky", internal=True)
    assert mail.outbox == []
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not a response to the customer
    with pytest.raises(DomainError):
        ticket_reply(ticket=ticket, author=limited_user, body="sneaky", internal=True)


def test_the_first_public_staff_reply_is_the_response(ticket, staff_user, send):
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        send(ticket_reply, ticket=ticket, author=staff_user, body="We are on it")
    ticket.refresh_from_db()
    assert ticket.first_response_at == T0 + timedelta(minutes=12)
    assert ticket.status == "in_progress"
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        ticket_reply(ticket=ticket, author=staff_user, body="Still on it")
    ticket.refresh_from_db()
    assert ticket.first_response_at == T0 + timedelta(minutes=12)


def test_resolution_needs_a_text_and_a_sane_restoration_time(ticket, staff_user):
    with pytest.raises(DomainError):
        ticket_resolve(ticket=ticket, actor=staff_user, resolution=" ")
    with pytest.raises(DomainError):
        ticket_resolve(
            ticket=ticket, actor=staff_user, resolution="Fixed", restored_at=T0 - timedelta(1)
        )
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=staff_user)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        ticket_resolve(ticket=ticket, actor=staff_user, resolution="Card replaced")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.pauses.get().ended_at is not None


def test_reopen_only_within_the_days_allowed_and_closing_after_them(
    ticket, staff_user, limited_user, settings
):
    settings.TICKET_CLOSE_AFTER_DAYS = 5
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket_resolve(ticket=ticket, actor=staff_user, resolution="Fixed")
    with pytest.raises(DomainError):
        ticket_reopen(ticket=ticket, actor=limited_user, reason=" ")
    with time_machine.travel(T0 + timedelta(days=5, hours=2), tick=False):
        with pytest.raises(DomainError):
            ticket_reopen(ticket=ticket, actor=limited_user, reason="Still down")
        assert tickets_close_resolved() == 1
        assert tickets_close_resolved() == 0
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    with pytest.raises(DomainError):
        ticket_reply(ticket=ticket, author=limited_user, body="hello?")


def test_escalation_at_most_once_an_hour_to_the_tsc_and_the_team_lead(
    ticket, customer, limited_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    lead = TeamPersonFactory(email="lead@provider.test")
    TeamAssignment.objects.create(
        customer=customer, role=TeamRole.CLIENT_EXPERIENCE_LEAD, person=lead
    )
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        send(ticket_escalate, ticket=ticket, actor=limited_user, reason="Our stores are offline")
        with pytest.raises(DomainError):
            ticket_escalate(ticket=ticket, actor=limited_user, reason="Again")
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@provider.test", "tsc-queue@provider.test"]
    with time_machine.travel(T0 + timedelta(minutes=81), tick=False):
        ticket_escalate(ticket=ticket, actor=limited_user, reason="Two hours now")
    assert ticket.messages.filter(kind=Message.Kind.ESCALATION).count() == 2


def test_people_copied_receive_the_updates(ticket, staff_user, limited_user, send):
    watcher = ticket_watcher_add(
        ticket=ticket, actor=limited_user, email="Boss@Acme.test", name="Boss"
    )
    ticket_watcher_confirm(token=watcher_confirmation_token(watcher))  # they receive from now on
    with pytest.raises(DomainError):
        ticket_watcher_add(ticket=ticket, actor=limited_user, email="boss@acme.test")
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=staff_user, body="Technician on the way")
    assert "Boss <boss@acme.test>" in [m.to[0] for m in mail.outbox]
    assert Notification.objects.filter(to_email="boss@acme.test", reason="copied").exists()


def test_cancel_only_an_active_ticket(ticket, limited_user):
    ticket_cancel(ticket=ticket, actor=limited_user, reason="Our own router")
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"
    assert ticket.closed_at is not None
    with pytest.raises(DomainError):
        ticket_cancel(ticket=ticket, actor=limited_user)


def test_editing_a_target_does_not_touch_open_tickets(ticket, customer, limited_user):
    SlaTarget.objects.filter(impact="down").update(restoration=timedelta(hours=2))
    ticket.refresh_from_db()
    assert ticket.restoration_target == timedelta(hours=4)
    assert ticket_open_for(customer, limited_user).restoration_target == timedelta(hours=2)
