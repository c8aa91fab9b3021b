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
