from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.models import (
    AuditEvent,
    Customer,
    User,
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, resolved once for everything: allauth's rate limits and sessions
    call the same adapter method, which honours ALLAUTH_TRUSTED_PROXY_COUNT (behind our TLS
    proxy, the address it appended to X-Forwarded-For; without a proxy, REMOTE_ADDR and never
    the header a client may forge)."""
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no usable address at all; the audit row says so with NULL
        return None


def _client(request: HttpRequest | None) -> dict:
    if request is None:
        return {}
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def audit_record(
    *,
    action: str,
    customer: Customer | None = None,
    actor: User | None = None,
    target_email: str = "",
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        customer=customer,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_email=target_email,
        detail=detail or {},
        **_client(request),
    )


def audit_record_for_user_customers(
    *, user: User, action: str, request: HttpRequest | None = None, detail: dict | None = None
) -> None:
    """A sign-in concerns every customer the person belongs to: each one's admins see it."""
    customers: list[Customer | None] = [
        m.customer for m in user.memberships.select_related("customer")
    ]
    for customer in customers or [None]:
        audit_record(
            action=action,
            customer=customer,
            actor=user,
            target_email=user.email,
            detail=detail,
            request=request,
        )
