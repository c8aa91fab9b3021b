"""The outbox's e-mails: the registry each area fills with its templates' context builders,
and the rendering of a row into subject, text and HTML in its recipient's language."""

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from core.models import Membership, Notification, NotificationContact, NotificationKind, User


def subject_render(template: str, context: dict) -> str:
    """A Subject header is plain text: rendered without HTML escaping (a customer called
    "Acme & Co" must not arrive as "Acme &amp; Co"), on one line."""
    loaded = get_template(template)
    assert isinstance(loaded, DjangoTemplate)  # the only engine: it keeps the engine's template
    engine_template = loaded.template
    return " ".join(engine_template.render(Context(context, autoescape=False)).split())


# --- The outbox's e-mails -----------------------------------------------------------------------
# Each outbox template may register a builder that turns the row's stored context (ids and plain
# values) into what the template needs, at delivery time and in the recipient's language.
class NotificationObsolete(Exception):
    """What the e-mail was about is gone (a removed contact): cancel the row, do not fail it."""


NotificationBuilder = Callable[["Notification"], dict]


NotificationRenderer = Callable[["Notification"], EmailMultiAlternatives]


NotificationHook = Callable[["Notification"], None]


_builders: dict[str, NotificationBuilder] = {}


_renderers: dict[str, NotificationRenderer] = {}


_sent_hooks: dict[str, NotificationHook] = {}


_recipient_checks: dict[str, NotificationHook] = {}


_to_unconfirmed: set[str] = set()


_same_for_every_recipient: set[str] = set()
NotificationBounce = Callable[["Notification", str], None]
_bounce_hooks: dict[str, NotificationBounce] = {}


def notification_context(
    template: str, *, to_unconfirmed: bool = False, same_for_every_recipient: bool = False
) -> Callable[[NotificationBuilder], NotificationBuilder]:
    """Registers the builder of an outbox template. `to_unconfirmed`: the template asks an
    address that has confirmed nothing yet (a confirmation link), see notification_to_unconfirmed.
    `same_for_every_recipient`: what the builder returns depends only on the row's customer,
    language and stored context, never on who receives it, so the rows of one batch
    (rendering_batch) that share those build it once.
    """

    def register(builder: NotificationBuilder) -> NotificationBuilder:
        _builders[template] = builder
        if to_unconfirmed:
            _to_unconfirmed.add(template)
        if same_for_every_recipient:
            _same_for_every_recipient.add(template)
        return builder

    return register


# What the rows of one delivery batch share (a maintenance notice to a customer's three contacts:
# one .ics, one list of the customer's administrators). It lives for one batch, a moment, and
# never outside it: nothing is kept between tasks, so every batch reads the data afresh.
_batch_memo: ContextVar[dict | None] = ContextVar("notification_batch_memo", default=None)


@contextlib.contextmanager
def rendering_batch() -> Iterator[None]:
    """Rows rendered inside share the work that does not depend on their recipient."""
    token = _batch_memo.set({})
    try:
        yield
    finally:
        _batch_memo.reset(token)


def batch_shared[T](key: tuple, compute: Callable[[], T]) -> T:
    """compute(), once per `key` within a rendering_batch (every time outside one). For reads
    that do not depend on the recipient (the maintenance a notice announces, whatever the
    contact's language)."""
    memo = _batch_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()  # an exception (NotificationObsolete) is not kept: the next row asks
    return memo[key]


def notification_to_unconfirmed(notification: "Notification") -> bool:
    """Whether the row goes to an address that has not confirmed it wants the customer's
    e-mails. The customer can type any address, so such an e-mail carries nothing the customer
    typed (no display name: the name is the customer's free text) and does not tell the
    stranger who the customer's administrators are."""
    return (
        notification.reason == Notification.Reason.CONFIRMATION
        or notification.template in _to_unconfirmed
    )


def notification_renderer(
    template: str,
) -> Callable[[NotificationRenderer], NotificationRenderer]:
    """An outbox template that renders its whole message itself (an invitation, allauth's
    e-mails) instead of the notification layout; the outbox still adds its headers."""

    def register(renderer: NotificationRenderer) -> NotificationRenderer:
        _renderers[template] = renderer
        return renderer

    return register


def notification_on_sent(template: str) -> Callable[[NotificationHook], NotificationHook]:
    """Something to record once the relay accepted a row of `template` (an invitation's
    `sent_at`)."""

    def register(hook: NotificationHook) -> NotificationHook:
        _sent_hooks[template] = hook
        return hook

    return register


def notification_recipient_check(reason: str) -> Callable[[NotificationHook], NotificationHook]:
    """An area's check, at delivery, that a recipient of this `reason` still wants the e-mail
    (a person still copied on the ticket); it raises NotificationObsolete when not."""

    def register(check: NotificationHook) -> NotificationHook:
        _recipient_checks[reason] = check
        return check

    return register


def notification_sent(notification: "Notification") -> None:
    hook = _sent_hooks.get(notification.template)
    if hook is None:
        return
    try:
        hook(notification)
    except Exception:  # the e-mail is out and recorded; the hook's record is secondary
        logging.getLogger(__name__).exception(
            "notification %s: the after-sending step failed", notification.pk
        )


def _contact_still_wants(notification: "Notification") -> None:
    assert notification.customer_id is not None  # a contact is always some customer's
    contact = NotificationContact.objects.filter(
        customer_id=notification.customer_id, email__iexact=notification.to_email
    ).first()
    if contact is None:
        raise NotificationObsolete("the notification contact was removed")
    if not contact.is_confirmed:
        raise NotificationObsolete("the notification contact has not confirmed the address")
    if contact.is_bounced:
        raise NotificationObsolete("the notification contact's address bounced")
    if notification.kind and not getattr(contact, notification.kind, False):
        raise NotificationObsolete(
            f"the notification contact no longer subscribes to {notification.kind}"
        )


def _member_still_active(notification: "Notification") -> None:
    user = User.objects.filter(email__iexact=notification.to_email).first()
    if user is None or not user.is_active:
        raise NotificationObsolete("the person's account was removed or deactivated")
    if notification.customer_id is None:
        return
    if not Membership.objects.filter(
        user=user, customer_id=notification.customer_id, is_active=True
    ).exists():
        raise NotificationObsolete("the person's membership of this customer ended")


def recipient_check(notification: "Notification") -> None:
    """Recipients are fixed when the row is written and checked again here, at delivery: a
    contact removed, unconfirmed, bounced or unsubscribed from the kind, or a person whose
    membership ended, receives nothing more (reminders scheduled weeks ago included)."""
    reason = notification.reason
    if reason == Notification.Reason.CONTACT:
        _contact_still_wants(notification)
    elif reason in (Notification.Reason.REQUESTER, Notification.Reason.USER):
        _member_still_active(notification)
    check = _recipient_checks.get(reason)
    if check is not None:
        check(notification)


def _admin_emails(customer) -> list[str]:
    if customer is None:
        return []
    return list(
        customer.memberships.filter(role="admin", is_active=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def mailbox_format(name: str, email: str) -> str:
    """`Name <address>` for a To header, or the bare address when the header, as this Python
    writes and reads it back, would not carry exactly that one name and address.

    Python 3.12's e-mail package loses the quotes around a display name when it folds a long
    header or encodes part of a name in RFC 2047: "Compras, Logística" then reads as two
    recipients, "Ventas: Acme Logística" as a group, a "(...)" as a comment. A name is a
    courtesy and the address must be right, so the header is written and parsed here as it
    will be sent and the name kept only if it survives. Line breaks become spaces (a name
    typed with one made every attempt fail).

    A name of plain words (ASCII letters, digits, spaces and hyphens) in a header
    short enough not to be folded needs no quotes and no encoding: it is kept without the round
    trip, which costs about a millisecond of a worker's CPU per e-mail."""
    name = " ".join(name.split())
    if not name:
        return email
    value = formataddr((name, email))
    if _PLAIN_NAME.fullmatch(name) and email.isascii() and len(value) <= _UNFOLDED:
        return value
    return _mailbox_checked(name, email, value)


# What formataddr writes unquoted and the parser reads back as written: no special (a dot, a
# comma, a colon...) to quote, no "=?" to take for an encoded word. "To: " and the value within
# 78 characters is a line that is not folded.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?")
_UNFOLDED = 78 - len("To: ")


def _mailbox_checked(name: str, email: str, value: str) -> str:
    header = EmailMessage(policy=policy.SMTP)
    try:
        header["To"] = value
        parsed = message_from_bytes(header.as_bytes(), policy=policy.default)["To"]
        (group,) = parsed.groups
        (address,) = group.addresses
    except Exception:  # noqa: BLE001 - any parser or folder failure: the address alone is safe
        return email
    if group.display_name is None and (address.display_name, address.addr_spec) == (name, email):
        return value
    return email


def _outbox_headers(notification: "Notification") -> dict[str, str]:
    return {
        "Message-ID": notification.message_id,
        "X-Portal-Notification": notification.key[:200],
        "Auto-Submitted": "auto-generated",
    }


def notification_message(notification: "Notification") -> EmailMultiAlternatives:
    """Subject, text and HTML of an outbox row in its recipient's language, with attachments.
    Raises NotificationObsolete when the recipient or what it is about no longer applies."""
    recipient_check(notification)
    renderer = _renderers.get(notification.template)
    if renderer is not None:
        message = renderer(notification)
        message.extra_headers.update(_outbox_headers(notification))
        return message
    customer = notification.customer
    zone = customer.timezone if customer else settings.TIME_ZONE
    to_unconfirmed = notification_to_unconfirmed(notification)
    with translation.override(notification.language), timezone.override(zone):
        context = {
            "PROVIDER_NAME": settings.PROVIDER_NAME,
            "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
            "LANGUAGE_CODE": notification.language,
            "notification": notification,
            "customer": customer,
            "reference": notification.subject_reference,
            "kind_label": NotificationKind(notification.kind).label if notification.kind else "",
            "to_unconfirmed": to_unconfirmed,
            "admin_emails": []
            if to_unconfirmed or customer is None
            else batch_shared(("admins", customer.pk), lambda: _admin_emails(customer)),
            **notification.context,
        }
        builder = _builders.get(notification.template)
        if builder is not None and notification.template in _same_for_every_recipient:
            key = (
                "builder",
                notification.template,
                notification.customer_id,
                notification.language,
                json.dumps(notification.context, sort_keys=True),
            )
            context.update(batch_shared(key, lambda: builder(notification)))
        elif builder is not None:
            context.update(builder(notification))
        path = context.get("path")
        if path and "url" not in context:
            context["url"] = settings.PORTAL_BASE_URL + path
        attachments = context.pop("attachments", [])
        reply_to = context.pop("reply_to", [])
        name = f"emails/{notification.template}"
        context["body_template"] = f"{name}_body.txt"
        subject = subject_render(f"{name}_subject.txt", context)
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    name = "" if to_unconfirmed else notification.to_name
    to = mailbox_format(name, notification.to_email)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers=_outbox_headers(notification),
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def context_row(queryset, notification: "Notification", key: str, *, gone: str, **scope):
    """The row of `queryset` that the row's context names under `key`, looked for only within
    `scope` (its customer, the record it belongs to). Gone since the e-mail was queued: the
    e-mail is withdrawn (NotificationObsolete, saying `gone`)."""
    row = queryset.filter(pk=notification.context.get(key), **scope).first()
    if row is None:
        raise NotificationObsolete(gone)
    return row


def customer_row(model, notification: "Notification", name: str):
    return context_row(
        model.objects.select_related("customer"),
        notification,
        name,
        gone=f"the {name} is gone",
        customer_id=notification.customer_id,
    )


def notification_on_bounce(reason: str) -> Callable[[NotificationBounce], NotificationBounce]:
    """What to record when the relay refuses the recipient of a row sent for `reason` (a
    notification contact is flagged as bounced): registered by the area that owns the address."""

    def register(hook: NotificationBounce) -> NotificationBounce:
        _bounce_hooks[reason] = hook
        return hook

    return register


def notification_bounced(notification: "Notification", error: str) -> None:
    hook = _bounce_hooks.get(notification.reason)
    if hook is not None:
        hook(notification, error)
