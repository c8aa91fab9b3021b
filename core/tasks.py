"""Celery tasks of the ground floor. Each keeps the name it was published under before issue 14
moved it out of `portal/` (beat schedules and messages already queued use those names)."""

import logging
import smtplib

from allauth.usersessions.models import UserSession
from celery import shared_task, signals
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from core.lib.mail import mailer_close_held
from core.models import Invitation
from core.services import exports as export_services
from core.services import invitation_notify
from core.services.outbox import notification_deliver as deliver
from core.services.outbox import notifications_deliver as deliver_batch
from core.services.outbox import notifications_sweep as sweep

logger = logging.getLogger(__name__)


# --- Legacy consumers ------------------------------------------------------------------------
# Before every e-mail went through the outbox, the web process published rendered allauth
# e-mails (`email_send`) and raw invitation tokens (`invitation_send`) to the broker. These two
# tasks only drain what an older release left in the queue during an upgrade; nothing publishes
# them any more. Remove them one release after this one.
@shared_task(
    name="portal.tasks.email_send",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def email_send(*, subject: str, body: str, to: list[str], from_email: str, html: str = "") -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(name="portal.tasks.invitation_send")
def invitation_send(invitation_id: int, token: str = "") -> None:
    """The old message's token is ignored: the invitation goes through the outbox, which makes a
    fresh link when it sends the e-mail."""

    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending or invitation.sent_at is not None:
        return
    with transaction.atomic():
        invitation_notify(invitation=invitation)


@shared_task(name="portal.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    # The sessions list's rows (allauth usersessions) whose session is gone or no longer signs
    # anyone in (a password change): the profile page leaves them out, this deletes them.
    for session in UserSession.objects.iterator():
        deleted += int(session.purge())
    return deleted


@shared_task(name="portal.tasks.ping")
def ping() -> str:
    return "pong"


# --- The notification outbox (portal/services/outbox.py) -----------------------------------------
# No autoretry here: retries are rows with a later `next_attempt_at`, so they survive a restart.
# The time limits stay below NOTIFICATION_CLAIM_TIMEOUT: a delivery is stopped (the soft limit
# raises inside it and the row is retried; the hard limit replaces the worker process) before the
# sweep could hand the row to a second worker while the first is still sending it.
@shared_task(  # type: ignore[call-overload]  # celery-types: int limits; Celery takes float
    name="portal.tasks.notification_deliver",
    acks_late=True,
    soft_time_limit=settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATION_SEND_TIME_LIMIT,
)
def notification_deliver(notification_id: int) -> str:

    return deliver(notification_id=notification_id)


@shared_task(  # type: ignore[call-overload]  # celery-types: int limits; Celery takes float
    name="core.tasks.notifications_deliver",
    acks_late=True,
    soft_time_limit=settings.NOTIFICATION_SEND_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATION_SEND_TIME_LIMIT,
)
def notifications_deliver(notification_ids: list[int]) -> dict[str, int]:
    """A batch of rows (notifications_enqueue); each row keeps the guarantees of one delivery."""
    return deliver_batch(notification_ids=notification_ids)


@shared_task(name="portal.tasks.notifications_sweep")
def notifications_sweep() -> int:

    return sweep()


# --- CSV exports too large to stream (core/services/exports.py) -----------------------------


@shared_task(name="core.tasks.export_build")
def export_build(export_id: int) -> str:
    return export_services.export_build(export_id=export_id)


@shared_task(name="core.tasks.exports_sweep")
def exports_sweep() -> dict[str, int]:
    return export_services.exports_sweep()


@signals.worker_process_shutdown.connect  # a prefork child
@signals.worker_shutdown.connect  # the solo and threads pools
def _smtp_quit(**kwargs) -> None:
    """Say QUIT on the SMTP connection the worker kept open between e-mails."""
    mailer_close_held()
