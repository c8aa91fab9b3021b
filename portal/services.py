"""Writes of portal feedback (R-POR-6): questions and suggestions go to the service manager."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Feedback, Membership
from core.services.outbox import Recipient, notify
from team.models import TeamRole
from team.selectors import team_contact_email

_WINDOW_SECONDS = 3600


def _rate_key(user_id: int) -> str:
    return f"feedback-sent:{user_id}"


def _hourly_limit() -> int:
    return settings.FEEDBACK_PER_HOUR


def feedback_submit(
    *,
    membership: Membership,
    kind: str,
    subject: str,
    message: str,
    page: str = "",
    language: str,
) -> Feedback:
    """Record a message for the active customer and e-mail it on commit to the customer's
    service manager, else the team mailbox (R-POR-6). Without a recipient staff read it in admin.
    """
    key = _rate_key(membership.user_id)
    # Count first, atomically (add, else incr): parallel requests cannot all pass a check
    # made before any of them counted. A refused attempt counts too.
    if cache.add(key, 1, _WINDOW_SECONDS):
        sent = 1
    else:
        try:
            sent = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, _WINDOW_SECONDS)
            sent = 1
    if sent > _hourly_limit():
        raise DomainError(
            _(
                "You have sent %(count)d messages in the last hour. Please wait a while before "
                "sending another one."
            )
            % {"count": _hourly_limit()},
            rule="R-POR-6",
        )
    with transaction.atomic():
        feedback = Feedback.objects.create(
            customer=membership.customer,
            author=membership.user,
            kind=kind,
            subject=subject,
            message=message,
            page=page,
            language=language,
            sent_to=team_contact_email(customer=membership.customer, role=TeamRole.SERVICE_MANAGER),
        )
        if feedback.sent_to:
            notify(
                event=f"feedback:{feedback.pk}",
                template="portal/feedback",
                recipients=[Recipient.for_team(feedback.sent_to)],
                customer=membership.customer,
                context={"feedback": feedback.pk},
            )
    return feedback


def feedback_mark_answered(*, feedback: QuerySet[Feedback]) -> int:
    """Staff triage: the messages were answered (outside the portal, by e-mail or phone)."""
    return feedback.exclude(status=Feedback.Status.ANSWERED).update(status=Feedback.Status.ANSWERED)
