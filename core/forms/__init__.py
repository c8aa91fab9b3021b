"""The tenancy core's forms; the modules hold them, this package only re-exports them."""

from core.forms.invitations import InvitationAcceptForm
from core.forms.profile import ProfileForm, timezone_choices
from core.forms.users import AuditFilterForm, InviteForm, MemberFilterForm, PermissionsForm

__all__ = [
    "AuditFilterForm",
    "InvitationAcceptForm",
    "InviteForm",
    "MemberFilterForm",
    "PermissionsForm",
    "ProfileForm",
    "timezone_choices",
]
