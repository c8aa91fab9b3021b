"""The ground floor's own outbox e-mails: notification contacts, invitations and allauth's
account e-mails. Their builders register in core/notifications.py."""

from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import DomainError
from core.models import Invitation, Notification, NotificationContact, User
from core.notifications import (
    NotificationObsolete,
    notification_context,
    notification_on_bounce,
    notification_on_sent,
    notification_renderer,
    subject_render,
)
from core.selectors import user_exists
from core.services import invitation_token_issue
from core.services.account_emails import account_email_values_load
from core.services.notification_contacts import contact_bounce_record, contact_confirmation_token


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


@notification_context("portal/contact_confirm", to_unconfirmed=True)
def _contact_confirm(notification: "Notification") -> dict:

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


# --- Whole messages built at delivery: invitations and allauth's e-mails ---------------------
# Their links carry a secret (an invitation token, a password-reset key) that is never stored:
# it is made here, in the worker, and the link always starts with PORTAL_BASE_URL.
@notification_renderer("portal/invitation")
def _invitation(notification: "Notification") -> EmailMultiAlternatives:
    assert notification.customer_id is not None  # invitation_notify names the customer
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

    Invitation.objects.filter(pk=notification.context.get("invitation")).update(sent_at=Now())


def _password_reset_link(notification: "Notification", user) -> dict:

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


@notification_on_bounce(Notification.Reason.CONTACT)
def _contact_refused(notification: Notification, error: str) -> None:
    """The relay refused a notification contact's address: flag it, and its customer's
    administrators are told (R-GCR-4)."""
    contact_bounce_record(
        customer_id=notification.customer_id, email=notification.to_email, reason=error
    )
