"""allauth's e-mails (the password-reset link, "your password was changed", two-factor notices)
go through the outbox like every other e-mail: a broker or relay outage costs a delay, never a
500 in the middle of a password change, and the security notice is not lost.

Nothing secret is stored: the row keeps the person's id and plain values (IP address, browser,
time). The reset link is built when the e-mail is sent (portal.emails), from PORTAL_BASE_URL,
never from the Host header of the request that asked for it.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core.models import Notification, User
from core.services.outbox import Recipient, notify

TEMPLATE = "account/allauth"
# allauth context values built again at delivery, per e-mail: never stored.
REBUILT_AT_DELIVERY = {"account/email/password_reset_key": {"password_reset_url", "key", "uid"}}
# Values that sign someone in or prove an address: an e-mail that carries one and is not in
# REBUILT_AT_DELIVERY cannot go through the outbox (its feature is off in settings).
_SECRETS = {"key", "code", "password_reset_url", "activate_url", "emailconfirmation"}
# Objects the renderer provides again itself.
_PROVIDED = {"user", "request", "current_site", "email", "PROVIDER_NAME"}
_DATETIME = "__datetime__"


def _plain(value):
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return None


def account_email_values_load(values: dict) -> dict:
    """The stored values as the templates expect them (datetimes back as datetimes)."""
    return {
        name: datetime.fromisoformat(value[_DATETIME])
        if isinstance(value, dict) and _DATETIME in value
        else value
        for name, value in values.items()
    }


def account_email_queue(*, template_prefix: str, email: str, context: dict, language: str) -> int:
    """Record one of allauth's e-mails for delivery by the worker; returns the row's id."""
    rebuilt = REBUILT_AT_DELIVERY.get(template_prefix, set())
    secrets = (_SECRETS & set(context)) - rebuilt
    if secrets:
        raise ImproperlyConfigured(
            f"{template_prefix} carries {', '.join(sorted(secrets))}, which the outbox cannot "
            "build at delivery; keep that allauth feature off or teach portal.emails to build it."
        )
    user = context.get("user")
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=email).first()
    values = {
        name: _plain(value)
        for name, value in context.items()
        if name not in _PROVIDED and name not in rebuilt and _plain(value) is not None
    }
    with transaction.atomic():
        ids = notify(
            event=f"account:{template_prefix}:{uuid.uuid4().hex}",
            template=TEMPLATE,
            recipients=[
                Recipient(
                    email=email,
                    name=user.get_full_name() if user else "",
                    language=language,
                    reason=Notification.Reason.ACCOUNT,
                )
            ],
            context={
                "prefix": template_prefix,
                "user": user.pk if user else None,
                "values": values,
            },
        )
    return ids[0]
