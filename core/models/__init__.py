"""The ground floor's tables: tenancy, people, audit, the outbox, the services every area refers
to, numbering and feedback. The modules hold the models; this package only re-exports them."""

from core.models.exports import Export
from core.models.feedback import Feedback
from core.models.inventory import NumberSequence, ProductLine, Service
from core.models.notifications import Heartbeat, Notification, NotificationContact, NotificationKind
from core.models.tenancy import (
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

__all__ = [
    "AREA_ACT_LABELS",
    "COUNTRY_DEFAULTS",
    "LANGUAGE_CHOICES",
    "TIMEZONE_CHOICES",
    "Area",
    "AuditEvent",
    "Country",
    "Customer",
    "Export",
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
    "User",
    "UserManager",
    "access_rows",
]
