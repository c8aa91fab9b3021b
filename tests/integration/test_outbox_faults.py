"""Transport faults against real parts (review R1, R3, R4): a relay that refuses our login, and a
broker that is down while people change and reset their passwords. Each test has a redis-server,
an SMTP server and a worker of its own (`private_stack`); nothing shared is stopped.
"""

import email
import re
import time
from email import policy

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from core.models import Notification, NotificationKind
from core.services.outbox import Recipient, notify
from core.tasks import notifications_sweep
from tests.factories import PASSWORD, NotificationContactFactory
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KEY = "X-Portal-Notification"
NEW_PASSWORD = "Lantern-Quiet-Harbour-77"
RESET_LINK = re.compile(r"(https?://[^/\s]+)(/accounts/password/reset/key/\S+/)")


def _status(*statuses: str) -> int:
    return Notification.objects.filter(status__in=statuses).count()


def _messages(sink) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(raw, policy=policy.default) for raw in sink.received()]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- A relay that answers 535 to our login ------------------------------------------------------
@pytest.mark.smtp_auth
def test_a_relay_refusing_our_login_bounces_nobody_and_all_goes_out_once_it_accepts(
    private_stack, customer, admin_membership
):
    """As after a relay password rotation with a typo in EMAIL_URL. The retry schedule is an
    hour here: only the sweep's probe of the relay can send the rows as soon as it accepts."""
    stack = private_stack
    stack.smtp.accept_logins = False
    contacts = [
        NotificationContactFactory(
            customer=customer, email=f"noc{n}@acme.test", maintenance=True, orders=False
        )
        for n in range(3)
    ]
    stack.start_worker(env={"NOTIFICATION_RETRY_SCHEDULE": "1h"})
    for n in range(4):
        with transaction.atomic():
            notify(
                event=f"maintenance:MNT-{n}:scheduled",
                template="portal/contact_bounced",
                recipients=[Recipient.for_contact(contact) for contact in contacts],
                customer=customer,
                kind=NotificationKind.MAINTENANCE,
                context={"contact_name": "x", "contact_email": "x@acme.test", "path": "/"},
            )

    wait_until(
        lambda: Notification.objects.filter(relay_fault=True).count() == 12,
        timeout=60,
        what="every row to meet the refused login",
    )
    assert _status(Notification.Status.FAILED) == 0
    assert _status(Notification.Status.PENDING) == 12
    assert all(ok is False for ok in stack.smtp.logins)
    assert len(stack.smtp.logins) >= 12
    assert "535" in Notification.objects.first().last_error
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.bounced_at is None
    assert not Notification.objects.filter(template="portal/contact_bounced", reason="user")
    assert stack.smtp.received() == []

    tried = len(stack.smtp.logins)
    notifications_sweep.delay()  # the sweep's probe is refused too: nothing moves
    wait_until(lambda: len(stack.smtp.logins) > tried, timeout=30, what="the sweep's probe")
    assert _status(Notification.Status.PENDING) == 12
    assert stack.smtp.received() == []

    stack.smtp.accept_logins = True  # the password is fixed
    started = time.monotonic()
    notifications_sweep.delay()

    wait_until(
        lambda: _status(Notification.Status.SENT) == 12,
        timeout=60,
        what="every row once the relay accepts the login",
    )
    waited = time.monotonic() - started
    received = stack.smtp.count_by(KEY)
    assert set(received.values()) == {1}
    assert set(received) == set(Notification.objects.values_list("key", flat=True))
    assert waited < 30, f"took {waited:.0f}s after the relay accepted again"


# --- The broker is down during a password change and a reset ------------------------------------
def test_with_the_broker_down_password_emails_wait_and_the_reset_link_works(
    private_stack, limited_user
):
    stack = private_stack
    stack.start_worker()
    stack.redis.stop()

    person = Client()
    person.force_login(limited_user)
    changed = person.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302  # no 500: the notice waits in the outbox
    limited_user.refresh_from_db()
    assert limited_user.check_password(NEW_PASSWORD)
    person.logout()
    asked = Client().post("/accounts/password/reset/", {"email": limited_user.email})
    assert asked.status_code == 302

    rows = Notification.objects.filter(template="account/allauth")
    assert sorted(row.context["prefix"] for row in rows) == [
        "account/email/password_changed",
        "account/email/password_reset_key",
    ]
    assert {row.status for row in rows} == {Notification.Status.PENDING}
    assert "reset/key" not in str([row.context for row in rows])

    stack.redis.start()  # empty: the broker lost whatever it held
    notifications_sweep.delay()
    wait_until(lambda: len(stack.smtp.received()) == 2, timeout=60, what="both e-mails")

    messages = {
        ("reset" if RESET_LINK.search(_text(m)) else "notice"): m for m in _messages(stack.smtp)
    }
    assert "Your password has been changed." in _text(messages["notice"])
    origin, path = RESET_LINK.search(_text(messages["reset"])).groups()
    assert origin == settings.PORTAL_BASE_URL
    browser = Client()
    opened = browser.get(path)
    assert opened.status_code == 302
    saved = browser.post(
        opened["Location"], {"password1": "Violet-Tide-93", "password2": "Violet-Tide-93"}
    )
    assert saved.status_code == 302
    limited_user.refresh_from_db()
    assert limited_user.check_password("Violet-Tide-93")
