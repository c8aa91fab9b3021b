"""What the ticket e-mails need at delivery time, loaded from the ids the outbox row keeps.

Every load is scoped to the row's customer. A customer e-mail reads only public replies, status
changes and escalations (tickets.selectors.CUSTOMER_MESSAGE_KINDS): an internal note is never
loaded, so it cannot be rendered (issue 5, section 2)."""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext

from core.lib.durations import duration_words
from core.models import Notification
from core.notifications import (
    NotificationObsolete,
    context_row,
    notification_context,
    notification_recipient_check,
)
from tickets.models import Attachment, Message, PauseInterval, Ticket, Watcher
from tickets.selectors import CUSTOMER_MESSAGE_KINDS
from tickets.services.watchers import CONFIRM_MAX_AGE, watcher_confirmation_token
from tickets.sla import ticket_clock


def _ticket(notification) -> Ticket:
    return context_row(
        Ticket.objects.select_related(
            "customer", "opened_by", "requester", "assignee"
        ).prefetch_related("services", "pauses"),
        notification,
        "ticket",
        gone="the ticket is gone",
        customer_id=notification.customer_id,
    )


@notification_recipient_check(Notification.Reason.COPIED)
def _still_copied(notification) -> None:
    """Someone removed from the people copied on the ticket hears nothing more of it, and
    someone who has not confirmed yet hears nothing but the confirmation request."""
    if notification.template == "tickets/watcher_confirm":
        return  # its builder checks the person, and that they have not confirmed yet
    watcher = Watcher.objects.filter(
        ticket_id=notification.context.get("ticket"),
        ticket__customer_id=notification.customer_id,
        email__iexact=notification.to_email,
    ).first()
    if watcher is None:
        raise NotificationObsolete("no longer copied on the ticket")
    if not watcher.is_confirmed:
        raise NotificationObsolete("the person copied has not confirmed yet")


def _message_id(notification) -> int | None:
    """The message the e-mail is about: the context's "message", else the event's suffix
    (`ticket:<number>:reply:<pk>`)."""
    value = notification.context.get("message")
    if value is None:
        value = notification.event.rsplit(":", 1)[-1]
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _message(notification, ticket: Ticket, *, kind: str, from_staff: bool | None = None):
    """One message of the ticket; only kinds a customer may read, never an internal note."""
    if kind not in CUSTOMER_MESSAGE_KINDS:
        raise ValueError(f"{kind} messages are not for e-mails")
    message_id = _message_id(notification)
    if message_id is None:
        raise NotificationObsolete("the message is gone")
    messages = Message.objects.select_related("author").filter(
        pk=message_id, ticket=ticket, kind=kind
    )
    if from_staff is not None:
        messages = messages.filter(from_staff=from_staff)
    message = messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.filter(internal=False))
    ).first()
    if message is None:
        raise NotificationObsolete("the message is gone")
    return message


def _facts(ticket: Ticket) -> dict:
    return {
        "ticket": ticket,
        "services": sorted(ticket.services.all(), key=lambda service: service.service_id),
        "response_words": duration_words(ticket.response_target),
        "restoration_words": duration_words(ticket.restoration_target),
        "button": gettext("See the ticket"),
    }


def _clock(ticket: Ticket) -> dict:
    clock = ticket_clock(ticket)
    return {
        "clock": clock,
        "elapsed_words": duration_words(clock.elapsed),
        "paused_words": duration_words(clock.paused),
        "remaining_words": duration_words(abs(clock.remaining)),
    }


@notification_context("tickets/opened")
def _opened(notification) -> dict:
    return _facts(_ticket(notification))


@notification_context("tickets/waiting")
def _waiting(notification) -> dict:
    """R-TT-3: the reason is labelled again in the recipient's language; the TSC's words come
    from the context, as the TSC wrote them for the customer."""
    ticket = _ticket(notification)
    reason = notification.context.get("reason", "")
    label = PauseInterval.Reason(reason).label if reason in PauseInterval.Reason.values else ""
    return {
        **_facts(ticket),
        "reason_label": label or notification.context.get("reason_label", ""),
        "tsc_message": notification.context.get("message", ""),
        "button": gettext("Answer in the portal"),
    }


@notification_context("tickets/reply")
def _reply(notification) -> dict:
    ticket = _ticket(notification)
    message = _message(notification, ticket, kind=Message.Kind.PUBLIC, from_staff=True)
    return {
        **_facts(ticket),
        "message": message,
        "files": [attachment.filename for attachment in message.attachments.all()],
        "button": gettext("Answer in the portal"),
    }


@notification_context("tickets/resolved")
def _resolved(notification) -> dict:
    ticket = _ticket(notification)
    if ticket.restored_at is None:
        raise NotificationObsolete("the ticket was reopened before this e-mail left")
    return {
        **_facts(ticket),
        **_clock(ticket),
        "reopen_days": settings.TICKET_CLOSE_AFTER_DAYS,
    }


@notification_context("tickets/status")
def _status(notification) -> dict:
    ticket = _ticket(notification)
    change = (
        Message.objects.filter(ticket=ticket, kind=Message.Kind.STATUS, status=ticket.status)
        .order_by("-created_at", "-id")
        .first()
    )
    return {**_facts(ticket), "note": change.body if change else ""}


@notification_context("tickets/customer_reply")
def _customer_reply(notification) -> dict:
    """To the TSC: the customer's words, linked to the admin (the context's "url")."""
    ticket = _ticket(notification)
    message = _message(notification, ticket, kind=Message.Kind.PUBLIC, from_staff=False)
    return {
        **_facts(ticket),
        "message": message,
        "author_name": _person(message.author),
        "files": [attachment.filename for attachment in message.attachments.all()],
        "reopened": bool(notification.context.get("reopened")),
        "button": gettext("Open in the staff administration"),
    }


@notification_context("tickets/escalated")
def _escalated(notification) -> dict:
    """To the TSC mailbox and the client experience lead: who, why, the facts, the clock."""
    ticket = _ticket(notification)
    message = _message(notification, ticket, kind=Message.Kind.ESCALATION)
    return {
        **_facts(ticket),
        **_clock(ticket),
        "message": message,
        "author_name": _person(message.author),
        "author_email": message.author.email if message.author else "",
        "assignee_name": _person(ticket.assignee) if ticket.assignee else "",
        "button": gettext("Open in the staff administration"),
    }


def _person(user) -> str:
    if user is None:
        return settings.PROVIDER_NAME
    return user.get_full_name() or user.email


@notification_context("tickets/watcher_confirm", to_unconfirmed=True)
def _watcher_confirm(notification) -> dict:
    """To a person just copied: the ticket's number, the customer's name and the link; nothing
    the customer wrote (subject, description, the name they typed), until the person confirms.
    The link is made here, at delivery: no token is stored."""
    watcher = (
        Watcher.objects.select_related("ticket")
        .filter(
            pk=notification.context.get("watcher"),
            ticket__customer_id=notification.customer_id,
            email__iexact=notification.to_email,
        )
        .first()
    )
    if watcher is None or watcher.is_confirmed:
        raise NotificationObsolete("the person is no longer copied, or already confirmed")
    token = watcher_confirmation_token(watcher)
    return {
        "url": settings.PORTAL_BASE_URL
        + reverse("tickets:watcher_confirm", kwargs={"token": token}),
        "button": gettext("Confirm or ignore"),
        "link_days": CONFIRM_MAX_AGE // (24 * 3600),
    }
