"""The people a customer wants notified, per kind of event (R-GCR-4), and their confirmation."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError, RateLimited
from core.models import (
    AuditEvent,
    Customer,
    Notification,
    NotificationContact,
    NotificationKind,
    User,
)
from core.services import audit_record
from core.services.outbox import Recipient, notifications_cancel_for_contact, notify

CONFIRM_SALT = "portal.notification-contact.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600
RESEND_INTERVAL = timedelta(minutes=10)
_DAY = timedelta(hours=24)
_FIELDS = ("name", "email", "language", *[kind.value for kind in NotificationKind])


def _sent_stamp(contact: NotificationContact) -> int | None:
    sent = contact.confirmation_sent_at
    return int(sent.timestamp() * 1_000_000) if sent else None


def _link_used(contact: NotificationContact) -> bool:
    """A confirmed address has used its link (A5). A new link to a bounced address clears the
    confirmation first (contact_resend), so that only that new link can confirm it again."""
    return contact.confirmed_at is not None


def contact_confirmation_token(contact: NotificationContact) -> str:
    """Signed, not stored: it names the contact, the address it confirms and the sending it
    belongs to, so that only the latest link works, and only once (review finding A5)."""
    return signing.dumps(
        {"c": str(contact.reference), "e": contact.email, "s": _sent_stamp(contact)},
        salt=CONFIRM_SALT,
    )


def _check_kinds(values: dict) -> None:
    if not any(values.get(kind.value) for kind in NotificationKind):
        raise DomainError(
            _("Choose at least one kind of notification."), rule="R-GCR-4", field="kinds"
        )


def _check_unique(customer: Customer, email: str, exclude: int | None = None) -> None:
    others = NotificationContact.objects.filter(customer=customer, email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise DomainError(_("This address is already a notification contact."), field="email")


def _confirmations_cap_check(customer: Customer) -> None:
    """At most CONTACT_CONFIRMATIONS_PER_DAY confirmation links per customer in 24 hours: each
    goes to an address the customer typed, from the provider's domain (review finding I3).
    Counted from the audit log, which removing a contact does not shorten, so a remove / re-add
    loop counts too. The customer's row is locked: two requests at once cannot both pass."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    sent = (
        AuditEvent.objects.filter(customer=customer, created_at__gte=timezone.now() - _DAY)
        .filter(
            Q(action=AuditEvent.Action.CONTACT_ADD)
            | Q(action=AuditEvent.Action.CONTACT_CHANGE, detail__address_changed=True)
            | Q(action=AuditEvent.Action.CONTACT_CHANGE, detail__confirmation_resent=True)
        )
        .count()
    )
    if sent >= settings.CONTACT_CONFIRMATIONS_PER_DAY:
        raise RateLimited(
            ngettext(
                "%(count)d confirmation link was sent to notification contacts of your "
                "organisation in the last 24 hours, the most we allow. Try again tomorrow.",
                "%(count)d confirmation links were sent to notification contacts of your "
                "organisation in the last 24 hours, the most we allow. Try again tomorrow.",
                settings.CONTACT_CONFIRMATIONS_PER_DAY,
            )
            % {"count": settings.CONTACT_CONFIRMATIONS_PER_DAY}
        )


def contact_confirmation_send(*, contact: NotificationContact) -> None:
    """Queue the confirmation e-mail; each call is a new event, so a re-send is a new e-mail."""
    now = timezone.now()
    notify(
        event=f"contact.confirm:{contact.reference}:{now.timestamp():.6f}",
        template="portal/contact_confirm",
        # No name: it is the customer's free text, and the address has not confirmed yet.
        recipients=[
            Recipient(
                email=contact.email,
                language=contact.language,
                reason=Notification.Reason.CONFIRMATION,
            )
        ],
        customer=contact.customer,
        context={"contact": contact.pk},
    )
    NotificationContact.objects.filter(pk=contact.pk).update(confirmation_sent_at=now)
    contact.confirmation_sent_at = now


def contact_add(
    *, customer: Customer, actor: User, request: HttpRequest | None = None, **values
) -> NotificationContact:
    values["email"] = values["email"].strip().lower()
    _check_kinds(values)
    with transaction.atomic():
        _check_unique(customer, values["email"])
        _confirmations_cap_check(customer)
        contact = NotificationContact.objects.create(customer=customer, created_by=actor, **values)
        contact_confirmation_send(contact=contact)
        audit_record(
            action=AuditEvent.Action.CONTACT_ADD,
            customer=customer,
            actor=actor,
            target_email=contact.email,
            detail={"kinds": contact.kinds},
            request=request,
        )
    return contact


def contact_update(
    *, contact: NotificationContact, actor: User, request: HttpRequest | None = None, **values
) -> NotificationContact:
    """A new address must be confirmed again and is no longer bounced."""
    values["email"] = values["email"].strip().lower()
    _check_kinds(values)
    with transaction.atomic():
        _check_unique(contact.customer, values["email"], exclude=contact.pk)
        address_changed = values["email"] != contact.email.lower()
        dropped = [kind for kind in contact.kinds if not values.get(kind)]
        if address_changed:
            _confirmations_cap_check(contact.customer)
            notifications_cancel_for_contact(
                customer=contact.customer,
                email=contact.email,
                why="the notification contact's address was changed",
            )
        elif dropped:
            notifications_cancel_for_contact(
                customer=contact.customer,
                email=contact.email,
                kinds=dropped,
                why="the notification contact no longer subscribes to " + ", ".join(dropped),
            )
        for name in _FIELDS:
            setattr(contact, name, values[name])
        if address_changed:
            contact.confirmed_at = None
            contact.bounced_at = None
            contact.bounce_reason = ""
        contact.save()
        if address_changed:
            contact_confirmation_send(contact=contact)
        audit_record(
            action=AuditEvent.Action.CONTACT_CHANGE,
            customer=contact.customer,
            actor=actor,
            target_email=contact.email,
            detail={"kinds": contact.kinds, "address_changed": address_changed},
            request=request,
        )
    return contact


def contact_remove(
    *, contact: NotificationContact, actor: User, request: HttpRequest | None = None
) -> None:
    """The contact receives nothing more, reminders scheduled weeks ago included."""
    with transaction.atomic():
        notifications_cancel_for_contact(
            customer=contact.customer,
            email=contact.email,
            why="the notification contact was removed",
        )
        audit_record(
            action=AuditEvent.Action.CONTACT_REMOVE,
            customer=contact.customer,
            actor=actor,
            target_email=contact.email,
            request=request,
        )
        contact.delete()


def contact_resend(
    *, contact: NotificationContact, actor: User, request: HttpRequest | None = None
) -> None:
    """Another confirmation link; at most one per RESEND_INTERVAL, since it goes to a third
    party."""
    if contact.is_confirmed and not contact.is_bounced:
        raise DomainError(_("This address is already confirmed."))
    last = contact.confirmation_sent_at
    if last is not None and timezone.now() - last < RESEND_INTERVAL:
        minutes = int(RESEND_INTERVAL.total_seconds() // 60)
        raise RateLimited(
            _(
                "A link was sent less than %(minutes)d minutes ago; please wait before sending "
                "another."
            )
            % {"minutes": minutes}
        )
    with transaction.atomic():
        _confirmations_cap_check(contact.customer)
        if contact.confirmed_at is not None:  # bounced: it confirms again, with the new link
            NotificationContact.objects.filter(pk=contact.pk).update(confirmed_at=None)
            contact.confirmed_at = None
        contact_confirmation_send(contact=contact)
        audit_record(
            action=AuditEvent.Action.CONTACT_CHANGE,
            customer=contact.customer,
            actor=actor,
            target_email=contact.email,
            detail={"confirmation_resent": True},
            request=request,
        )


def contact_by_token(token: str, *, for_update: bool = False) -> NotificationContact:
    """The contact a confirmation link names, or a DomainError saying why the link is no good.
    `for_update` locks its row (inside a transaction)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This link has expired. Ask your portal administrator to send a new one.")
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This link is not valid.")) from None
    contacts = NotificationContact.objects.select_related("customer")
    if for_update:
        contacts = contacts.select_for_update(of=("self",))
    contact = contacts.filter(reference=data.get("c")).first()
    if contact is None or contact.email.lower() != str(data.get("e", "")).lower():
        raise DomainError(_("This link is no longer valid: the contact was changed or removed."))
    # Links sent before links carried their sending ("s") stay good until they are used.
    if "s" in data and data["s"] != _sent_stamp(contact):
        raise DomainError(
            _("This link was replaced by a newer one: use the link in the latest e-mail.")
        )
    if _link_used(contact):
        raise DomainError(
            _(
                "This link was already used. If the address should receive notifications again, "
                "ask your portal administrator to send a new link."
            )
        )
    return contact


def contact_confirm(*, token: str) -> NotificationContact:
    """The link works once: posting it again (or an older link) cannot clear a later bounce."""
    with transaction.atomic():
        # Locked while it is checked, so that two posts at once confirm once.
        contact = contact_by_token(token, for_update=True)
        contact.confirmed_at = timezone.now()
        contact.bounced_at = None
        contact.bounce_reason = ""
        contact.save(update_fields=["confirmed_at", "bounced_at", "bounce_reason", "updated_at"])
        audit_record(
            action=AuditEvent.Action.CONTACT_CONFIRM,
            customer=contact.customer,
            target_email=contact.email,
        )
    return contact


def contact_bounce_record(*, customer_id: int | None, email: str, reason: str) -> None:
    """The address refused mail for good: flag the contact and tell the administrators."""
    if customer_id is None:
        return
    with transaction.atomic():
        contact = (
            NotificationContact.objects.select_for_update()
            .select_related("customer")
            .filter(customer_id=customer_id, email__iexact=email, bounced_at__isnull=True)
            .first()
        )
        if contact is None:
            return
        contact.bounced_at = timezone.now()
        contact.bounce_reason = reason[:500]
        contact.save(update_fields=["bounced_at", "bounce_reason", "updated_at"])
        admins = User.objects.filter(
            memberships__customer_id=customer_id,
            memberships__role="admin",
            memberships__is_active=True,
            is_active=True,
        )
        notify(
            event=f"contact.bounced:{contact.reference}:{contact.bounced_at.timestamp():.0f}",
            template="portal/contact_bounced",
            recipients=[
                Recipient.for_user(admin, customer=contact.customer, reason="user")
                for admin in admins
            ],
            customer=contact.customer,
            context={
                "contact_name": contact.name,
                "contact_email": contact.email,
                "bounce_reason": contact.bounce_reason,
                "path": reverse("portal:notification_contacts"),
            },
        )
