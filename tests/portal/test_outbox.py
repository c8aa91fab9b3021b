"""The notification outbox in one process: rows, claims, retries, failures, rendering.

The guarantees against a real broker, worker and SMTP server are in tests/integration."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal.celery import app
from portal.models import Notification, NotificationContact
from portal.services import outbox
from portal.services.outbox import Recipient, notify
from tests.factories import NotificationContactFactory

pytestmark = pytest.mark.django_db


def _recipient(email="ana@acme.test", language="es", reason=Notification.Reason.CONTACT):
    return Recipient(email=email, name="Ana", language=language, reason=reason)


def _notify(customer, *, event="test:1", recipients=None, **extra):
    return notify(
        event=event,
        template="portal/contact_bounced",
        recipients=recipients or [_recipient()],
        customer=customer,
        subject_reference="ORD-2026-00001",
        context={
            "contact_name": "Nico",
            "contact_email": "nico@acme.test",
            "bounce_reason": "550 no such user",
            "path": "/notifications/",
        },
        **extra,
    )


class FailingMailer:
    """An SMTP backend stand-in that answers like a real server would, for the unit tests; the
    integration tests use a real aiosmtpd server."""

    errors: list[Exception] = []

    def __init__(self, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FailingMailer.errors:
            raise FailingMailer.errors.pop(0)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def failing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingMailer"}}
    FailingMailer.errors = []
    yield FailingMailer
    FailingMailer.errors = []


def test_notify_writes_one_row_per_recipient_and_delivers_after_commit(
    customer, admin_membership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = _notify(
            customer,
            recipients=[_recipient(), _recipient("ANA@acme.test"), _recipient("bo@acme.test")],
        )
        assert len(mail.outbox) == 0  # nothing leaves before the commit
    assert len(ids) == 2  # the same address twice is one e-mail
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["Ana <ana@acme.test>", "Ana <bo@acme.test>"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert all(n.sent_at and n.attempts == 1 for n in Notification.objects.all())


def test_the_same_event_recorded_twice_is_one_email_per_recipient(
    customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(customer)
        second = _notify(customer)
    assert len(first) == 1 and second == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    customer, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(customer)
        raise RuntimeError("the write failed after notify")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_broker_outage_does_not_break_the_caller_and_the_row_waits(
    customer, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("portal.tasks.notification_deliver.apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(customer)
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING
    assert mail.outbox == []


def test_the_sweep_enqueues_due_rows_and_frees_rows_of_a_dead_worker(customer, settings):
    settings.NOTIFICATION_CLAIM_TIMEOUT = 60
    with transaction.atomic():
        _notify(customer, event="due")
        _notify(customer, event="later", send_at=timezone.now() + timedelta(days=1))
        _notify(customer, event="stuck")
    Notification.objects.filter(event="due").update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    # A worker claimed "stuck" ten minutes ago and died before sending.
    Notification.objects.filter(event="stuck").update(
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=10),
        attempts=1,
    )
    mail.outbox.clear()

    assert outbox.notifications_sweep() == 2

    assert Notification.objects.get(event="due").status == "sent"
    stuck = Notification.objects.get(event="stuck")
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert Notification.objects.get(event="later").status == "pending"
    assert len(mail.outbox) == 2


def test_a_row_claimed_by_a_live_worker_is_left_alone(customer, settings):
    settings.NOTIFICATION_CLAIM_TIMEOUT = 300
    with transaction.atomic():
        _notify(customer)
    Notification.objects.update(status="sending", claimed_at=timezone.now())
    mail.outbox.clear()
    assert outbox.notifications_sweep() == 0
    assert outbox.notification_deliver(notification_id=Notification.objects.get().pk) == "skipped"
    assert mail.outbox == []


def test_a_scheduled_row_is_not_sent_before_its_time(customer):
    later = timezone.now() + timedelta(hours=3)
    with transaction.atomic():
        (pk,) = _notify(customer, send_at=later)
    assert outbox.notification_deliver(notification_id=pk) == "skipped"
    with time_machine.travel(later + timedelta(minutes=1)):
        assert outbox.notifications_sweep() == 1
    assert Notification.objects.get(pk=pk).status == "sent"


def test_a_temporary_smtp_error_backs_off_exponentially_then_delivers_once(
    customer, failing_mailer, settings
):
    settings.EMAIL_RETRY_BACKOFF = 30
    failing_mailer.errors = [
        smtplib.SMTPDataError(451, b"4.3.0 try again later"),
        smtplib.SMTPServerDisconnected("connection lost"),
    ]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with transaction.atomic():
            (pk,) = _notify(customer)
        assert outbox.notification_deliver(notification_id=pk) == "retry"
    row = Notification.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(seconds=30)
    assert "451" in row.last_error

    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert outbox.notification_deliver(notification_id=pk) == "retry"
    row.refresh_from_db()
    assert row.next_attempt_at == start + timedelta(seconds=31 + 60)

    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        assert outbox.notification_deliver(notification_id=pk) == "sent"
        assert outbox.notification_deliver(notification_id=pk) == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1


def test_after_the_last_try_the_row_is_failed_with_its_error(customer, failing_mailer, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    failing_mailer.errors = [ConnectionRefusedError("no server"), ConnectionRefusedError("still")]
    with transaction.atomic():
        (pk,) = _notify(customer)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    Notification.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert outbox.notification_deliver(notification_id=pk) == "failed"
    row = Notification.objects.get(pk=pk)
    assert row.status == "failed"
    assert row.last_error == "ConnectionRefusedError: still"


def test_a_permanent_refusal_fails_at_once_and_flags_the_contact_to_the_admins(
    customer, admin_membership, failing_mailer, django_capture_on_commit_callbacks
):
    contact = NotificationContactFactory(customer=customer, email="gone@acme.test")
    failing_mailer.errors = [
        smtplib.SMTPRecipientsRefused({"gone@acme.test": (550, b"5.1.1 no such user")})
    ]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (pk,) = _notify(customer, recipients=[Recipient.for_contact(contact)])
    row = Notification.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("failed", 1)
    contact.refresh_from_db()
    assert contact.bounced_at is not None and "550" in contact.bounce_reason
    # The administrators hear of it, in their language, with a link to the contacts page.
    (warning,) = mail.outbox
    assert warning.to == [f"Ana Admin <{admin_membership.user.email}>"]
    assert "gone@acme.test" in warning.subject
    assert "/notifications/" in warning.body


def test_staff_retry_gives_a_failed_row_a_fresh_set_of_tries(
    customer, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        (pk,) = _notify(customer)
    Notification.objects.filter(pk=pk).update(status="failed", attempts=8, last_error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.notification_retry(notification=Notification.objects.get(pk=pk))
    row = Notification.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


def test_only_a_failed_row_can_be_retried(customer):
    from portal.errors import DomainError

    with transaction.atomic():
        (pk,) = _notify(customer)
    with pytest.raises(DomainError):
        outbox.notification_retry(notification=Notification.objects.get(pk=pk))


def test_the_email_has_the_layout_the_reference_a_button_and_says_why(
    customer, admin_membership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(customer, recipients=[_recipient(language="en")])
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert message.extra_headers["Message-ID"].startswith("<")
    assert "ORD-2026-00001" in message.body and "ORD-2026-00001" in html
    assert "http://127.0.0.1:8000/notifications/" in html  # the button
    assert "list you as a notification contact" in message.body
    assert "admin@acme.test" in message.body  # who can change it
    assert "Lumen" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "rechaz"), ("pt-br", "recus"), ("en", "refused")],
)
def test_each_recipient_reads_it_in_their_language(
    customer, language, expected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(customer, recipients=[_recipient(language=language)])
    (message,) = mail.outbox
    assert expected in message.body.lower()


def test_a_confirmation_for_a_removed_contact_is_cancelled_not_failed(customer, admin_user):
    from portal.services.notification_contacts import contact_add

    with transaction.atomic():
        contact = contact_add(
            customer=customer,
            actor=admin_user,
            name="Nico",
            email="nico@acme.test",
            language="es",
            orders=True,
            tickets=False,
            maintenance=False,
            billing=False,
        )
    row = Notification.objects.get(template="portal/contact_confirm")
    NotificationContact.objects.filter(pk=contact.pk).delete()
    Notification.objects.filter(pk=row.pk).update(status="pending")
    assert outbox.notification_deliver(notification_id=row.pk) == "cancelled"
    assert Notification.objects.get(pk=row.pk).status == "cancelled"


def test_delivery_runs_as_a_celery_task_with_late_acknowledgement():
    task = app.tasks["portal.tasks.notification_deliver"]
    assert task.acks_late is True
    schedule = app.conf.beat_schedule["notifications-sweep"]
    assert (schedule["task"], schedule["schedule"]) == ("portal.tasks.notifications_sweep", 60.0)


def test_the_sweep_does_not_queue_a_backlog_twice_but_requeues_a_lost_task(
    customer, settings, monkeypatch
):
    settings.NOTIFICATION_CLAIM_TIMEOUT = 300
    queued = []
    monkeypatch.setattr(
        "portal.tasks.notification_deliver.apply_async",
        lambda args, **kwargs: queued.append(args[0]),
    )
    with transaction.atomic():
        (waiting,) = _notify(customer, event="in-the-queue")
        (lost,) = _notify(customer, event="lost-by-the-broker")
    Notification.objects.filter(pk=waiting).update(queued_at=timezone.now())
    Notification.objects.filter(pk=lost).update(queued_at=timezone.now() - timedelta(minutes=6))

    assert outbox.notifications_sweep() == 1

    assert queued == [lost]
    assert Notification.objects.get(pk=lost).queued_at > timezone.now() - timedelta(seconds=5)
