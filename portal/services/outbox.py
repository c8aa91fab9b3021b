"""The notification outbox: every e-mail the portal sends about an event goes through here.

1. `notify()` runs inside the caller's transaction and writes one row per recipient, keyed by
   event + recipient, so the same event recorded twice is still one e-mail each.
2. After commit the rows are handed to Celery. A broker outage is logged, never raised: the rows
   stay pending and `notifications_sweep` (beat, every minute) enqueues them later.
3. `notification_deliver()` claims a row with a conditional UPDATE, so a task delivered twice
   (acks_late after a lost worker, a sweep racing a retry) sends once.
4. Temporary SMTP errors back off exponentially; permanent ones, and the last try, mark the row
   `failed` for staff to see and retry in admin.

The one window no outbox can close: a worker that dies after the SMTP server accepted a message
and before the row is marked sent. The mark is written the moment the server answers, before the
SMTP session is closed, and the Message-ID is stable so mail clients drop the copy.
"""

import contextlib
import hashlib
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.errors import DomainError
from portal.models import Customer, Notification, NotificationContact, User

logger = logging.getLogger(__name__)

_MAX_BACKOFF = 3600
# One publish attempt, no reconnect loop: with the broker down, `retry=False` still lets kombu
# reconnect for ~6 s per call (measured), which would hang every request that notifies. The row
# is safe in the database either way; the sweep queues it later.
_PUBLISH_ONCE = {"max_retries": 0}


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
    recipient's language by the template's context builder (portal.emails).
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
    rows = []
    for item in events:
        seen = set()
        for recipient in item["recipients"]:
            address = recipient.email.strip().lower()
            if not address or address in seen:
                continue
            seen.add(address)
            rows.append(
                Notification(
                    key=_key(item["event"], address),
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
                    next_attempt_at=item.get("send_at") or now,
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
            ).values_list("pk", "next_attempt_at")
        )
    due = [pk for pk, at in written if at <= now]
    if due:
        transaction.on_commit(lambda: notifications_enqueue(due), robust=True)
    return [pk for pk, _ in written]


def notifications_enqueue(ids: list[int]) -> int:
    """Hand rows to Celery. A broker that is down costs nothing: the sweep retries later."""
    from portal.tasks import notification_deliver

    enqueued = []
    for pk in ids:
        try:
            notification_deliver.apply_async((pk,), retry=True, retry_policy=_PUBLISH_ONCE)
        except Exception:  # noqa: BLE001 - any broker failure; the row stays pending
            logger.warning(
                "broker unavailable: %d notification(s) left for the sweep",
                len(ids) - len(enqueued),
            )
            break
        enqueued.append(pk)
    if enqueued:
        # The sweep leaves queued rows alone for a while: a backlog is not queued twice.
        Notification.objects.filter(pk__in=enqueued).update(queued_at=timezone.now())
    return len(enqueued)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.EMAIL_RETRY_BACKOFF * 2 ** (attempts - 1), _MAX_BACKOFF))


def _is_permanent(error: Exception) -> bool:
    """5xx answers mean the address or the message is refused for good; 4xx may pass later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def notification_deliver(*, notification_id: int) -> str:
    """Send one row if it is due and nobody else holds it. Returns what happened."""
    from portal import emails

    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("customer").get(pk=notification_id)
    try:
        message = emails.notification_message(notification)
    except emails.NotificationObsolete as why:
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.CANCELLED, last_error=str(why)[:2000]
        )
        return "cancelled"
    except Exception as error:  # a template or a vanished row: retrying will not help
        logger.exception("notification %s could not be rendered", notification_id)
        _mark_failed(notification, error)
        return "failed"

    connection = mailers.default
    try:
        connection.open()
        connection.send_messages([message])
    except Exception as error:  # noqa: BLE001 - SMTP, socket and TLS errors alike
        connection.close()
        return _after_send_error(notification, error)
    # Marked before QUIT: the shortest window between the server's "250" and our record.
    Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        subject=str(message.subject)[:300],
        last_error="",
    )
    with contextlib.suppress(Exception):  # the message is already accepted and recorded
        connection.close()
    return "sent"


def _after_send_error(notification: Notification, error: Exception) -> str:
    if _is_permanent(error) or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _mark_failed(notification, error)
        if _is_permanent(error) and notification.reason == Notification.Reason.CONTACT:
            from portal.services.notification_contacts import contact_bounce_record

            contact_bounce_record(
                customer_id=notification.customer_id,
                email=notification.to_email,
                reason=_error_text(error),
            )
        return "failed"
    delay = _backoff(notification.attempts)
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.PENDING,
        next_attempt_at=timezone.now() + delay,
        last_error=_error_text(error),
        queued_at=None,
    )
    from portal.tasks import notification_deliver

    try:
        notification_deliver.apply_async(
            (notification.pk,),
            countdown=delay.total_seconds(),
            retry=True,
            retry_policy=_PUBLISH_ONCE,
        )
    except Exception:  # noqa: BLE001 - the sweep picks the row up when it is due
        logger.warning("broker unavailable: notification %s waits for the sweep", notification.pk)
    else:
        Notification.objects.filter(pk=notification.pk).update(queued_at=timezone.now())
    return "retry"


def _mark_failed(notification: Notification, error: Exception) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED, last_error=_error_text(error)
    )


def notifications_sweep() -> int:
    """Beat, every minute: free rows whose worker died mid-send, and enqueue every due row
    that was never queued (broker down, scheduled send) or whose task has not run within
    NOTIFICATION_CLAIM_TIMEOUT (lost by the broker or by a killed worker)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=stale).update(
        status=Notification.Status.PENDING, next_attempt_at=now, queued_at=None
    )
    due = list(
        Notification.objects.filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=stale),
            status=Notification.Status.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:5000]
    )
    return notifications_enqueue(due) if due else 0


def notification_retry(*, notification: Notification) -> None:
    """Staff's "retry" on a failed row: a fresh set of tries, starting now."""
    if notification.status != Notification.Status.FAILED:
        raise DomainError("Only a failed notification can be retried.")
    with transaction.atomic():
        updated = Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.FAILED
        ).update(
            status=Notification.Status.PENDING,
            next_attempt_at=timezone.now(),
            attempts=0,
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
