"""Every write of the tenancy core: memberships, invitations, the audit log (R-POR-5).

The modules hold the code; this package only re-exports them for `from core import services`."""

from core.services.audit import audit_record, audit_record_for_user_customers, client_ip
from core.services.invitations import (
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_notify,
    invitation_resend,
    invitation_revoke,
    invitation_token_issue,
)
from core.services.users import (
    customer_switch,
    membership_deactivate,
    membership_feeds_revoke,
    membership_reactivate,
    membership_update,
    permissions_clean,
    profile_update,
    session_end,
    sessions_end_unless_member_elsewhere,
)

__all__ = [
    "audit_record",
    "audit_record_for_user_customers",
    "client_ip",
    "customer_switch",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_notify",
    "invitation_resend",
    "invitation_revoke",
    "invitation_token_issue",
    "membership_deactivate",
    "membership_feeds_revoke",
    "membership_reactivate",
    "membership_update",
    "permissions_clean",
    "profile_update",
    "session_end",
    "sessions_end_unless_member_elsewhere",
]
