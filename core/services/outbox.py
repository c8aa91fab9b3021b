"""The notification outbox: every e-mail the portal sends goes through here (events, invitations,
allauth's password and sign-in e-mails alike).

1. `notify()` runs inside the caller's transaction and writes one row per recipient, keyed by
   event + recipient, so the same event recorded twice is still one e-mail each.
2. After commit the rows are handed to Celery. A broker outage is logged, never raised: the rows
   stay pending and `notifications_sweep` (beat, every minute) enqueues them later.
3. `notification_deliver()` claims a row with a conditional UPDATE that stamps a fresh claim
   token; every later write of that delivery names the token, so a task delivered twice sends
   once and a worker that outlived its claim cannot overwrite a newer one. Times are the
   database's (`Now()`), so the clocks of web, worker and beat hosts play no part.
4. Before rendering, the recipient is checked again (core.notifications): a removed, unconfirmed or
   unsubscribed contact, or a person whose membership ended, cancels the row.
5. Only a refusal of the recipient (5xx at RCPT) fails the row and flags a notification contact
   as bounced. A refused message (5xx after DATA) fails the row alone. Everything else (the relay
   unreachable, a refused login or sender, a 4xx) is the transport's fault: retried on
   NOTIFICATION_RETRY_SCHEDULE, counted from the first failure, and `failed` only after its last
   step. While rows wait for the relay, the sweep probes it and sends them as soon as it answers.

The one window no outbox can close: a worker that dies after the SMTP server accepted a message
and before the row is marked sent. The mark is written the moment the server answers, before
anything else is said to the server, and the Message-ID is stable so mail clients drop the copy.

A worker process keeps one SMTP connection for its next e-mails (core.lib.mail.mailer_open): it
is probed with RSET before each reuse and dropped after any error, so a connection the relay
closed costs a reconnect, never an e-mail.
"""

import contextlib
import hashlib
import logging
import re
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import mailers
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from core import notifications
from core.errors import DomainError
from core.lib.mail import mailer_open, mailer_release
from core.lib.storage import STORAGE_UNAVAILABLE
from core.models import Customer, Heartbeat, Notification, NotificationContact, User

logger = logging.getLogger(__name__)

# One publish attempt, no reconnect loop: with the broker down, `retry=False` still lets kombu
# reconnect for ~6 s per call (measured), which would hang every request that notifies. The row
# is safe in the database either way; the sweep queues it later.
_PUBLISH_ONCE = {"max_retries": 0}
BEAT = "beat"
# A retry due within this many seconds is also published with a countdown; a later one is left
# to the sweep (the schedule lives in the database, ARCHITECTURE.md): Redis gives an unacked
# message to another worker after its visibility timeout, so hours-long countdowns would pile up.
_COUNTDOWN_MAX = 300
# The "sent" mark is retried this many times (a database failover takes seconds): giving up
# means the row is sent again after the claim times out.
_SENT_MARK_TRIES = 4


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    reason: str
    name: str = ""

    @classmethod
    def for_user(cls, user: User, *, customer: Customer | None, reason: str) -> "Recipient":
        language = user.language or (customer.language if customer else settings.LANGUAGE_CODE)
        return cls(email=user.email, name=user.get_full_name(), language=language, reason=reason)

    @classmethod
    def for_team(cls, email: str, *, name: str = "", language: str = "") -> "Recipient":
        """One of the provider's people or team mailboxes, in the portal's language unless
        they speak another."""
        return cls(
            email=email,
            name=name,
            language=language or settings.LANGUAGE_CODE,
            reason=Notification.Reason.TEAM,
        )

    @classmethod
    def for_contact(cls, contact: NotificationContact) -> "Recipient":
        return cls(
            email=contact.email,
            name=contact.name,
            language=contact.language,
            reason=Notification.Reason.CONTACT,
        )


def routed_recipients(recipients: list[Recipient]) -> list[Recipient]:
    """Work routed to the provider (an escalation, a customer's reply, a request outside the
    catalog) never goes to nobody: with no person or mailbox for it, SUPPORT_FALLBACK_MAILBOX."""
    if recipients or not settings.SUPPORT_FALLBACK_MAILBOX:
        return recipients
    return [
        Recipient(
            email=settings.SUPPORT_FALLBACK_MAILBOX,
            language=settings.LANGUAGE_CODE,
            reason=Notification.Reason.STAFF,
        )
    ]


def _key(event: str, email: str) -> str:
    key = f"{event}|{email.strip().lower()}"
    if len(key) <= 255:
        return key
    return f"{event[:180]}|sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def notify(
    *,
    event: str,
    template: str,
    recipients: Iterable[Recipient],
    customer: Customer | None = None,
    kind: str = "",
    subject_reference: str = "",
    context: dict | None = None,
    send_at: datetime | None = None,
) -> list[int]:
    """Record one e-mail per recipient for `event`; returns the ids of the rows this call wrote.

    Call it inside the transaction of the change it announces: a rollback takes the e-mails
    with it. `context` must be JSON: ids and plain values, rendered at delivery in each
    recipient's language by the template's context builder (core.notifications). Never put a secret
    (a token, a link that signs someone in) in it: build those at delivery.
    """
    return notify_many(
        [
            {
                "event": event,
                "template": template,
                "recipients": recipients,
                "customer": customer,
                "kind": kind,
                "subject_reference": subject_reference,
                "context": context,
                "send_at": send_at,
            }
        ]
    )


def notify_many(events: list[dict]) -> list[int]:
    """notify() for many events in one INSERT and one read (a maintenance that touches a
    thousand customers is a thousand events). Each dict takes notify()'s arguments."""
    now = timezone.now()
    # "Due now" by the database's clock, which the claim compares with; read once and written
    # as a plain value, which keeps PostgreSQL's fast bulk insert (an expression per row would
    # not).
    due_now = db_now()
    rows = []
    immediate = set()
    for item in events:
        seen = set()
        send_at = item.get("send_at")
        for recipient in item["recipients"]:
            address = recipient.email.strip().lower()
            if not address or address in seen:
                continue
            seen.add(address)
            key = _key(item["event"], address)
            if send_at is None:
                immediate.add(key)
            rows.append(
                Notification(
                    key=key,
                    event=item["event"][:200],
                    customer=item.get("customer"),
                    template=item["template"],
                    kind=item.get("kind", ""),
                    subject_reference=item.get("subject_reference", ""),
                    context=item.get("context") or {},
                    to_email=recipient.email.strip(),
                    to_name=recipient.name,
                    language=recipient.language or settings.LANGUAGE_CODE,
                    reason=recipient.reason,
                    next_attempt_at=send_at or due_now,
                    created_at=now,
                )
            )
    if not rows:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        written = list(
            Notification.objects.filter(
                key__in=[row.key for row in rows],
                created_at=now,
                status=Notification.Status.PENDING,
            )
            # In the order written: an event's recipients side by side, in one batch.
            .order_by("pk")
            .values_list("pk", "key", "next_attempt_at")
        )
    due = [pk for pk, key, at in written if key in immediate or at <= now]
    if due:
        transaction.on_commit(lambda: notifications_enqueue(due), robust=True)
    return [pk for pk, _key, _at in written]


# The delivery tasks, found by name in Celery's registry: the task module calls this one, so this
# one does not import it (core/apps.py imports core.tasks, which registers it). A retry publishes
# its one row; rows written or found due together go out as batches.
DELIVER_TASK = "portal.tasks.notification_deliver"
DELIVER_BATCH_TASK = "core.tasks.notifications_deliver"
# Rows per batch task. The rows of one event are written one after another, so a batch holds a
# few customers' recipients and renders what they share once (core.notifications.rendering_batch).
# Small enough that two workers still share a short backlog and a batch stays far within its
# time limit.
BATCH_SIZE = 10


def _deliver_task():
    return current_app.tasks[DELIVER_TASK]


def _deliver_batch_task():
    return current_app.tasks[DELIVER_BATCH_TASK]


def notifications_enqueue(ids: list[int]) -> int:
    """Hand rows to Celery, BATCH_SIZE to a task, in the order given. A broker that is down
    costs nothing: the sweep retries later."""
    enqueued: list[int] = []
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(ids[start : start + BATCH_SIZE])
        try:
            _deliver_batch_task().apply_async((batch,), retry=True, retry_policy=_PUBLISH_ONCE)
        except Exception:  # noqa: BLE001 - any broker failure; the rows stay pending
            logger.warning(
                "broker unavailable: %d notification(s) left for the sweep",
                len(ids) - len(enqueued),
            )
            break
        enqueued.extend(batch)
    if enqueued:
        # The sweep leaves queued rows alone for a while: a backlog is not queued twice.
        Notification.objects.filter(pk__in=enqueued).update(queued_at=Now())
    return len(enqueued)


# --- What an SMTP error means ---------------------------------------------------------------
RECIPIENT = "recipient"  # the server refused this address for good: a bounce
MESSAGE = "message"  # the server refused this message for good (size, content): no bounce
RELAY = "relay"  # we could not get through to the relay (connect, TLS, HELO, login)
TEMPORARY = "temporary"  # anything else: a 4xx, a refused sender, a dropped connection


def smtp_fault(error: BaseException, *, connected: bool) -> str:
    """Classify a delivery error. `connected`: the relay had accepted the connection and our
    login (the error came while sending), so it says something about this message."""
    if not connected:
        return RELAY
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        refused = replies and all(
            code >= 500 and not _POLICY.match(_text(reply)) for code, reply in replies
        )
        return RECIPIENT if refused else TEMPORARY
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return MESSAGE
    # A refused sender (550/553 at MAIL FROM) is the relay's policy or our configuration, and
    # would refuse every message alike: retried, never held against the recipient.
    return TEMPORARY


# An enhanced status 5.7.x at RCPT is the relay's policy ("554 5.7.1 Relay access denied" when
# our login is missing), not the mailbox: it would refuse every recipient alike.
_POLICY = re.compile(r"\s*5\.7\.\d{1,3}\b")


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def db_now() -> datetime:
    """The database's clock: the one every claim, retry and heartbeat is compared with (the
    clocks of the web, worker and beat hosts may differ from it and from each other)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')")
            return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)
        cursor.execute("SELECT STATEMENT_TIMESTAMP()")
        return cursor.fetchone()[0]


def retry_at(*, first_failed_at: datetime, now: datetime) -> datetime | None:
    """The next step of NOTIFICATION_RETRY_SCHEDULE after `now`, counted from the first failure;
    None when the schedule is used up. Tries that came early (the relay answered again) or late
    (beat was down) do not move the schedule: it is a budget of time, not of tries."""
    offset = timedelta(0)
    for delay in settings.NOTIFICATION_RETRY_SCHEDULE:
        offset += timedelta(seconds=delay)
        if first_failed_at + offset > now:
            return first_failed_at + offset
    return None


# --- Delivery -------------------------------------------------------------------------------
# A slow database (the soft time limit), or a bucket that does not answer for an attachment:
# the row is tried again later, on the transport's schedule.
_RENDER_RETRY_LATER: tuple[type[BaseException], ...] = (SoftTimeLimitExceeded, *STORAGE_UNAVAILABLE)
_clock = time.monotonic  # a batch's own stopwatch (the tests give it a slow relay's seconds)


def notifications_deliver(*, notification_ids: list[int]) -> dict[str, int]:
    """Send a batch of rows, one after another, each claimed on its own just before it is sent
    (a worker that dies mid-batch holds one row, never the batch). What the rows share is
    rendered once. A batch that has run for half its soft time limit (a slow relay) hands the
    rows it has not reached back to the queue instead of racing its limit."""
    started = _clock()
    budget = settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT / 2
    outcomes: dict[str, int] = {}
    with notifications.rendering_batch():
        for index, pk in enumerate(notification_ids):
            if index and _clock() - started > budget:
                rest = list(notification_ids[index:])
                logger.warning(
                    "notification batch over its time budget: %d row(s) queued again", len(rest)
                )
                handed = notifications_enqueue(rest)
                outcomes["handed back"] = handed
                if handed < len(rest):  # the broker failed: the sweep sends them when due
                    Notification.objects.filter(
                        pk__in=rest[handed:], status=Notification.Status.PENDING
                    ).update(queued_at=None)
                break
            outcome = notification_deliver(notification_id=pk)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def notification_deliver(*, notification_id: int) -> str:
    """Send one row if it is due and nobody else holds it. Returns what happened."""
    token = uuid.uuid4()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=Now()
    ).update(
        status=Notification.Status.SENDING,
        claim_token=token,
        claimed_at=Now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    mine = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.SENDING, claim_token=token
    )
    notification = Notification.objects.select_related("customer").get(pk=notification_id)
    try:
        message = notifications.notification_message(notification)
    except notifications.NotificationObsolete as why:
        mine.update(
            status=Notification.Status.CANCELLED, last_error=str(why)[:2000], claim_token=None
        )
        return "cancelled"
    except _RENDER_RETRY_LATER as error:
        return _after_send_error(notification, token, error, connected=True)
    except Exception as error:  # a template or a vanished row: retrying will not help
        logger.exception("notification %s could not be rendered", notification_id)
        mine.update(
            status=Notification.Status.FAILED, last_error=_error_text(error), claim_token=None
        )
        return "failed"

    mailer = None
    try:
        mailer = mailer_open()  # this process's SMTP connection, reused while it answers
        mailer.send_messages([message])
    except Exception as error:  # noqa: BLE001 - SMTP, socket, TLS errors and the soft time limit
        if mailer is not None:
            mailer_release(mailer, failed=True)  # the next e-mail connects afresh
        return _after_send_error(notification, token, error, connected=mailer is not None)
    # Marked the moment the server answers "250", before anything else is said to it: the
    # shortest window between its acceptance and our record.
    _mark_sent(notification, token, subject=str(message.subject))
    logger.info("notification %s sent (%s)", notification.pk, notification.template)
    mailer_release(mailer)
    notifications.notification_sent(notification)
    return "sent"


def _mark_sent(notification: Notification, token: uuid.UUID, *, subject: str) -> None:
    for attempt in range(1, _SENT_MARK_TRIES + 1):
        try:
            marked = Notification.objects.filter(
                pk=notification.pk, status=Notification.Status.SENDING, claim_token=token
            ).update(
                status=Notification.Status.SENT,
                sent_at=Now(),
                subject=subject[:300],
                last_error="",
                claim_token=None,
                relay_fault=False,
            )
        except DatabaseError:
            if attempt == _SENT_MARK_TRIES:
                raise
            logger.warning(
                "notification %s: could not record it as sent, retrying", notification.pk
            )
            time.sleep(0.5 * 2**attempt)
            close_old_connections()
            continue
        if not marked:
            # Our claim timed out and another worker holds the row now: leave its claim alone.
            logger.warning(
                "notification %s was sent after its claim had been taken over", notification.pk
            )
        return


def _after_send_error(
    notification: Notification, token: uuid.UUID, error: BaseException, *, connected: bool
) -> str:
    fault = smtp_fault(error, connected=connected)
    mine = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING, claim_token=token
    )
    if fault in (RECIPIENT, MESSAGE):
        if not mine.update(
            status=Notification.Status.FAILED, last_error=_error_text(error), claim_token=None
        ):
            return "skipped"
        if fault == RECIPIENT:
            notifications.notification_bounced(notification, _error_text(error))
        return "failed"

    now = db_now()
    first_failed_at = notification.first_failed_at or now
    next_at = retry_at(first_failed_at=first_failed_at, now=now)
    if next_at is None:
        minutes = int((now - first_failed_at).total_seconds() // 60)
        updated = mine.update(
            status=Notification.Status.FAILED,
            last_error=f"{_error_text(error)} (failing for {minutes} minutes; no tries left)",
            claim_token=None,
            relay_fault=fault == RELAY,
        )
        return "failed" if updated else "skipped"
    updated = mine.update(
        status=Notification.Status.PENDING,
        next_attempt_at=next_at,
        first_failed_at=first_failed_at,
        last_error=_error_text(error),
        queued_at=None,
        claim_token=None,
        relay_fault=fault == RELAY,
    )
    if not updated:
        return "skipped"
    delay = (next_at - now).total_seconds()
    if delay > _COUNTDOWN_MAX:
        return "retry"  # the sweep queues it when it is due
    try:
        _deliver_task().apply_async(
            (notification.pk,),
            countdown=max(delay, 0),
            retry=True,
            retry_policy=_PUBLISH_ONCE,
        )
    except Exception:  # noqa: BLE001 - the sweep picks the row up when it is due
        logger.warning("broker unavailable: notification %s waits for the sweep", notification.pk)
    else:
        Notification.objects.filter(pk=notification.pk, status=Notification.Status.PENDING).update(
            queued_at=Now()
        )
    return "retry"


# --- Beat -----------------------------------------------------------------------------------
def heartbeat_record(name: str = BEAT) -> None:
    """The job ran now (database clock)."""
    if not Heartbeat.objects.filter(name=name).update(beat_at=Now()):
        with contextlib.suppress(DatabaseError), transaction.atomic():
            Heartbeat.objects.create(name=name, beat_at=Now(), created_at=Now())


def _relay_answers() -> bool:
    """Beat's probe of a relay that rows are waiting for: connect, greet and log in, no mail."""
    connection = mailers.default
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - the relay is still down
        logger.info("mail relay still unreachable: %s", _error_text(error))
        return False
    with contextlib.suppress(Exception):
        connection.close()
    return True


def notifications_sweep() -> int:
    """Beat, every minute: record the heartbeat, free (or give up on) rows whose worker died
    mid-send, send rows that wait for a relay that answers again, and enqueue every due row that
    was never queued (broker down, scheduled send) or whose task has not run within
    NOTIFICATION_CLAIM_TIMEOUT (lost by the broker or by a killed worker)."""
    heartbeat_record()
    stale = Now() - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    lost = Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=stale)
    losses = settings.NOTIFICATION_MAX_WORKER_LOSSES
    given_up = lost.filter(worker_losses__gte=losses - 1).update(
        status=Notification.Status.FAILED,
        worker_losses=F("worker_losses") + 1,
        claim_token=None,
        last_error=(
            f"The worker sending it stopped {losses} times before recording the outcome (killed, "
            "out of memory or over its time limit); not tried again automatically."
        ),
    )
    if given_up:
        logger.error("%d notification(s) failed: their worker died %d times", given_up, losses)
    lost.update(
        status=Notification.Status.PENDING,
        next_attempt_at=Now(),
        queued_at=None,
        claim_token=None,
        worker_losses=F("worker_losses") + 1,
    )
    waiting_for_relay = Notification.objects.filter(
        status=Notification.Status.PENDING, relay_fault=True, next_attempt_at__gt=Now()
    )
    if waiting_for_relay.exists() and _relay_answers():
        waiting_for_relay.update(next_attempt_at=Now(), queued_at=None)
    due = list(
        Notification.objects.filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=stale),
            status=Notification.Status.PENDING,
            next_attempt_at__lte=Now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:5000]
    )
    return notifications_enqueue(due) if due else 0


# --- Staff and services ---------------------------------------------------------------------
def notification_retry(*, notification: Notification) -> None:
    """Staff's "retry" on a failed row: a fresh retry schedule, starting now."""
    if notification.status != Notification.Status.FAILED:
        raise DomainError("Only a failed notification can be retried.")
    with transaction.atomic():
        updated = Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.FAILED
        ).update(
            status=Notification.Status.PENDING,
            next_attempt_at=Now(),
            attempts=0,
            worker_losses=0,
            first_failed_at=None,
            relay_fault=False,
            queued_at=None,
        )
        if updated:
            transaction.on_commit(lambda: notifications_enqueue([notification.pk]), robust=True)


def notifications_cancel(*, event_prefix: str, customer: Customer | None = None) -> int:
    """Withdraw scheduled rows that no longer apply (a reminder for a date that moved)."""
    rows = Notification.objects.filter(
        event__startswith=event_prefix, status=Notification.Status.PENDING
    )
    if customer is not None:
        rows = rows.filter(customer=customer)
    return rows.update(status=Notification.Status.CANCELLED)


def notifications_cancel_for_contact(
    *, customer: Customer, email: str, why: str, kinds: Iterable[str] | None = None
) -> int:
    """A contact was removed, changed its address or dropped some kinds: its pending e-mails
    (reminders scheduled weeks ago included) are withdrawn, with the reason for staff."""
    rows = Notification.objects.filter(
        customer=customer,
        to_email__iexact=email,
        reason__in=[Notification.Reason.CONTACT, Notification.Reason.CONFIRMATION],
        status=Notification.Status.PENDING,
    )
    if kinds is not None:
        rows = rows.filter(reason=Notification.Reason.CONTACT, kind__in=list(kinds))
    return rows.update(status=Notification.Status.CANCELLED, last_error=why[:2000])
