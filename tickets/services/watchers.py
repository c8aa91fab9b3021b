"""People copied on a ticket (R-TT): writes and the confirmation link.

The people are chosen by the customer and need not be portal users, so the portal would send
mail from the provider's domain to any address a customer types (review finding I3). Hence:
- caps: at most TICKET_WATCHERS_MAX people on one ticket, and at most TICKET_WATCHERS_PER_DAY
  added by one customer in 24 hours, counted from the audit log, which removing a person does
  not shorten (so a remove / re-add loop is counted too);
- a confirmation first: a new person receives one e-mail with the ticket's number and a link,
  never the customer's free text (not the subject, not the name typed for them), and nothing
  else until they confirm. The link is signed, not stored, names the ticket, the address and
  the moment the person was added, and works once: GET shows a page (mail scanners open
  links), POST confirms.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError, RateLimited
from core.models import AuditEvent, Customer, Notification, User
from core.services import audit_record
from core.services.outbox import Recipient, notify
from tickets.models import Ticket, Watcher

CONFIRM_SALT = "tickets.watcher.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600
_DAY = timedelta(hours=24)


def _stamp(watcher: Watcher) -> int:
    return int(watcher.created_at.timestamp() * 1_000_000)


def watcher_confirmation_token(watcher: Watcher) -> str:
    """Signed, not stored: the ticket, the address and when this person was added (a person
    removed and added again gets a new link; the old one no longer works)."""
    return signing.dumps(
        {"t": watcher.ticket.number, "e": watcher.email, "a": _stamp(watcher)}, salt=CONFIRM_SALT
    )


def watcher_by_token(token: str) -> Watcher:
    """The person a confirmation link names, or a DomainError saying why the link is no good."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This link has expired. Ask the person who copied you to add you again.")
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This link is not valid.")) from None
    watcher = (
        Watcher.objects.select_related("ticket__customer")
        .filter(ticket__number=data.get("t"), email=data.get("e"))
        .first()
    )
    if watcher is None or _stamp(watcher) != data.get("a"):
        raise DomainError(_("This link is no longer valid: you are not copied on this ticket."))
    if watcher.is_confirmed:
        raise DomainError(
            _("This link was already used: you already receive this ticket's updates.")
        )
    return watcher


def _caps_check(ticket: Ticket) -> None:
    """Raises RateLimited over a cap. Called with the customer's row locked, so that two
    requests at once cannot both pass the last free place."""
    if ticket.watchers.count() >= settings.TICKET_WATCHERS_MAX:
        raise RateLimited(
            ngettext(
                "At most %(count)d person can be copied on one ticket. Remove them first.",
                "At most %(count)d people can be copied on one ticket. Remove someone first.",
                settings.TICKET_WATCHERS_MAX,
            )
            % {"count": settings.TICKET_WATCHERS_MAX},
            field="email",
        )
    added = AuditEvent.objects.filter(
        customer_id=ticket.customer_id,
        action=AuditEvent.Action.WATCHER_ADD,
        created_at__gte=timezone.now() - _DAY,
    ).count()
    if added >= settings.TICKET_WATCHERS_PER_DAY:
        raise RateLimited(
            ngettext(
                "Your organisation has copied %(count)d person on tickets in the last 24 hours, "
                "the most we allow. Try again tomorrow, or ask the TSC to copy them.",
                "Your organisation has copied %(count)d people on tickets in the last 24 hours, "
                "the most we allow. Try again tomorrow, or ask the TSC to copy them.",
                settings.TICKET_WATCHERS_PER_DAY,
            )
            % {"count": settings.TICKET_WATCHERS_PER_DAY},
            field="email",
        )


def ticket_watcher_add(
    *,
    ticket: Ticket,
    actor: User,
    email: str,
    name: str = "",
    request: HttpRequest | None = None,
) -> Watcher:
    """Copy a person on the ticket: they get the confirmation link, and the updates once they
    confirm."""
    email = email.strip().lower()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=ticket.customer_id).first()
        if ticket.watchers.filter(email__iexact=email).exists():
            raise DomainError(_("%(email)s is already copied.") % {"email": email}, field="email")
        _caps_check(ticket)
        watcher = Watcher.objects.create(
            ticket=ticket, email=email, name=name.strip(), added_by=actor
        )
        audit_record(
            action=AuditEvent.Action.WATCHER_ADD,
            customer=ticket.customer,
            actor=actor,
            target_email=email,
            detail={"ticket": ticket.number},
            request=request,
        )
        notify(
            event=f"ticket:{ticket.number}:copied:{email}:{_stamp(watcher)}",
            template="tickets/watcher_confirm",
            # No name: it is the customer's free text, and it would be in the To header.
            recipients=[
                Recipient(
                    email=email,
                    language=ticket.customer.language,
                    reason=Notification.Reason.COPIED,
                )
            ],
            customer=ticket.customer,
            subject_reference=ticket.number,
            context={"ticket": ticket.pk, "watcher": watcher.pk},
        )
    return watcher


def ticket_watcher_remove(
    *, ticket: Ticket, actor: User, email: str, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        removed, _rows = ticket.watchers.filter(email__iexact=email).delete()
        if removed:
            audit_record(
                action=AuditEvent.Action.WATCHER_REMOVE,
                customer=ticket.customer,
                actor=actor,
                target_email=email.strip().lower(),
                detail={"ticket": ticket.number},
                request=request,
            )


def ticket_watcher_confirm(*, token: str) -> Watcher:
    """The person confirms through the link: from now on they receive the ticket's updates.
    The link works once (a conditional update, so two posts at once confirm once)."""
    watcher = watcher_by_token(token)
    with transaction.atomic():
        now = timezone.now()
        confirmed = Watcher.objects.filter(pk=watcher.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        if not confirmed:
            raise DomainError(
                _("This link was already used: you already receive this ticket's updates.")
            )
        watcher.confirmed_at = now
        audit_record(
            action=AuditEvent.Action.WATCHER_CONFIRM,
            customer=watcher.ticket.customer,
            target_email=watcher.email,
            detail={"ticket": watcher.ticket.number},
        )
    return watcher
