"""allauth's e-mails and invitations go through the outbox (review R4, A5): a broker outage costs
a delay, never a 500 or a lost security notice; no token or rendered link is stored in the
database or published to the broker; links are built at delivery from PORTAL_BASE_URL, never
from the Host header of the request.

The same against a real Redis, worker and SMTP server: tests/integration/test_account_outbox.py.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from core.models import Area, Invitation, Level, Membership, Notification
from core.services import outbox
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD_CHANGE = "/accounts/password/change/"
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"
RESET_LINK = re.compile(r"(https?://[^/\s]+)(/accounts/password/reset/key/\S+/)")
INVITATION_LINK = re.compile(r"(https?://[^/\s]+)(/invitations/[^/\s]+/)")


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as it does with Redis down (kombu's OperationalError); `up()` brings
    the broker back."""
    published = []

    def refuse(self, args=None, kwargs=None, **options):
        published.append((self.name, args, kwargs))
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)

    class Broker:
        attempts = published

        @staticmethod
        def up():
            monkeypatch.undo()

    return Broker


def _sweep(capture) -> None:
    """Beat's next run, after the broker came back."""
    with capture(execute=True):
        outbox.notifications_sweep()


def test_a_password_change_with_the_broker_down_succeeds_and_the_notice_waits_for_it(
    client, limited_user, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(limited_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PASSWORD_CHANGE,
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    assert response.status_code == 302
    limited_user.refresh_from_db()
    assert limited_user.check_password(NEW_PASSWORD)
    notice = Notification.objects.get(template="account/allauth")
    assert notice.status == Notification.Status.PENDING
    assert notice.context["prefix"] == "account/email/password_changed"
    assert notice.to_email == limited_user.email
    assert mail.outbox == []

    broker_down.up()
    _sweep(django_capture_on_commit_callbacks)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT
    (message,) = mail.outbox
    assert message.to == [limited_user.email]
    assert "Your password has been changed." in message.body
    assert message.extra_headers["Message-ID"] == notice.message_id


def test_the_reset_link_is_made_at_delivery_from_the_portal_address_and_works(
    settings, limited_user, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    visitor = Client(HTTP_HOST="evil.example")

    with django_capture_on_commit_callbacks(execute=True):
        asked = visitor.post(RESET, {"email": limited_user.email})

    assert asked.status_code == 302
    row = Notification.objects.get(template="account/allauth")
    stored = json.dumps(row.context)
    assert "reset/key" not in stored
    assert "password_reset_url" not in stored
    assert set(row.context) == {"prefix", "user", "values"}
    (message,) = mail.outbox
    origin, path = RESET_LINK.search(message.body).groups()
    assert origin == settings.PORTAL_BASE_URL  # never the Host header of the request
    assert "evil.example" not in message.body

    person = Client()
    opened = person.get(path)
    assert opened.status_code == 302
    saved = person.post(opened["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert saved.status_code == 302
    limited_user.refresh_from_db()
    assert limited_user.check_password(NEW_PASSWORD)


def test_a_reset_email_that_could_not_leave_in_time_is_cancelled_not_sent_late(
    limited_user, broker_down, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": limited_user.email})
    row = Notification.objects.get(template="account/allauth")
    Notification.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    )
    broker_down.up()

    assert outbox.notification_deliver(notification_id=row.pk) == "cancelled"
    assert mail.outbox == []


def invite_nora(portal_admin_client, **headers):
    """The administrator invites Nora through the users page."""
    data = {
        "email": "nora@acme.test",
        "full_name": "Nora Nueva",
        "language": "en",
        "role": Membership.Role.USER,
        **{area.value: Level.NONE for area in Area},
        Area.TICKETS: Level.ACT,
    }
    return portal_admin_client.post(reverse("portal:user_invite"), data, **headers)


def test_an_invitation_with_the_broker_down_publishes_and_stores_no_token(
    portal_admin_client, customer, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_nora(portal_admin_client)

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nora@acme.test")
    row = Notification.objects.get(template="portal/invitation")
    assert row.status == Notification.Status.PENDING
    assert row.context == {"invitation": invitation.pk}
    # What was offered to the broker: the row's id, nothing else.
    assert broker_down.attempts == [("core.tasks.notifications_deliver", ([row.pk],), None)]
    hash_before = invitation.token_hash

    broker_down.up()
    _sweep(django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    origin, path = INVITATION_LINK.search(message.body).groups()
    assert origin == settings.PORTAL_BASE_URL
    token = urlsplit(path).path.rstrip("/").rsplit("/", 1)[1]
    invitation.refresh_from_db()
    assert invitation.token_hash == Invitation.hash_token(token) != hash_before
    assert invitation.sent_at is not None
    assert token not in json.dumps(row.context)
    page = Client().get(path)
    assert page.status_code == 200
    assert "nora@acme.test" in page.content.decode()


def test_an_invitation_withdrawn_before_its_email_left_is_not_sent(
    portal_admin_client,
    portal_admin_user,
    customer,
    broker_down,
    django_capture_on_commit_callbacks,
):
    from core import services

    with django_capture_on_commit_callbacks(execute=True):
        invite_nora(portal_admin_client)
    invitation = Invitation.objects.get(email="nora@acme.test")
    services.invitation_revoke(invitation=invitation, actor=portal_admin_user)
    broker_down.up()

    _sweep(django_capture_on_commit_callbacks)

    row = Notification.objects.get(template="portal/invitation")
    assert row.status == Notification.Status.CANCELLED
    assert mail.outbox == []
