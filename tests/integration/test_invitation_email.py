"""An invitation travels from the page through Redis and the worker to a real SMTP server."""

import email
import re
from email import policy
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core import services
from core.models import Area, Invitation, Level, Membership, Notification
from tests.integration.support import wait_until

LINK = re.compile(r"https?://[^\s\"'<>]+/invitations/[^/\s\"'<>]+/")


def _subject(customer, language: str) -> str:
    context = {"customer": customer, "PROVIDER_NAME": settings.PROVIDER_NAME}
    with translation.override(language):
        return " ".join(render_to_string("emails/portal/invitation_subject.txt", context).split())


def _one_message(smtp_sink):
    raw = wait_until(smtp_sink.received, timeout=30, what="the invitation at the SMTP server")
    assert len(raw) == 1
    return email.message_from_bytes(raw[0], policy=policy.default)


def _sent(invitation: Invitation) -> bool:
    invitation.refresh_from_db()
    return invitation.sent_at is not None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_invitation_from_the_page_is_delivered_by_the_worker(
    live_celery, smtp_sink, portal_admin_client, customer
):
    data = {
        "email": "Nora.Nueva@Acme.test",
        "full_name": "Nora Nueva",
        "language": "pt-br",
        "role": Membership.Role.USER,
        **{area.value: Level.NONE for area in Area},
        Area.TICKETS: Level.ACT,
    }

    response = portal_admin_client.post(reverse("portal:user_invite"), data)

    assert response.status_code == 302
    invitation = Invitation.objects.get(customer=customer, email="nora.nueva@acme.test")
    message = _one_message(smtp_sink)
    assert message["To"] == "nora.nueva@acme.test"
    subject = " ".join(str(message["Subject"]).split())
    assert subject == _subject(customer, "pt-br")
    assert subject != _subject(customer, "en"), "the subject is not translated to Portuguese"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    url = LINK.search(text).group(0)
    assert url.startswith(settings.PORTAL_BASE_URL + "/")
    assert url in html
    assert Client().get(urlsplit(url).path).status_code == 200
    wait_until(lambda: _sent(invitation), timeout=10, what="Invitation.sent_at")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_retried_until_the_smtp_server_answers(
    live_celery, smtp_sink, customer, portal_admin_user
):
    smtp_sink.stop()

    invitation = services.invitation_create(
        customer=customer,
        actor=portal_admin_user,
        email="late@acme.test",
        full_name="",
        language="es",
        role=Membership.Role.USER,
        permissions={Area.SERVICES: Level.VIEW},
    )

    row = Notification.objects.get(template="portal/invitation")
    wait_until(
        lambda: Notification.objects.filter(pk=row.pk, relay_fault=True, attempts__gte=2).exists(),
        timeout=30,
        what="the worker to retry the invitation while the SMTP server is down",
    )
    assert not _sent(invitation)
    assert Notification.objects.get(pk=row.pk).status != Notification.Status.FAILED
    smtp_sink.start()
    message = _one_message(smtp_sink)
    assert message["To"] == "late@acme.test"
    url = LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(0)
    assert Client().get(urlsplit(url).path).status_code == 200
    wait_until(lambda: _sent(invitation), timeout=10, what="Invitation.sent_at")
