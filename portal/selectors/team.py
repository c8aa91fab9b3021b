"""Reads of a customer's account team (R-TEAM-1..8)."""

from django.conf import settings

from portal.models import Customer, TeamAssignment, TeamMailbox, TeamRole


def team_contact_email(*, customer: Customer, role: TeamRole) -> str:
    """Where a message for this role goes: the person holding it, else the role's mailbox,
    else the portal-wide TEAM_MAILBOX; empty when none is configured (staff still see it)."""
    assignment = (
        TeamAssignment.objects.select_related("person")
        .filter(customer=customer, role=role, person__isnull=False, person__is_active=True)
        .first()
    )
    if assignment is not None:
        return assignment.person.email
    mailbox = TeamMailbox.objects.filter(role=role).first()
    if mailbox is not None:
        return mailbox.email
    return settings.TEAM_MAILBOX
