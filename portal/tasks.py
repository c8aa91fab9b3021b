import logging
import secrets
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from portal import emails
from portal.models import Invitation

logger = logging.getLogger(__name__)

# Temporary failures (a busy or unreachable server) are retried with exponential backoff.
_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    "retry_backoff": settings.EMAIL_RETRY_BACKOFF,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**_RETRY)
def email_send(*, subject: str, body: str, to: list[str], from_email: str, html: str = "") -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(**_RETRY)
def invitation_send(invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related("customer", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_pending:
        return
    if invitation.token_hash != Invitation.hash_token(token):
        return  # superseded by a fresh link from invitations_send_pending
    emails.invitation(invitation, token).send()
    Invitation.objects.filter(pk=invitation_id).update(sent_at=timezone.now())


@shared_task
def invitations_send_pending() -> int:
    """Invitations whose e-mail was never sent (broker down at the time) get a fresh link.

    The raw token is never stored, so a new one replaces it before sending.
    """
    stale = Invitation.objects.filter(
        sent_at__isnull=True,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        created_at__lt=timezone.now() - timedelta(minutes=2),
    )
    count = 0
    for invitation in stale:
        token = secrets.token_urlsafe(32)
        Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
            token_hash=Invitation.hash_token(token)
        )
        invitation_send.delay(invitation.pk, token)
        count += 1
    return count


@shared_task
def sessions_clear_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def ping() -> str:
    return "pong"


# --- The notification outbox (portal/services/outbox.py) -----------------------------------------
# No autoretry here: retries are rows with a later `next_attempt_at`, so they survive a restart.
@shared_task(acks_late=True)
def notification_deliver(notification_id: int) -> str:
    from portal.services.outbox import notification_deliver as deliver

    return deliver(notification_id=notification_id)


@shared_task
def notifications_sweep() -> int:
    from portal.services.outbox import notifications_sweep as sweep

    return sweep()
