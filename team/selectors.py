"""Reads of a customer's account team (R-TEAM-1..8)."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.lib.phones import Phone, phone
from core.models import Customer, Service
from core.models.inventory import ProductLine
from team.models import TeamAssignment, TeamMailbox, TeamRole

Role = TeamRole

LANGUAGE_LABELS = {"es": _("Spanish"), "pt-br": _("Portuguese (Brazil)"), "en": _("English")}


@dataclass(frozen=True)
class RoleInfo:
    """What a role does for the customer and what to contact it about (the handbook, short)."""

    summary: Promise
    topics: tuple[Promise, ...]


ROLE_INFO: dict[str, RoleInfo] = {
    # R-TEAM-1
    Role.ACCOUNT_MANAGER: RoleInfo(
        _(
            "Your sales contact: understands what your company needs and brings you the right "
            "solution."
        ),
        (_("Quotes"), _("New or additional services"), _("Credit applications")),
    ),
    # R-TEAM-4
    Role.CLIENT_EXPERIENCE_LEAD: RoleInfo(
        _(
            "Holds your whole relationship with us and keeps you informed about requirements, "
            "milestones and project updates."
        ),
        (
            _("Your overall experience with us"),
            _("Project milestones and updates"),
            _("Expectations we are not meeting"),
        ),
    ),
    # R-TEAM-3
    Role.CUSTOMER_CARE_MANAGER: RoleInfo(
        _(
            "Owns each of your orders from the technical and administrative order placement "
            "until its first invoice is activated."
        ),
        (_("The status of an order"), _("Installation and activation dates")),
    ),
    # R-TEAM-2: one sales engineer per product area.
    Role.SALES_ENGINEER_DATA: RoleInfo(
        _(
            "Defines the technical requirements of your data services (Internet, IP VPN, "
            "SD-WAN) and proposes a reliable solution."
        ),
        (_("Technical options for a new service"), _("Your existing network and key sites")),
    ),
    Role.SALES_ENGINEER_DATA_CENTER: RoleInfo(
        _(
            "Defines the technical requirements of your data centre services: space, power "
            "and connectivity."
        ),
        (_("Technical options for a new service"), _("Space, power and connectivity")),
    ),
    Role.SALES_ENGINEER_VOICE: RoleInfo(
        _(
            "Defines the technical requirements of your voice services (SIP, numbering, "
            "toll-free) and proposes a reliable solution."
        ),
        (_("Technical options for a new service"), _("Numbering and integration")),
    ),
    # R-TEAM-6
    Role.SERVICE_MANAGER: RoleInfo(
        _(
            "Makes sure your managed services are delivered as agreed and reports on their "
            "quality and performance."
        ),
        (
            _("Service quality and performance reports"),
            _("Improvement plans"),
            _("Change requests"),
        ),
    ),
    # R-TEAM-7
    Role.CUSTOMER_SERVICE_MANAGER: RoleInfo(
        _(
            "Your advocate inside the provider and the escalation contact of your account "
            "team. Not part of the NOC."
        ),
        (
            _("Account lifecycle and trainings"),
            _("Performance meetings"),
            _("Billing questions and new orders"),
        ),
    ),
    # R-TEAM-5
    Role.BILLING_CARE: RoleInfo(
        _(
            "Handles your billing requests, investigates them for you, resolves disputes and "
            "issues credits."
        ),
        (_("Questions about an invoice"), _("Disputes"), _("Credits")),
    ),
}

# The page's order: the relationship first, then the specialists, billing last.
TEAM_ORDER = (
    Role.ACCOUNT_MANAGER,
    Role.CLIENT_EXPERIENCE_LEAD,
    Role.CUSTOMER_CARE_MANAGER,
    Role.SALES_ENGINEER_DATA,
    Role.SALES_ENGINEER_DATA_CENTER,
    Role.SALES_ENGINEER_VOICE,
    Role.SERVICE_MANAGER,
    Role.CUSTOMER_SERVICE_MANAGER,
    Role.BILLING_CARE,
)
KEY_CONTACT_ROLES = (
    Role.ACCOUNT_MANAGER,
    Role.CUSTOMER_CARE_MANAGER,
    Role.CLIENT_EXPERIENCE_LEAD,
    Role.SERVICE_MANAGER,
)
# R-TEAM-7: every customer service manager speaks English and Spanish; in Brazil Portuguese too.
CSM_LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class TeamCard:
    role: str
    label: Promise
    summary: Promise
    topics: tuple[Promise, ...]
    # Who to contact: the person, else the team's shared mailbox; nothing while being assigned.
    name: str = ""
    email: str = ""
    phone: Phone | None = None
    is_mailbox: bool = False
    languages: tuple[Promise, ...] = field(default_factory=tuple)

    @property
    def is_unassigned(self) -> bool:
        return not self.email

    @property
    def initials(self) -> str:
        words = [word for word in self.name.split() if word[:1].isalpha()]
        return "".join(word[0] for word in (words[:1] + words[-1:] if len(words) > 1 else words))


def phone_for_humans(number: str) -> Phone | None:
    """A stored E.164 number as people read it, with its tel: link (the directory's helper)."""
    return phone(number) if number else None


_LIVE_STATUSES = [s for s in Service.Status.values if s != Service.Status.DISCONNECTED]


def _has_managed_services(customer: Customer) -> bool:
    """R-TEAM-6: a managed service that is not disconnected entitles to a service manager."""
    return (
        Service.objects.filter(customer=customer, status__in=_LIVE_STATUSES)
        .filter(Q(managed=True) | Q(product_line=ProductLine.MANAGED))
        .exists()
    )


def _entitled_roles(customer: Customer, roles) -> list[str]:
    entitled = []
    for role in roles:
        if role == Role.CUSTOMER_SERVICE_MANAGER and customer.segment != Customer.Segment.WHOLESALE:
            continue  # R-TEAM-7
        if role == Role.SERVICE_MANAGER and not _has_managed_services(customer):
            continue  # R-TEAM-6
        entitled.append(role)
    return entitled


def _languages(role: str, codes, customer: Customer) -> tuple[Promise, ...]:
    if role == Role.CUSTOMER_SERVICE_MANAGER and not codes:
        codes = (*CSM_LANGUAGES, "pt-br") if customer.country == "BR" else CSM_LANGUAGES
    return tuple(LANGUAGE_LABELS[code] for code in LANGUAGE_LABELS if code in (codes or ()))


def _cards(customer: Customer, roles) -> list[TeamCard]:
    roles = _entitled_roles(customer, roles)
    assignments = {
        a.role: a
        for a in TeamAssignment.objects.filter(customer=customer, role__in=roles).select_related(
            "person"
        )
    }
    mailboxes = {m.role: m for m in TeamMailbox.objects.filter(role__in=roles)}
    cards = []
    for role in roles:
        info = ROLE_INFO[role]
        base: dict[str, Any] = {
            "role": role,
            "label": Role(role).label,
            "summary": info.summary,
            "topics": info.topics,
        }
        assignment = assignments.get(role)
        person = assignment.person if assignment else None
        contact: dict[str, Any]
        if person is not None and person.is_active:
            contact = {
                "name": person.full_name,
                "email": person.email,
                "phone": phone_for_humans(person.phone),
                "languages": _languages(role, person.languages, customer),
            }
        elif role in mailboxes:
            mailbox = mailboxes[role]
            contact = {
                "email": mailbox.email,
                "phone": phone_for_humans(mailbox.phone),
                "is_mailbox": True,
                "languages": _languages(role, (), customer),
            }
        elif settings.TEAM_MAILBOX:
            contact = {
                "email": settings.TEAM_MAILBOX,
                "is_mailbox": True,
                "languages": _languages(role, (), customer),
            }
        else:
            contact = {}
        cards.append(TeamCard(**base, **contact))
    return cards


def team_for_customer(*, customer: Customer) -> list[TeamCard]:
    """One card per role the customer is entitled to (R-TEAM-1..7), in the page's order.

    Three queries whatever the size of the team: managed services, assignments, mailboxes."""
    return _cards(customer, TEAM_ORDER)


def key_contacts_for_customer(*, customer: Customer) -> list[TeamCard]:
    """The dashboard's few: account manager, customer care manager, client experience lead and,
    with managed services, the service manager (R-TEAM-1, 3, 4, 6)."""
    return _cards(customer, KEY_CONTACT_ROLES)


def team_contact_email(*, customer: Customer, role: TeamRole) -> str:
    """Where a message for this role goes: the person holding it, else the role's mailbox,
    else the portal-wide TEAM_MAILBOX; empty when none is configured (staff still see it)."""
    assignment = (
        TeamAssignment.objects.select_related("person")
        .filter(customer=customer, role=role, person__isnull=False, person__is_active=True)
        .first()
    )
    if assignment is not None:
        assert assignment.person is not None  # filtered on a person
        return assignment.person.email
    mailbox = TeamMailbox.objects.filter(role=role).first()
    if mailbox is not None:
        return mailbox.email
    return settings.TEAM_MAILBOX
