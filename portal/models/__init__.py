"""The core every area shares: tenancy, the services inventory, the account team, help centre."""

from portal.models.core import (
    AREA_ACT_LABELS,
    COUNTRY_DEFAULTS,
    LANGUAGE_CHOICES,
    TIMEZONE_CHOICES,
    Area,
    AuditEvent,
    Country,
    Customer,
    Invitation,
    Level,
    Membership,
    User,
    UserManager,
    access_rows,
)
from portal.models.feedback import Feedback
from portal.models.inventory import (
    ExpansionRequest,
    ExpansionRequestEvent,
    NumberSequence,
    ProductLine,
    Service,
)
from portal.models.notifications import (
    Heartbeat,
    Notification,
    NotificationContact,
    NotificationKind,
)
from portal.models.team import TeamAssignment, TeamMailbox, TeamPerson, TeamRole

__all__ = [
    "AREA_ACT_LABELS",
    "COUNTRY_DEFAULTS",
    "LANGUAGE_CHOICES",
    "TIMEZONE_CHOICES",
    "Area",
    "AuditEvent",
    "Country",
    "Customer",
    "ExpansionRequest",
    "ExpansionRequestEvent",
    "Feedback",
    "Heartbeat",
    "Invitation",
    "Level",
    "Membership",
    "Notification",
    "NotificationContact",
    "NotificationKind",
    "NumberSequence",
    "ProductLine",
    "Service",
    "TeamAssignment",
    "TeamMailbox",
    "TeamPerson",
    "TeamRole",
    "User",
    "UserManager",
    "access_rows",
]
