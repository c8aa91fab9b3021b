"""E-mails as subject / text / HTML template triplets, rendered in the recipient's language."""

import logging
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.models import NotificationKind
from portal.selectors import user_exists

if TYPE_CHECKING:
    from portal.models import Notification


def subject_render(template: str, context: dict) -> str:
    """A Subject header is plain text: rendered without HTML escaping (a customer called
    "Acme & Co" must not arrive as "Acme &amp; Co"), on one line."""
    engine_template = get_template(template).template
    return " ".join(engine_template.render(Context(context, autoescape=False)).split())


def _build(template: str, *, to: str, language: str, context: dict) -> EmailMultiAlternatives:
    context = {
        "PROVIDER_NAME": settings.PROVIDER_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **context,
    }
    with translation.override(language):
        subject = subject_render(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(html, "text/html")
    return message


def invitation(invitation, token: str) -> EmailMultiAlternatives:
    """To an address nobody has confirmed: the customer's display name and the link, never
    a name the customer's administrator typed (the invitee's, or their own as the inviter),
    which would let anyone send their text from the provider's domain."""
    url = settings.PORTAL_BASE_URL + reverse("portal:invitation_accept", kwargs={"token": token})
    return _build(
        "portal/invitation",
        to=invitation.email,
        language=invitation.language,
        context={
            "invitation": invitation,
            "url": url,
            "customer": invitation.customer,
            "has_account": user_exists(invitation.email),
        },
    )


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


def notification_context(
    template: str, *, to_unconfirmed: bool = False
) -> Callable[[NotificationBuilder], NotificationBuilder]:
    """Registers the builder of an outbox template. `to_unconfirmed`: the template asks an
    address that has confirmed nothing yet (a confirmation link), see notification_to_unconfirmed.
    """

    def register(builder: NotificationBuilder) -> NotificationBuilder:
        _builders[template] = builder
        if to_unconfirmed:
            _to_unconfirmed.add(template)
        return builder

    return register


def notification_to_unconfirmed(notification: "Notification") -> bool:
    """Whether the row goes to an address that has not confirmed it wants the customer's
    e-mails. The customer can type any address, so such an e-mail carries nothing the customer
    typed (no display name: the name is the customer's free text) and does not tell the
    stranger who the customer's administrators are."""
    from portal.models import Notification

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
    from portal.models import NotificationContact

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
    from portal.models import Membership, User

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
    from portal.models import Notification

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
    typed with one made every attempt fail)."""
    name = " ".join(name.split())
    if not name:
        return email
    value = formataddr((name, email))
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
            "admin_emails": [] if to_unconfirmed else _admin_emails(customer),
            **notification.context,
        }
        builder = _builders.get(notification.template)
        if builder is not None:
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


@notification_context("portal/contact_confirm", to_unconfirmed=True)
def _contact_confirm(notification: "Notification") -> dict:
    from portal.models import NotificationContact
    from portal.services.notification_contacts import contact_confirmation_token

    contact = NotificationContact.objects.filter(pk=notification.context.get("contact")).first()
    if contact is None or contact.email.lower() != notification.to_email.lower():
        raise NotificationObsolete("the contact was removed or its address changed")
    token = contact_confirmation_token(contact)
    return {
        "url": settings.PORTAL_BASE_URL
        + reverse("portal:notification_contact_confirm", kwargs={"token": token}),
        "kinds": ", ".join(str(label).lower() for label in contact.kind_labels),
        "button": gettext("Confirm my address"),
    }


@notification_context("portal/contact_bounced")
def _contact_bounced(notification: "Notification") -> dict:
    return {"button": gettext("Review notification contacts")}


def _customer_row(model, notification: "Notification", name: str):
    row = (
        model.objects.select_related("customer")
        .filter(pk=notification.context.get(name), customer_id=notification.customer_id)
        .first()
    )
    if row is None:
        raise NotificationObsolete(f"the {name} is gone")
    return row


@notification_context("portal/expansion_request")
def _expansion_request(notification: "Notification") -> dict:
    """The account manager hears of a new expansion request; replies go to the requester."""
    from portal.models import ExpansionRequest

    request = _customer_row(ExpansionRequest, notification, "request")
    return {
        "request": request,
        "url": settings.PORTAL_BASE_URL
        + reverse("admin:portal_expansionrequest_change", args=[request.pk]),
        "button": gettext("Open in the staff administration"),
        "reply_to": [request.requested_by.email],
    }


@notification_context("portal/expansion_request_step")
def _expansion_request_step(notification: "Notification") -> dict:
    from portal.models import ExpansionRequestEvent

    event = (
        ExpansionRequestEvent.objects.select_related("request__customer", "request__service")
        .filter(pk=notification.context.get("event"), request__customer_id=notification.customer_id)
        .first()
    )
    if event is None:
        raise NotificationObsolete("the expansion request step is gone")
    return {
        "request": event.request,
        "event": event,
        "path": reverse("services:request_detail", kwargs={"number": event.request.number}),
    }


@notification_context("portal/feedback")
def _feedback(notification: "Notification") -> dict:
    """A question or suggestion about the portal for the service manager (R-POR-6); replies go
    to the author."""
    from portal.models import Feedback

    feedback = _customer_row(Feedback, notification, "feedback")
    return {
        "feedback": feedback,
        "author_name": feedback.author.get_full_name() or feedback.author.email,
        "url": settings.PORTAL_BASE_URL
        + reverse("admin:portal_feedback_change", args=[feedback.pk]),
        "button": gettext("Open in the staff administration"),
        "reply_to": [feedback.author.email],
    }


# --- Whole messages built at delivery: invitations and allauth's e-mails ---------------------
# Their links carry a secret (an invitation token, a password-reset key) that is never stored:
# it is made here, in the worker, and the link always starts with PORTAL_BASE_URL.
@notification_renderer("portal/invitation")
def _invitation(notification: "Notification") -> EmailMultiAlternatives:
    from portal.errors import DomainError
    from portal.models import Invitation
    from portal.services import invitation_token_issue

    found = (
        Invitation.objects.select_related("customer", "invited_by")
        .filter(pk=notification.context.get("invitation"), customer_id=notification.customer_id)
        .first()
    )
    if found is None or not found.is_pending:
        raise NotificationObsolete("the invitation was accepted, withdrawn, replaced or expired")
    try:
        token = invitation_token_issue(invitation=found)
    except DomainError as why:
        raise NotificationObsolete(str(why.message)) from None
    return invitation(found, token)


@notification_on_sent("portal/invitation")
def _invitation_sent(notification: "Notification") -> None:
    from django.db.models.functions import Now

    from portal.models import Invitation

    Invitation.objects.filter(pk=notification.context.get("invitation")).update(sent_at=Now())


def _password_reset_link(notification: "Notification", user) -> dict:
    from urllib.parse import quote

    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    if user is None or not user.is_active:
        raise NotificationObsolete("the account was removed or deactivated")
    age = timezone.now() - notification.created_at
    if age.total_seconds() > settings.PASSWORD_RESET_TIMEOUT:
        raise NotificationObsolete("the reset was asked for longer ago than a link stays valid")
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return {"password_reset_url": settings.PORTAL_BASE_URL + path.replace("UID-KEY", quote(key))}


_ACCOUNT_LINKS = {"account/email/password_reset_key": _password_reset_link}


@notification_renderer("account/allauth")
def _account(notification: "Notification") -> EmailMultiAlternatives:
    """One of allauth's e-mails, rendered by allauth's own templates as the request would have."""
    from types import SimpleNamespace
    from urllib.parse import urlsplit

    from allauth.account.adapter import get_adapter

    from portal.models import User
    from portal.services.account_emails import account_email_values_load

    prefix = notification.context["prefix"]
    user = User.objects.filter(pk=notification.context.get("user")).first()
    context = {
        **account_email_values_load(notification.context.get("values", {})),
        "user": user,
        "email": notification.to_email,
        "current_site": SimpleNamespace(
            name=settings.PROVIDER_NAME, domain=urlsplit(settings.PORTAL_BASE_URL).netloc
        ),
        "PROVIDER_NAME": settings.PROVIDER_NAME,
    }
    links = _ACCOUNT_LINKS.get(prefix)
    if links is not None:
        context.update(links(notification, user))
    zone = (user.timezone if user else "") or settings.TIME_ZONE
    with translation.override(notification.language), timezone.override(zone):
        return get_adapter().render_mail(prefix, notification.to_email, context)
