"""E-mails as subject / text / HTML template triplets, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.selectors import user_exists


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


def expansion_request(request) -> EmailMultiAlternatives:
    """The account manager hears of a new expansion request; replies go to the requester."""
    url = settings.PORTAL_BASE_URL + reverse(
        "admin:portal_expansionrequest_change", args=[request.pk]
    )
    message = _build(
        "portal/expansion_request",
        to=request.notified_to,
        language=settings.LANGUAGE_CODE,
        context={"request": request, "customer": request.customer, "url": url},
    )
    message.reply_to = [request.requested_by.email]
    return message


def expansion_request_step(event) -> EmailMultiAlternatives:
    request = event.request
    requester = request.requested_by
    url = settings.PORTAL_BASE_URL + reverse(
        "services:request_detail", kwargs={"number": request.number}
    )
    return _build(
        "portal/expansion_request_step",
        to=requester.email,
        language=requester.language or request.customer.language,
        context={"request": request, "event": event, "customer": request.customer, "url": url},
    )


def feedback(feedback) -> EmailMultiAlternatives:
    """A question or suggestion about the portal for the service manager (R-POR-6); replies go
    to the author. Provider staff read it in the portal's default language."""
    url = settings.PORTAL_BASE_URL + reverse("admin:portal_feedback_change", args=[feedback.pk])
    message = _build(
        "portal/feedback",
        to=feedback.sent_to,
        language=settings.LANGUAGE_CODE,
        context={
            "feedback": feedback,
            "customer": feedback.customer,
            "author_name": feedback.author.get_full_name() or feedback.author.email,
            "url": url,
        },
    )
    message.reply_to = [feedback.author.email]
    return message
