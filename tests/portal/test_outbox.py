"""The notification outbox in one process: rows, claims, retries, failures, rendering.

The guarantees against a real broker, worker and SMTP server are in tests/integration."""

import smtplib
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from core.models import Notification, NotificationContact
from core.services import outbox
from core.services.outbox import Recipient, notify
from portal.celery import app
from tests.factories import NotificationContactFactory

pytestmark = pytest.mark.django_db


def _recipient(email="ana@acme.test", language="es", reason=Notification.Reason.TEAM):
    """A team mailbox: the tests of the machinery need no contact or member behind the address
    (those are checked at delivery, see tests/portal/test_outbox_recipients.py)."""
    return Recipient(email=email, name="Ana", language=language, reason=reason)


def _elapse(pk: int, seconds: float) -> None:
    """Let `seconds` pass for one row: its times move into the past, as the database's clock
    (which the outbox compares with, and time-machine cannot move) would see them later."""
    delta = timedelta(seconds=seconds)
    row = Notification.objects.filter(pk=pk)
    row.update(next_attempt_at=F("next_attempt_at") - delta)
    row.filter(first_failed_at__isnull=False).update(first_failed_at=F("first_failed_at") - delta)
    row.filter(claimed_at__isnull=False).update(claimed_at=F("claimed_at") - delta)


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
    integration tests use a real aiosmtpd server. `open_errors` are raised while connecting
    (connect, greeting, TLS, login), `errors` while sending; `during_send` runs in the middle
    of a send, as another process would act while this worker waits for the server."""

    errors: list[Exception] = []
    open_errors: list[Exception] = []
    during_send = None
    opened = 0

    def __init__(self, **kwargs):
        pass

    def open(self):
        FailingMailer.opened += 1
        if FailingMailer.open_errors:
            raise FailingMailer.open_errors.pop(0)
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FailingMailer.during_send is not None:
            hook, FailingMailer.during_send = FailingMailer.during_send, None
            hook()
        if FailingMailer.errors:
            raise FailingMailer.errors.pop(0)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def failing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingMailer"}}
    FailingMailer.errors, FailingMailer.open_errors = [], []
    FailingMailer.during_send, FailingMailer.opened = None, 0
    yield FailingMailer
    FailingMailer.errors, FailingMailer.open_errors = [], []
    FailingMailer.during_send = None


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
    assert len(first) == 1
    assert second == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    customer, django_capture_on_commit_callbacks
):
    def notify_then_fail():
        _notify(customer)
        raise RuntimeError("the write failed after notify")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_then_fail()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_broker_outage_does_not_break_the_caller_and_the_row_waits(
    customer, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("core.tasks.notifications_deliver.apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(customer)
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING
    assert mail.outbox == []


# --- Batches (issue 15, e-mails) -------------------------------------------------------------
def _team(count: int) -> list[Recipient]:
    return [_recipient(email=f"person-{n:02}@acme.test") for n in range(count)]


def test_rows_written_together_are_published_in_batches_of_ten_in_the_order_written(
    customer, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "core.tasks.notifications_deliver.apply_async",
        lambda args, **options: published.append(args[0]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids = _notify(customer, recipients=_team(23))

    assert published == [ids[0:10], ids[10:20], ids[20:23]]
    assert ids == sorted(ids)
    assert not Notification.objects.filter(queued_at__isnull=True).exists()


def test_a_batch_sends_each_row_once_and_skips_what_another_worker_holds(customer):
    with transaction.atomic():
        ids = _notify(customer, recipients=_team(3))
    Notification.objects.filter(pk=ids[1]).update(status="sending", claim_token=uuid.uuid4())

    assert outbox.notifications_deliver(notification_ids=ids) == {"sent": 2, "skipped": 1}
    # Delivered twice (the broker's redelivery after a lost acknowledgement): nothing more.
    assert outbox.notifications_deliver(notification_ids=ids) == {"skipped": 3}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Ana <person-00@acme.test>",
        "Ana <person-02@acme.test>",
    ]


class _SlowClock:
    """The batch's stopwatch when every e-mail takes `step` seconds (a slow relay)."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_batch_over_half_its_soft_time_limit_hands_the_rest_back_to_the_queue(
    customer, settings, monkeypatch
):
    settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT = 180  # a budget of 90 s
    with transaction.atomic():
        ids = _notify(customer, recipients=_team(5))
    requeued = []
    monkeypatch.setattr(
        "core.tasks.notifications_deliver.apply_async",
        lambda args, **options: requeued.append(args[0]),
    )
    monkeypatch.setattr(outbox, "_clock", _SlowClock(step=100))

    # The first row is always sent; before the second, 100 s have passed: over the budget.
    assert outbox.notifications_deliver(notification_ids=ids) == {"sent": 1, "handed back": 4}
    assert requeued == [ids[1:]]
    assert len(mail.outbox) == 1
    rest = Notification.objects.filter(pk__in=ids[1:])
    assert set(rest.values_list("status", flat=True)) == {"pending"}
    assert not rest.filter(queued_at__isnull=True).exists()


def test_rows_handed_back_while_the_broker_is_down_wait_for_the_sweep(
    customer, settings, monkeypatch
):
    settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT = 180
    with transaction.atomic():
        ids = _notify(customer, recipients=_team(3))
    Notification.objects.filter(pk__in=ids).update(queued_at=timezone.now())

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("core.tasks.notifications_deliver.apply_async", broker_down)
    monkeypatch.setattr(outbox, "_clock", _SlowClock(step=100))

    assert outbox.notifications_deliver(notification_ids=ids) == {"sent": 1, "handed back": 0}
    rest = Notification.objects.filter(pk__in=ids[1:])
    # Not queued: the sweep's next run (a minute at most) enqueues them, not the claim timeout.
    assert list(rest.values_list("status", "queued_at")) == [("pending", None)] * 2


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
    assert outbox.notifications_sweep() == 0
    _elapse(pk, 3 * 3600 + 60)
    assert outbox.notifications_sweep() == 1
    assert Notification.objects.get(pk=pk).status == "sent"


def test_a_temporary_smtp_error_follows_the_retry_schedule_then_delivers_once(
    customer, failing_mailer, settings
):
    settings.NOTIFICATION_RETRY_SCHEDULE = (60, 300, 900)
    failing_mailer.errors = [
        smtplib.SMTPDataError(451, b"4.3.0 try again later"),
        smtplib.SMTPServerDisconnected("connection lost"),
    ]
    with transaction.atomic():
        (pk,) = _notify(customer)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    row = Notification.objects.get(pk=pk)
    assert (row.status, row.attempts, row.relay_fault) == ("pending", 1, False)
    assert row.next_attempt_at == row.first_failed_at + timedelta(seconds=60)
    assert "451" in row.last_error

    _elapse(pk, 61)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    row.refresh_from_db()
    # The schedule counts from the first failure: 60 s, then 60 + 300 s.
    assert row.next_attempt_at == row.first_failed_at + timedelta(seconds=360)

    _elapse(pk, 300)
    assert outbox.notification_deliver(notification_id=pk) == "sent"
    assert outbox.notification_deliver(notification_id=pk) == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert row.claim_token is None
    assert len(mail.outbox) == 1


def test_after_the_last_step_of_the_schedule_the_row_is_failed_with_its_error(
    customer, failing_mailer, settings
):
    settings.NOTIFICATION_RETRY_SCHEDULE = (60, 60)
    failing_mailer.errors = [smtplib.SMTPDataError(451, b"busy")] * 2 + [
        smtplib.SMTPDataError(452, b"still busy")
    ]
    with transaction.atomic():
        (pk,) = _notify(customer)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    _elapse(pk, 61)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    _elapse(pk, 61)
    assert outbox.notification_deliver(notification_id=pk) == "failed"
    row = Notification.objects.get(pk=pk)
    assert row.status == "failed"
    assert row.last_error.startswith("SMTPDataError: (452, b'still busy')")
    assert "no tries left" in row.last_error


def test_a_refused_recipient_fails_at_once_and_flags_the_contact_to_the_admins(
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
    assert contact.bounced_at is not None
    assert "550" in contact.bounce_reason
    # The administrators hear of it, in their language, with a link to the contacts page.
    (warning,) = mail.outbox
    assert warning.to == [f"Ana Admin <{admin_membership.user.email}>"]
    assert "gone@acme.test" in warning.subject
    assert "/notifications/" in warning.body


# --- Transport faults are never held against the recipient (review R1) -----------------------
@pytest.mark.parametrize(
    ("stage", "error"),
    [
        ("open", smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")),
        ("open", smtplib.SMTPConnectError(554, b"5.7.1 no service for you")),
        ("open", smtplib.SMTPHeloError(501, b"5.5.4 bad HELO")),
        ("open", smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")),
        ("open", ConnectionRefusedError(111, "Connection refused")),
        ("open", TimeoutError("timed out")),
        ("send", smtplib.SMTPSenderRefused(553, b"5.7.1 sender not allowed", "portal@lumen.test")),
        ("send", smtplib.SMTPRecipientsRefused({"nico@acme.test": (452, b"4.2.2 mailbox full")})),
        (
            "send",
            smtplib.SMTPRecipientsRefused(
                {"nico@acme.test": (554, b"5.7.1 <nico@acme.test>: Relay access denied")}
            ),
        ),
        ("send", smtplib.SMTPDataError(451, b"4.3.0 try again later")),
        ("send", smtplib.SMTPServerDisconnected("Connection unexpectedly closed")),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_a_transport_fault_is_retried_and_never_bounces_the_contact(
    customer, admin_membership, failing_mailer, stage, error
):
    contact = NotificationContactFactory(customer=customer, email="nico@acme.test")
    (failing_mailer.open_errors if stage == "open" else failing_mailer.errors).append(error)
    with transaction.atomic():
        (pk,) = _notify(customer, recipients=[Recipient.for_contact(contact)])

    assert outbox.notification_deliver(notification_id=pk) == "retry"

    row = Notification.objects.get(pk=pk)
    assert row.status == "pending"
    assert row.relay_fault is (stage == "open")
    assert type(error).__name__ in row.last_error
    contact.refresh_from_db()
    assert contact.bounced_at is None
    assert contact.bounce_reason == ""
    assert Notification.objects.count() == 1  # no warning to the administrators either
    _elapse(pk, 61)
    assert outbox.notification_deliver(notification_id=pk) == "sent"
    assert [m.to for m in mail.outbox] == [[f"{contact.name} <nico@acme.test>"]]


def test_a_refused_message_fails_the_row_but_does_not_bounce_the_contact(customer, failing_mailer):
    contact = NotificationContactFactory(customer=customer, email="nico@acme.test")
    failing_mailer.errors = [smtplib.SMTPDataError(554, b"5.6.0 message content rejected")]
    with transaction.atomic():
        (pk,) = _notify(customer, recipients=[Recipient.for_contact(contact)])

    assert outbox.notification_deliver(notification_id=pk) == "failed"

    assert Notification.objects.get(pk=pk).status == "failed"
    contact.refresh_from_db()
    assert contact.bounced_at is None


# --- A relay outage of a day loses nothing (review R3) ----------------------------------------
def test_a_relay_outage_of_24_hours_loses_nothing(customer, failing_mailer):
    """The default schedule: every try of the first 24 hours finds the relay down (its login
    refused, as after a password rotation with a typo); the next one goes out."""
    with transaction.atomic():
        (pk,) = _notify(customer)
    down = timedelta(hours=24)
    waited = timedelta(0)
    tries = 0
    while waited < down:
        failing_mailer.open_errors = [smtplib.SMTPAuthenticationError(535, b"5.7.8 bad login")]
        assert outbox.notification_deliver(notification_id=pk) == "retry"
        tries += 1
        row = Notification.objects.get(pk=pk)
        wait = row.next_attempt_at - row.first_failed_at - waited
        _elapse(pk, wait.total_seconds())
        waited += wait
    assert tries <= len(django_settings.NOTIFICATION_RETRY_SCHEDULE)

    assert outbox.notification_deliver(notification_id=pk) == "sent"
    assert len(mail.outbox) == 1
    assert sum(django_settings.NOTIFICATION_RETRY_SCHEDULE) > 24 * 3600


def test_tries_that_find_the_relay_down_early_do_not_use_up_the_schedule(
    customer, failing_mailer, settings, monkeypatch
):
    """The schedule is a budget of time, not of tries: a relay that answers the sweep's probe
    and fails again at once, ten times over, costs the row nothing."""
    settings.NOTIFICATION_RETRY_SCHEDULE = (60, 300, 900)
    monkeypatch.setattr("core.tasks.notification_deliver.apply_async", lambda *a, **k: None)
    with transaction.atomic():
        (pk,) = _notify(customer)
    failing_mailer.open_errors = [ConnectionRefusedError(111, "Connection refused")]
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    planned = Notification.objects.get(pk=pk).next_attempt_at

    for _ in range(10):
        Notification.objects.filter(pk=pk).update(next_attempt_at=Now())  # tried early
        failing_mailer.open_errors = [ConnectionRefusedError(111, "Connection refused")]
        assert outbox.notification_deliver(notification_id=pk) == "retry"

    row = Notification.objects.get(pk=pk)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 11, planned)


def test_the_sweep_sends_rows_that_wait_for_the_relay_as_soon_as_it_answers(
    customer, failing_mailer, settings
):
    settings.NOTIFICATION_RETRY_SCHEDULE = (6 * 3600,)
    with transaction.atomic():
        (waiting,) = _notify(customer, event="relay-down")
        (busy,) = _notify(customer, event="mailbox-busy")
    failing_mailer.open_errors = [smtplib.SMTPAuthenticationError(535, b"5.7.8 bad login")]
    assert outbox.notification_deliver(notification_id=waiting) == "retry"
    failing_mailer.errors = [smtplib.SMTPDataError(451, b"4.3.0 try later")]
    assert outbox.notification_deliver(notification_id=busy) == "retry"

    failing_mailer.open_errors = [smtplib.SMTPAuthenticationError(535, b"5.7.8 bad login")]
    outbox.notifications_sweep()  # the probe finds the relay still refusing us
    assert Notification.objects.get(pk=waiting).status == "pending"

    outbox.notifications_sweep()  # the password is fixed: the probe logs in

    assert Notification.objects.get(pk=waiting).status == "sent"
    # A 4xx for one message says nothing about the relay: it keeps its schedule.
    assert Notification.objects.get(pk=busy).status == "pending"


def test_a_retry_hours_away_waits_in_the_database_not_in_the_broker(
    customer, failing_mailer, settings, monkeypatch
):
    """Redis hands an unacknowledged message to another worker after its visibility timeout:
    a six-hour countdown would be copied every hour. Long waits are the sweep's job."""
    settings.NOTIFICATION_RETRY_SCHEDULE = (60, 6 * 3600)
    published = []
    monkeypatch.setattr(
        "core.tasks.notification_deliver.apply_async",
        lambda args, **options: published.append(options.get("countdown")),
    )
    with transaction.atomic():
        (pk,) = _notify(customer)
    failing_mailer.errors = [smtplib.SMTPDataError(451, b"busy")] * 2
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    assert published == [pytest.approx(60, abs=1)]  # a minute: published with its countdown
    _elapse(pk, 61)
    assert outbox.notification_deliver(notification_id=pk) == "retry"
    assert len(published) == 1  # six hours: left to the sweep
    assert Notification.objects.get(pk=pk).queued_at is None

    assert outbox.notifications_sweep() == 0
    _elapse(pk, 6 * 3600)
    assert outbox.notifications_sweep() == 1


# --- Claims (review R5) -----------------------------------------------------------------------
def _claimed_by_another_worker(pk: int) -> uuid.UUID:
    """What happens while a slow worker waits for the SMTP server past the claim timeout: the
    sweep frees the row and a second worker claims it."""
    Notification.objects.filter(pk=pk).update(claimed_at=F("claimed_at") - timedelta(hours=1))
    token = uuid.uuid4()
    Notification.objects.filter(pk=pk).update(
        status=Notification.Status.SENDING, claim_token=token, claimed_at=Now()
    )
    return token


@pytest.mark.parametrize("outcome", ["accepted", "451"])
def test_a_worker_that_outlived_its_claim_cannot_overwrite_the_newer_claim(
    customer, failing_mailer, outcome
):
    with transaction.atomic():
        (pk,) = _notify(customer)
    tokens = []
    failing_mailer.during_send = lambda: tokens.append(_claimed_by_another_worker(pk))
    if outcome == "451":
        failing_mailer.errors = [smtplib.SMTPDataError(451, b"4.3.0 try later")]

    outbox.notification_deliver(notification_id=pk)

    row = Notification.objects.get(pk=pk)
    # The second worker's claim stands: it records its own outcome.
    assert (row.status, row.claim_token) == ("sending", tokens[0])


def test_a_row_whose_worker_died_three_times_is_failed_not_retried_forever(
    customer, settings, monkeypatch
):
    settings.NOTIFICATION_MAX_WORKER_LOSSES = 3
    monkeypatch.setattr("core.tasks.notifications_deliver.apply_async", lambda *a, **k: None)
    with transaction.atomic():
        (pk,) = _notify(customer)
    for death in range(1, 4):
        # A worker claims the row and dies (out of memory) before recording anything.
        Notification.objects.filter(pk=pk).update(
            status="sending",
            claim_token=uuid.uuid4(),
            claimed_at=Now(),
            attempts=F("attempts") + 1,
        )
        _elapse(pk, django_settings.NOTIFICATION_CLAIM_TIMEOUT + 1)
        outbox.notifications_sweep()
        row = Notification.objects.get(pk=pk)
        assert row.worker_losses == death
        assert row.status == ("failed" if death == 3 else "pending")
    assert "stopped 3 times" in row.last_error


def test_the_claim_compares_with_the_database_clock_not_the_workers(customer):
    """A worker whose clock runs an hour behind still sends a row that is due."""
    with transaction.atomic():
        (pk,) = _notify(customer)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        assert outbox.notification_deliver(notification_id=pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_sweep_whose_clock_runs_ahead_does_not_free_a_live_claim(customer, monkeypatch):
    """A beat host ten minutes ahead would see a claim made now as stale and hand the row to a
    second worker while the first one still sends it."""
    queued = []
    monkeypatch.setattr(
        "core.tasks.notification_deliver.apply_async", lambda args, **k: queued.append(args)
    )
    with transaction.atomic():
        (pk,) = _notify(customer)
    Notification.objects.filter(pk=pk).update(
        status="sending", claim_token=uuid.uuid4(), claimed_at=Now()
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        outbox.notifications_sweep()
    assert Notification.objects.get(pk=pk).status == "sending"
    assert queued == []


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
    from core.errors import DomainError

    with transaction.atomic():
        (pk,) = _notify(customer)
    with pytest.raises(DomainError):
        outbox.notification_retry(notification=Notification.objects.get(pk=pk))


def test_the_email_has_the_layout_the_reference_a_button_and_says_why(
    customer, admin_membership, django_capture_on_commit_callbacks
):
    contact = NotificationContactFactory(customer=customer, email="ana@acme.test", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(customer, recipients=[Recipient.for_contact(contact)])
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert message.extra_headers["Message-ID"].startswith("<")
    assert "ORD-2026-00001" in message.body
    assert "ORD-2026-00001" in html
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


def test_a_confirmation_for_a_removed_contact_is_cancelled_not_failed(customer, portal_admin_user):
    from core.services.notification_contacts import contact_add

    with transaction.atomic():
        contact = contact_add(
            customer=customer,
            actor=portal_admin_user,
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


def test_delivery_runs_as_a_celery_task_with_late_acknowledgement_and_time_limits():
    task = app.tasks["portal.tasks.notification_deliver"]
    assert task.acks_late is True
    # Stopped before the sweep could think its worker died and hand the row to another one.
    assert 0 < task.soft_time_limit < task.time_limit < django_settings.NOTIFICATION_CLAIM_TIMEOUT
    schedule = app.conf.beat_schedule["notifications-sweep"]
    assert (schedule["task"], schedule["schedule"]) == ("portal.tasks.notifications_sweep", 60.0)


def test_the_sweep_does_not_queue_a_backlog_twice_but_requeues_a_lost_task(
    customer, settings, monkeypatch
):
    settings.NOTIFICATION_CLAIM_TIMEOUT = 300
    queued = []
    monkeypatch.setattr(
        "core.tasks.notifications_deliver.apply_async",
        lambda args, **kwargs: queued.extend(args[0]),
    )
    with transaction.atomic():
        (waiting,) = _notify(customer, event="in-the-queue")
        (lost,) = _notify(customer, event="lost-by-the-broker")
    Notification.objects.filter(pk=waiting).update(queued_at=timezone.now())
    Notification.objects.filter(pk=lost).update(queued_at=timezone.now() - timedelta(minutes=6))

    assert outbox.notifications_sweep() == 1

    assert queued == [lost]
    assert Notification.objects.get(pk=lost).queued_at > timezone.now() - timedelta(seconds=5)


# --- Subjects are plain text (review O1) ------------------------------------------------------
def test_a_subject_is_plain_text_not_html_escaped(
    customer, limited_user, django_capture_on_commit_callbacks
):
    from tests.factories import ticket_open_for

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open_for(customer, limited_user, subject="O'Brien & Co <north> link down")

    (message,) = mail.outbox
    assert message.subject.endswith(": O'Brien & Co <north> link down")
    assert "&amp;" not in message.subject
    assert "&#x27;" not in message.subject
    assert Notification.objects.get().subject == message.subject
    assert ticket.number in message.subject


def test_an_invitation_subject_is_plain_text(
    portal_admin_client, customer, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from core.models import Area, Level, Membership

    type(customer).objects.filter(pk=customer.pk).update(display_name="O'Brien & Co")
    data = {
        "email": "nora@acme.test",
        "full_name": "Nora",
        "language": "en",
        "role": Membership.Role.USER,
        **{area.value: Level.NONE for area in Area},
        Area.TICKETS: Level.ACT,
    }
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(reverse("portal:user_invite"), data)

    (message,) = mail.outbox
    assert "O'Brien & Co's customer portal" in message.subject
