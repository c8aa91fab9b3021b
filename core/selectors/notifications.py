"""Reads of the outbox and of the customer's notification contacts (R-GCR-4)."""

from collections.abc import Sequence

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.models import Customer, Membership, Notification, NotificationContact, User
from core.services.outbox import Recipient


def notification_contacts_for_customer(customer: Customer) -> QuerySet[NotificationContact]:
    return NotificationContact.objects.filter(customer=customer).order_by("name", "email")


def notification_contact_get(customer: Customer, reference) -> NotificationContact:
    """Another customer's contact, or a malformed reference, is a 404."""

    return get_object_or_404(NotificationContact, customer=customer, reference=reference)


def notification_contacts_needing_attention(customer: Customer) -> int:
    """Unconfirmed or bounced: they receive nothing, so the administrator is told."""
    contacts = NotificationContact.objects.filter(customer=customer)
    return (
        contacts.filter(confirmed_at__isnull=True).count()
        + contacts.filter(confirmed_at__isnull=False, bounced_at__isnull=False).count()
    )


def member_recipients(
    customer: Customer,
    users: list[User | None],
    *,
    reason: str = Notification.Reason.REQUESTER,
) -> list[Recipient]:
    """The people named by an event (the requester, who opened it) who still work for the
    customer: an active account and an active membership of this customer. Someone who left
    keeps no e-mail about the customer's tickets, orders or invoices (delivery checks again)."""
    ids = {user.pk for user in users if user is not None and user.is_active}
    current = set(
        Membership.objects.filter(customer=customer, is_active=True, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    recipients, seen = [], set()
    for user in users:
        if user is not None and user.pk in current and user.pk not in seen:
            seen.add(user.pk)
            recipients.append(Recipient.for_user(user, customer=customer, reason=reason))
    return recipients


def notification_recipients(
    customer: Customer, kind: str, *, users: Sequence[User | None] = ()
) -> list[Recipient]:
    """Who receives an event of `kind`: the confirmed, deliverable contacts for it, and the
    portal users named by the event (the requester) who are still members, each once."""
    recipients = [
        Recipient.for_contact(contact)
        for contact in NotificationContact.objects.filter(
            customer=customer, confirmed_at__isnull=False, bounced_at__isnull=True, **{kind: True}
        ).order_by("email")
    ]
    return recipients + member_recipients(customer, list(users))


def notifications_for_subject(customer: Customer, reference: str) -> QuerySet[Notification]:
    """The e-mails sent about one order or ticket, for its timeline (never another customer's)."""
    return Notification.objects.filter(customer=customer, subject_reference=reference).order_by(
        "created_at", "pk"
    )
