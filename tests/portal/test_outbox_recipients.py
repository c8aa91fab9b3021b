"""Recipients are checked when the e-mail leaves, not only when the row is written (review R2):
a contact removed, unconfirmed, bounced or unsubscribed from the kind, a person whose membership
ended, someone no longer copied on a ticket: they receive nothing more, reminders scheduled
weeks earlier included. The row is cancelled with the reason, never failed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Notification, NotificationKind
from core.selectors.notifications import notification_recipients
from core.services import outbox
from core.services.outbox import Recipient, notify
from tests.factories import NotificationContactFactory, ticket_open_for
from tickets.models import Watcher

pytestmark = pytest.mark.django_db


def _contact_url(name: str, contact) -> str:
    return reverse(f"portal:notification_contact_{name}", kwargs={"reference": contact.reference})


@pytest.fixture
def noc(customer):
    """A confirmed contact for orders and maintenance."""
    return NotificationContactFactory(
        customer=customer, name="NOC", email="noc.bue@acme.test", orders=True, maintenance=True
    )


def _reminder(customer, contact, *, kind=NotificationKind.MAINTENANCE, days=10) -> int:
    """A reminder scheduled weeks ahead, as maintenance_confirm writes one."""
    with transaction.atomic():
        (pk,) = notify(
            event=f"maintenance:MNT-1:reminder:{kind}",
            template="portal/contact_bounced",
            recipients=[Recipient.for_contact(contact)],
            customer=customer,
            kind=kind,
            context={"contact_name": "x", "contact_email": "x@acme.test", "path": "/"},
            send_at=timezone.now() + timedelta(days=days),
        )
    return pk


def _due(pk: int) -> None:
    Notification.objects.filter(pk=pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_removing_a_contact_cancels_its_scheduled_reminders(portal_admin_client, customer, noc):
    pk = _reminder(customer, noc)

    response = portal_admin_client.post(_contact_url("remove", noc))

    assert response.status_code == 302
    row = Notification.objects.get(pk=pk)
    assert row.status == Notification.Status.CANCELLED
    assert row.last_error == "the notification contact was removed"
    _due(pk)
    assert outbox.notification_deliver(notification_id=pk) == "skipped"
    assert mail.outbox == []


def test_dropping_a_kind_cancels_the_pending_emails_of_that_kind_only(
    portal_admin_client, customer, noc
):
    maintenance = _reminder(customer, noc)
    orders = _reminder(customer, noc, kind=NotificationKind.ORDERS)

    response = portal_admin_client.post(
        _contact_url("edit", noc),
        {"name": "NOC", "email": noc.email, "language": "es", "kinds": ["orders"]},
    )

    assert response.status_code == 302
    assert Notification.objects.get(pk=maintenance).status == Notification.Status.CANCELLED
    assert Notification.objects.get(pk=orders).status == Notification.Status.PENDING


def test_changing_the_address_cancels_what_was_waiting_for_the_old_one(
    portal_admin_client, customer, noc
):
    pk = _reminder(customer, noc)

    portal_admin_client.post(
        _contact_url("edit", noc),
        {"name": "NOC", "email": "noc.new@acme.test", "language": "es", "kinds": ["maintenance"]},
    )

    assert Notification.objects.get(pk=pk).status == Notification.Status.CANCELLED


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("delete", "the notification contact was removed"),
        ("unconfirm", "the notification contact has not confirmed the address"),
        ("bounce", "the notification contact's address bounced"),
        ("unsubscribe", "the notification contact no longer subscribes to maintenance"),
    ],
)
def test_at_delivery_a_contact_that_no_longer_wants_it_gets_nothing(customer, noc, change, reason):
    """The check at delivery catches what no service cancelled (a change made in admin, or
    while the row was already in a worker's hands)."""
    pk = _reminder(customer, noc)
    contact = type(noc).objects.filter(pk=noc.pk)
    if change == "delete":
        contact.delete()
    elif change == "unconfirm":
        contact.update(confirmed_at=None)
    elif change == "bounce":
        contact.update(bounced_at=timezone.now())
    else:
        contact.update(maintenance=False)
    _due(pk)

    assert outbox.notification_deliver(notification_id=pk) == "cancelled"

    row = Notification.objects.get(pk=pk)
    assert (row.status, row.last_error) == (Notification.Status.CANCELLED, reason)
    assert mail.outbox == []


def test_a_person_whose_membership_ended_gets_nothing_more(
    customer, portal_admin_user, limited_membership
):
    person = limited_membership.user
    with transaction.atomic():
        (pk,) = notify(
            event="ticket:TT-1:reply:1",
            template="portal/contact_bounced",
            recipients=[Recipient.for_user(person, customer=customer, reason="requester")],
            customer=customer,
            kind=NotificationKind.TICKETS,
            context={"contact_name": "x", "contact_email": "x@acme.test", "path": "/"},
            send_at=timezone.now() + timedelta(minutes=5),
        )
    services.membership_deactivate(membership=limited_membership, actor=portal_admin_user)
    _due(pk)

    assert outbox.notification_deliver(notification_id=pk) == "cancelled"

    row = Notification.objects.get(pk=pk)
    assert row.last_error == "the person's membership of this customer ended"
    assert mail.outbox == []


def test_no_row_is_written_for_a_person_whose_membership_ended(
    customer, portal_admin_user, limited_membership, other_customer
):
    """Still an active account (a member of another customer), but no longer of this one."""
    from tests.factories import MembershipFactory

    person = limited_membership.user
    MembershipFactory(customer=other_customer, user=person)
    services.membership_deactivate(membership=limited_membership, actor=portal_admin_user)

    recipients = notification_recipients(customer, NotificationKind.TICKETS, users=[person])

    assert person.email not in [recipient.email for recipient in recipients]
    assert [
        r.email for r in notification_recipients(other_customer, "tickets", users=[person])
    ] == [person.email]


def test_someone_no_longer_copied_on_a_ticket_gets_nothing_more(
    customer, limited_user, staff_user, django_capture_on_commit_callbacks
):
    from tickets.services import ticket_reply, ticket_watcher_add, ticket_watcher_remove
    from tickets.services.watchers import ticket_watcher_confirm, watcher_confirmation_token

    ticket = ticket_open_for(customer, limited_user)
    watcher = ticket_watcher_add(
        ticket=ticket, actor=limited_user, email="boss@acme.test", name="Boss"
    )
    ticket_watcher_confirm(token=watcher_confirmation_token(watcher))
    ticket_reply(ticket=ticket, author=staff_user, body="Technician on the way")
    row = Notification.objects.get(to_email="boss@acme.test", template="tickets/reply")
    ticket_watcher_remove(ticket=ticket, actor=limited_user, email="boss@acme.test")
    assert not Watcher.objects.filter(ticket=ticket).exists()
    mail.outbox.clear()

    assert outbox.notification_deliver(notification_id=row.pk) == "cancelled"

    row.refresh_from_db()
    assert row.last_error == "no longer copied on the ticket"
    assert mail.outbox == []


def test_someone_copied_who_has_not_confirmed_gets_only_the_confirmation_request(
    customer, limited_user
):
    from tickets.services import ticket_watcher_add

    ticket = ticket_open_for(customer, limited_user)
    ticket_watcher_add(ticket=ticket, actor=limited_user, email="boss@acme.test", name="Boss")
    request = Notification.objects.get(to_email="boss@acme.test")
    update = outbox.notify(
        event=f"ticket:{ticket.number}:status:test",
        template="tickets/status",
        recipients=[Recipient("boss@acme.test", "es", Notification.Reason.COPIED)],
        customer=customer,
        kind="tickets",
        context={"ticket": ticket.pk},
    )[0]
    mail.outbox.clear()

    assert outbox.notification_deliver(notification_id=request.pk) == "sent"
    assert outbox.notification_deliver(notification_id=update) == "cancelled"
    assert (
        Notification.objects.get(pk=update).last_error == "the person copied has not confirmed yet"
    )
    assert [message.to for message in mail.outbox] == [["boss@acme.test"]]
