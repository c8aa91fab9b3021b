"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, register

# The mailboxes that receive work routed to the provider by e-mail (R-TT escalations and
# customers' replies, R-CHG-6 requests outside the catalog, R-GCR-2 reschedule requests,
# R-TEAM-5 billing requests, R-TEAM messages for a vacant role). Each falls back to
# SUPPORT_FALLBACK_MAILBOX in settings.
ROUTING_MAILBOXES = (
    "TSC_MAILBOX",
    "SERVICE_MANAGEMENT_MAILBOX",
    "CHANGE_MANAGEMENT_MAILBOX",
    "BILLING_MAILBOX",
    "TEAM_MAILBOX",
)


@register("mailboxes", deploy=True)
def routing_mailboxes_check(app_configs, **kwargs) -> list[Error]:
    missing = [name for name in ROUTING_MAILBOXES if not getattr(settings, name, "")]
    if not missing:
        return []
    return [
        Error(
            f"{', '.join(missing)} not set: escalations, customers' replies and requests the "
            "portal routes by e-mail would reach nobody.",
            hint="Set SUPPORT_FALLBACK_MAILBOX (every unset mailbox falls back to it), or each "
            "of these variables.",
            id="portal.E001",
        )
    ]
