"""Who hears about billing work (R-TEAM-5): Billing Customer Care and the customer's users."""

from django.conf import settings

from core.models import Customer, NotificationKind, User
from core.selectors.notifications import notification_recipients
from core.services.outbox import Recipient
from team.models import TeamRole
from team.selectors import team_contact_email


def billing_care_email(customer: Customer) -> str:
    """R-TEAM-5: the customer's Billing Customer Care person, else the billing mailbox."""
    email = team_contact_email(customer=customer, role=TeamRole.BILLING_CARE)
    if email and email != settings.TEAM_MAILBOX:
        return email
    return settings.BILLING_MAILBOX or email or settings.SUPPORT_FALLBACK_MAILBOX


def care_recipients(customer: Customer) -> list[Recipient]:
    email = billing_care_email(customer)
    return [Recipient.for_team(email)] if email else []


def customer_recipients(customer: Customer, user: User | None) -> list[Recipient]:
    return notification_recipients(customer, NotificationKind.BILLING, users=[user])
