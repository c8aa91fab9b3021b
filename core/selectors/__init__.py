"""Every read of customer data: each takes the customer and returns a scoped queryset.

The modules hold the code; this package only re-exports them for `from core import selectors`."""

from core.selectors.audit import audit_events_for_customer
from core.selectors.users import (
    invitation_by_token,
    invitation_get,
    invitations_open_for_customer,
    invitations_pending_for_customer,
    members_for_customer,
    membership_get,
    memberships_for_user,
    session_get,
    sessions_for_user,
    user_counts_for_customer,
    user_exists,
    user_has_totp,
)

__all__ = [
    "audit_events_for_customer",
    "invitation_by_token",
    "invitation_get",
    "invitations_open_for_customer",
    "invitations_pending_for_customer",
    "members_for_customer",
    "membership_get",
    "memberships_for_user",
    "session_get",
    "sessions_for_user",
    "user_counts_for_customer",
    "user_exists",
    "user_has_totp",
]
