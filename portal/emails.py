"""E-mails as subject / text / HTML template triplets, rendered in the recipient's language."""

from collections.abc import Callable
from datetime import timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext

from portal.models import NotificationKind
from portal.selectors import user_exists

if TYPE_CHECKING:
    from portal.models import Notification


def _build(template: str, *, to: str, language: str, context: dict) -> EmailMultiAlternatives:
    context = {
        "PROVIDER_NAME": settings.PROVIDER_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **context,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(html, "text/html")
    return message


def invitation(invitation, token: str) -> EmailMultiAlternatives:
    url = settings.PORTAL_BASE_URL + reverse("portal:invitation_accept", kwargs={"token": token})
    inviter = (
        invitation.invited_by.get_full_name() if invitation.invited_by else settings.PROVIDER_NAME
    )
    return _build(
        "portal/invitation",
        to=invitation.email,
        language=invitation.language,
        context={
            "invitation": invitation,
            "url": url,
            "inviter": inviter,
            "customer": invitation.customer,
            "has_account": user_exists(invitation.email),
        },
    )


# --- The outbox's e-mails -----------------------------------------------------------------------
# Each outbox template may register a builder that turns the row's stored context (ids and plain
# values) into what the template needs, at delivery time and in the recipient's language.
def duration_words(value: timedelta) -> str:
    """A duration in words, "4 hours" or "1 day, 2 hours", in Django's translated units."""
    base = timezone.now()
    return timesince(base, base + max(value, timedelta(0)), depth=2).replace("\xa0", " ")


class NotificationObsolete(Exception):
    """What the e-mail was about is gone (a removed contact): cancel the row, do not fail it."""


NotificationBuilder = Callable[["Notification"], dict]
_builders: dict[str, NotificationBuilder] = {}


def notification_context(template: str) -> Callable[[NotificationBuilder], NotificationBuilder]:
    def register(builder: NotificationBuilder) -> NotificationBuilder:
        _builders[template] = builder
        return builder

    return register


def _admin_emails(customer) -> list[str]:
    if customer is None:
        return []
    return list(
        customer.memberships.filter(role="admin", is_active=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def notification_message(notification: "Notification") -> EmailMultiAlternatives:
    """Subject, text and HTML of an outbox row in its recipient's language, with attachments."""
    customer = notification.customer
    zone = customer.timezone if customer else settings.TIME_ZONE
    with translation.override(notification.language), timezone.override(zone):
        context = {
            "PROVIDER_NAME": settings.PROVIDER_NAME,
            "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
            "LANGUAGE_CODE": notification.language,
            "notification": notification,
            "customer": customer,
            "reference": notification.subject_reference,
            "kind_label": NotificationKind(notification.kind).label if notification.kind else "",
            "admin_emails": _admin_emails(customer),
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
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    to = formataddr((notification.to_name, notification.to_email))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={
            "Message-ID": notification.message_id,
            "X-Portal-Notification": notification.key[:200],
            "Auto-Submitted": "auto-generated",
        },
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


@notification_context("portal/contact_confirm")
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
