"""The ticket e-mails through the outbox (issue 5, sections 1-2): each template in Spanish,
Brazilian Portuguese and English, the footer's reason, and internal notes never in a customer
e-mail."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from core.models import Notification
from core.services.outbox import Recipient, notification_deliver, notify
from team.models import TeamAssignment, TeamRole
from tests.factories import (
    NotificationContactFactory,
    ServiceFactory,
    TeamPersonFactory,
    UserFactory,
    ticket_open_for,
)
from tickets.models import Message
from tickets.services import (
    ticket_cancel,
    ticket_escalate,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_wait_for_customer,
    ticket_watcher_add,
)
from tickets.services.watchers import ticket_watcher_confirm, watcher_confirmation_token

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.UTC)  # 10:00 in Buenos Aires
LANGUAGES = {"noc-es@acme.test": "es", "noc-br@acme.test": "pt-br", "noc@acme.test": "en"}
SECRET = "INTERNAL-NOTE-customer-is-a-pain"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


@pytest.fixture(autouse=True)
def _english_unless_told(customer, settings):
    """Staff read the portal's language and the customer's people theirs: English here, so the
    texts below read as written; the language tests give their contacts es and pt-br."""
    settings.LANGUAGE_CODE = "en"
    customer.language = "en"
    customer.save(update_fields=["language"])


@pytest.fixture
def contacts(customer):
    """Two ticket contacts, Spanish and Portuguese; the requester (limited_user) reads English."""
    for email, language in (("noc-es@acme.test", "es"), ("noc-br@acme.test", "pt-br")):
        NotificationContactFactory(
            customer=customer, email=email, language=language, orders=False, tickets=True
        )


@pytest.fixture
def ticket(customer, limited_user, portal_admin_user, contacts, send):
    service = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00042", site_name="Depot")
    with time_machine.travel(T0, tick=False):
        return send(ticket_open_for, customer=customer, user=limited_user, service=service)


def _by_language() -> dict:
    """The e-mails just sent, by the language of their recipient; each has a text and an HTML
    part (the HTML rendered with the same body)."""
    messages = {}
    for message in mail.outbox:
        address = message.to[0].split("<")[-1].rstrip(">")
        messages[LANGUAGES[address]] = message
    assert len(messages) == len(mail.outbox) == 3
    return messages


def _html(message) -> str:
    return message.alternatives[0].content


def test_opened_gives_the_number_services_impact_and_targets_in_each_language(ticket):
    mails = _by_language()

    for language, (response, restoration) in {
        "es": ("15 minutos", "4 horas"),
        "pt-br": ("15 minutos", "4 horas"),
        "en": ("15 minutes", "4 hours"),
    }.items():
        message = mails[language]
        opened = {"es": "Ticket abierto", "pt-br": "Chamado aberto", "en": "Ticket opened"}
        assert (
            message.subject == f"{ticket.number} · {opened[language]}: No traffic on the main link"
        )
        for text in (message.body, _html(message)):
            assert "AR-BUE-IPVPN-00042 · Depot" in text
            assert response in text
            assert restoration in text
            assert f"/tickets/{ticket.number}/" in text
    assert "Impact: Service down" in mails["en"].body
    assert "reply on the ticket's page in the portal" in mails["en"].body


def test_the_footer_says_why_each_person_receives_it(ticket):
    mails = _by_language()
    assert (
        "Recibe este correo porque los administradores del portal de Acme Logística indicaron "
        "esta dirección como contacto para tickets." in mails["es"].body
    )
    assert "Você recebe este e-mail porque os administradores do portal" in mails["pt-br"].body
    assert (
        f"You receive this e-mail because you are the requester of {ticket.number} for "
        "Acme Logística." in mails["en"].body
    )
    assert "admin@acme.test" in mails["en"].body  # who decides who receives them


def test_people_copied_are_told_they_were_copied(ticket, limited_user, staff_user, send):
    watcher = ticket_watcher_add(
        ticket=ticket, actor=limited_user, email="boss@acme.test", name="Boss"
    )
    ticket_watcher_confirm(token=watcher_confirmation_token(watcher))  # they receive from now on
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=staff_user, body="A technician is on the way.")
    (copied,) = [m for m in mail.outbox if "boss@acme.test" in m.to[0]]
    assert f"you were copied on {ticket.number}" in copied.body
    assert "A technician is on the way." in copied.body


def test_waiting_says_what_the_tsc_needs_and_that_answering_restarts_the_clock(
    ticket, staff_user, send
):
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        send(
            ticket_wait_for_customer,
            ticket=ticket,
            reason="site_access",
            actor=staff_user,
            message="The guard at the gate does not let the technician in.",
        )
    mails = _by_language()
    assert mails["en"].subject == f"{ticket.number} · The TSC is waiting for you"
    for message in mails.values():
        assert message.subject.startswith(ticket.number)
        assert "The guard at the gate does not let the technician in." in message.body
    english = mails["en"].body
    assert "Waiting for access to the site" in english
    assert "Answering in the portal restarts the clock." in english
    assert "R-TT-3" not in english  # rule ids are for us, not for customers


def test_a_staff_reply_carries_its_text_and_its_files(ticket, staff_user, send):
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=staff_user, body="We replaced the router.")
    mails = _by_language()
    assert mails["en"].subject == f"{ticket.number} · New reply from the TSC"
    for message in mails.values():
        assert message.subject.startswith(ticket.number)
        assert "We replaced the router." in message.body
        assert "We replaced the router." in _html(message)


def test_internal_notes_never_reach_a_customer_email(ticket, staff_user, limited_user, send):
    """Issue 5 section 2: a note in every step of the ticket's life, and no customer e-mail
    carries it."""
    note = send(ticket_reply, ticket=ticket, author=staff_user, body=SECRET, internal=True)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        send(ticket_reply, ticket=ticket, author=staff_user, body="Looking into it.")
        send(ticket_wait_for_customer, ticket=ticket, reason="information", actor=staff_user)
        send(ticket_reply, ticket=ticket, author=staff_user, body=f"{SECRET} again", internal=True)
        send(ticket_reply, ticket=ticket, author=limited_user, body="Here is the info.")
        send(ticket_resolve, ticket=ticket, actor=staff_user, resolution="Fixed the port.")
    customer_mails = [m for m in mail.outbox if m.to[0].split("<")[-1].rstrip(">") in LANGUAGES]
    assert len(customer_mails) == 3 * 4  # opened, reply, waiting, resolved
    for message in customer_mails:
        assert SECRET not in message.body
        assert SECRET not in _html(message)
        assert SECRET not in message.subject

    # Even a row that names the note (by context or by its event) does not render it.
    mail.outbox.clear()
    _reply_row(send, ticket, event="forged", context={"message": note.pk})
    _reply_row(send, ticket, event=f"reply:{note.pk}", context={})
    assert mail.outbox == []
    statuses = Notification.objects.filter(template="tickets/reply", to_email="noc@acme.test")
    assert statuses.get(event__endswith=":forged").status == Notification.Status.CANCELLED
    assert statuses.get(event__endswith=f":reply:{note.pk}").status == "cancelled"


def _reply_row(send, ticket, *, event: str, context: dict) -> None:
    """A "tickets/reply" outbox row for the requester alone, delivered on commit."""
    send(
        notify,
        event=f"ticket:{ticket.number}:{event}",
        template="tickets/reply",
        recipients=[Recipient("noc@acme.test", "en", Notification.Reason.REQUESTER)],
        customer=ticket.customer,
        kind="tickets",
        subject_reference=ticket.number,
        context={"ticket": ticket.pk, "path": "/", **context},
    )


def test_a_reply_row_of_another_customer_is_cancelled(ticket, other_customer, staff_user, send):
    message = send(ticket_reply, ticket=ticket, author=staff_user, body="Public reply")
    mail.outbox.clear()
    send(
        notify,
        event="ticket:elsewhere:reply",
        template="tickets/reply",
        recipients=[Recipient("admin@globex.test", "pt-br", Notification.Reason.USER)],
        customer=other_customer,
        context={"ticket": ticket.pk, "message": message.pk},
    )
    assert mail.outbox == []
    assert Notification.objects.get(event="ticket:elsewhere:reply").status == "cancelled"


def test_resolved_gives_the_restoration_in_the_customers_time_and_the_sla_verdict(
    ticket, staff_user, settings, send
):
    settings.TICKET_CLOSE_AFTER_DAYS = 7
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        send(ticket_wait_for_customer, ticket=ticket, reason="site_access", actor=staff_user)
    with time_machine.travel(T0 + timedelta(hours=2, minutes=30), tick=False):
        send(ticket_reply, ticket=ticket, author=ticket.requester, body="The gate is open.")
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        send(
            ticket_resolve,
            ticket=ticket,
            actor=staff_user,
            resolution="A fibre cut at the corner; spliced.",
            restored_at=T0 + timedelta(hours=4, minutes=30),
        )
    mails = _by_language()
    assert mails["en"].subject == f"{ticket.number} · Ticket resolved"
    for message in mails.values():
        assert message.subject.startswith(ticket.number)
        assert "A fibre cut at the corner; spliced." in message.body
        assert "17:30" not in message.body
        assert "5:30" not in message.body
        assert "America/Argentina/Buenos_Aires" in message.body
    # Restored at 17:30 UTC: 14:30 in Buenos Aires (UTC-3).
    assert "14:30" in mails["es"].body
    assert "14:30" in mails["pt-br"].body
    english = mails["en"].body
    assert "Service restored on Nov. 30, 2026, 2:30 p.m." in english
    # 4 h 30 min from opening, 2 h of it waiting for the customer: 2 h 30 min of a 4 h target.
    assert "Time counted against the SLA: 2 hours, 30 minutes, within" in english
    assert "4 hours" in english
    assert "not counted: 2 hours." in english
    assert "within 7 days" in english
    assert "2 horas, 30 minutos" in mails["es"].body


def test_resolved_late_says_the_target_was_missed(ticket, staff_user, send):
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        send(ticket_resolve, ticket=ticket, actor=staff_user, resolution="Replaced the card.")
    english = _by_language()["en"].body
    assert "6 hours, beyond the restoration target of 4 hours" in english


def test_a_resolved_email_is_dropped_when_the_ticket_was_reopened_before_it_left(
    ticket, staff_user, limited_user
):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket_resolve(ticket=ticket, actor=staff_user, resolution="Done.")
        ticket_reopen(ticket=ticket, actor=limited_user, reason="Still down.")
        row = Notification.objects.filter(template="tickets/resolved").first()
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == Notification.Status.CANCELLED


def test_cancelled_says_so_with_the_reason(ticket, limited_user, send):
    mail.outbox.clear()
    send(ticket_cancel, ticket=ticket, actor=limited_user, reason="It was our own switch.")
    mails = _by_language()
    assert mails["en"].subject == f"{ticket.number} · Ticket cancelled"
    assert mails["es"].subject == f"{ticket.number} · Ticket cancelado"
    for message in mails.values():
        assert "It was our own switch." in message.body
    assert "was cancelled" in _by_language()["en"].body


def test_a_customer_reply_reaches_the_tsc_with_a_link_to_the_admin(
    ticket, limited_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=limited_user, body="The router LEDs are red.")
    (message,) = mail.outbox
    assert message.to == ["tsc-queue@provider.test"]
    assert message.subject == f"{ticket.number} · Acme Logística replied"
    assert "Nico NOC (Acme Logística) replied" in message.body
    assert "The router LEDs are red." in message.body
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in message.body
    assert "Open in the staff administration" in message.body  # staff read the portal's language
    assert "You receive this e-mail because you work on this at Lumen." in message.body


def test_a_reopened_ticket_tells_the_tsc_the_customer_reopened_it(
    ticket, limited_user, staff_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        send(ticket_resolve, ticket=ticket, actor=staff_user, resolution="Done.")
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        send(ticket_reopen, ticket=ticket, actor=limited_user, reason="Still no traffic.")
    (message,) = mail.outbox
    assert message.subject == f"{ticket.number} · Acme Logística reopened the ticket"
    assert "reopened trouble ticket" in message.body
    assert "Still no traffic." in message.body


def test_an_escalation_gives_who_why_the_facts_and_the_sla_state(
    ticket, customer, limited_user, staff_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    lead = TeamPersonFactory(email="lead@provider.test")
    TeamAssignment.objects.create(
        customer=customer, role=TeamRole.CLIENT_EXPERIENCE_LEAD, person=lead
    )
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        send(ticket_wait_for_customer, ticket=ticket, reason="information", actor=staff_user)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        send(ticket_reply, ticket=ticket, author=limited_user, body="Info sent.")
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        send(ticket_escalate, ticket=ticket, actor=limited_user, reason="Our stores are offline")
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@provider.test", "tsc-queue@provider.test"]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == f"{ticket.number} · Escalated by Acme Logística"
    assert "Nico NOC <noc@acme.test> of Acme Logística escalated" in body
    assert "Our stores are offline" in body
    assert "AR-BUE-IPVPN-00042" in body
    assert "Nico NOC · +54 11 5555 0101" in body
    # 5 h open, 30 min waiting: 4 h 30 min counted against 4 h, 30 min over (in Spanish units).
    assert "Breached: 4 hours, 30 minutes counted against a restoration target of 4 hours" in body
    assert "(30 minutes over)" in body
    assert "not counted): 30 minutes." in body
    assert "First answer: target missed." in body  # waiting is not an answer


def test_an_escalation_within_target_says_what_is_left(ticket, limited_user, settings, send):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    settings.LANGUAGE_CODE = "en"
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(minutes=45), tick=False):
        send(ticket_escalate, ticket=ticket, actor=limited_user, reason="Nobody answered")
    (message,) = mail.outbox
    assert (
        "45 minutes counted against a restoration target of 4 hours: 3 hours, 15 minutes left."
        in message.body
    )
    assert "First answer: target missed." in message.body
    assert "Assigned to nobody yet." in message.body


def test_an_escalation_after_a_timely_answer_says_the_response_was_met(
    ticket, limited_user, staff_user, settings, send
):
    settings.TSC_MAILBOX = "tsc-queue@provider.test"
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        send(ticket_reply, ticket=ticket, author=staff_user, body="Checking.")
    mail.outbox.clear()
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        send(ticket_escalate, ticket=ticket, actor=limited_user, reason="Still down")
    (message,) = mail.outbox
    assert "First answer: within its target." in message.body


def test_staff_replies_name_their_author(ticket, send):
    tsc = UserFactory(email="maria@provider.test", full_name="María TSC", is_staff=True)
    mail.outbox.clear()
    send(ticket_reply, ticket=ticket, author=tsc, body="On it.")
    assert "María TSC of the Technical Service Center replied" in _by_language()["en"].body
    assert Message.objects.filter(ticket=ticket, kind="public").count() == 1
