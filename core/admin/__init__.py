"""Staff triage of the tenancy core. Django's admin autodiscovery imports this package; the
modules register their ModelAdmins."""

from core.admin import exports, notifications, people  # noqa: F401
