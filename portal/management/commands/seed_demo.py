from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from billing import demo as demo_billing
from changes import demo as demo_changes
from core.models import Area, Customer, Level, Membership, Service, User
from core.scopes import scopes_disabled
from core.services.numbering import number_next
from inventory import demo as demo_inventory
from inventory.models import ExpansionRequest, ExpansionRequestEvent
from orders import demo as demo_orders
from portal.celery import filesystem_broker_folders
from team.models import TeamAssignment, TeamMailbox, TeamPerson
from tickets import demo as demo_tickets

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - published in the README for the demo only
# The admin requires TOTP (issue 13): the demo staff logins share this published authenticator
# secret (base32), so a newcomer adds it to an authenticator app or runs `make totp`.
DEMO_TOTP_SECRET = "LUMENDEMOSTAFFTOTPSECRETFORADMIN"  # noqa: S105 - demo only, in the README

CUSTOMERS = {
    "acme": {
        "legal_name": "Acme Logística S.A.",
        "display_name": "Acme Logística",
        "tax_id": "30-71234567-1",
        "country": "AR",
        "segment": Customer.Segment.ENTERPRISE,
        "language": "es",
        "timezone": "America/Argentina/Buenos_Aires",
    },
    "globex": {
        "legal_name": "Globex Telecom Ltda.",
        "display_name": "Globex Telecom",
        "tax_id": "12.345.678/0001-95",
        "country": "BR",
        "segment": Customer.Segment.WHOLESALE,
        "language": "pt-br",
        "timezone": "America/Sao_Paulo",
    },
}
ALL_ACT = {area.value: Level.ACT for area in Area}
# (e-mail, name, language, customer, role, permissions, staff group, superuser)
PEOPLE = [
    (
        "admin@acme.example",
        "Ana Álvarez",
        "es",
        "acme",
        Membership.Role.ADMIN,
        ALL_ACT,
        None,
        False,
    ),
    (
        "noc@acme.example",
        "Nicolás Ortega",
        "es",
        "acme",
        Membership.Role.USER,
        {"tickets": Level.ACT, "services": Level.VIEW},
        None,
        False,
    ),
    (
        "admin@globex.example",
        "Gabriela Souza",
        "pt-br",
        "globex",
        Membership.Role.ADMIN,
        ALL_ACT,
        None,
        False,
    ),
    ("tsc@provider.example", "Tomás Castro", "es", None, None, None, "TSC", False),
    ("root@provider.example", "Root", "en", None, None, None, None, True),
]


class Command(BaseCommand):
    help = (
        "Load the demo customers and people (idempotent). Refuses to run with DEBUG off unless "
        "--force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    @transaction.atomic
    @scopes_disabled()  # a command works across customers (core/scopes.py)
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo loads well-known passwords; it refuses to run with DEBUG off (use "
                "--force)."
            )
        # The demo's e-mails go to the worker `make run` starts next, not to the sweep.
        filesystem_broker_folders()
        customers = {}
        for key, fields in CUSTOMERS.items():
            # By name: a demo loaded before the tax ids were corrected is found, not doubled.
            customers[key], _ = Customer.objects.get_or_create(
                country=fields["country"], legal_name=fields["legal_name"], defaults=fields
            )
        for email, name, language, customer_key, role, permissions, group, superuser in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=name,
                    language=language,
                    is_staff=bool(group or superuser),
                    is_superuser=superuser,
                )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if group:
                user.groups.add(Group.objects.get(name=group))
            if user.is_staff:
                _demo_totp(user)
            if customer_key:
                assert role is not None  # a customer's person has a role and permissions
                assert permissions is not None
                levels = {area.value: permissions.get(area.value, Level.NONE) for area in Area}
                Membership.objects.get_or_create(
                    user=user, customer=customers[customer_key], defaults={"role": role, **levels}
                )
        _seed_inventory(customers)
        _seed_team(customers)
        demo_orders.seed_contacts(customers)
        demo_orders.seed_orders(customers)
        demo_tickets.seed_tickets(customers)
        demo_changes.seed_changes(customers)
        demo_billing.seed_billing(customers)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(demo_sign_ins())


def _demo_totp(user: User) -> None:
    """The demo staff member's authenticator app, set up once with the published secret."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
        )


def _seed_inventory(customers: dict) -> None:
    for key, rows in demo_inventory.SERVICES.items():
        for row in rows:
            service_id, line, site, address, country, capacity, status, on, managed, sat = row
            Service.objects.get_or_create(
                service_id=service_id,
                defaults={
                    "customer": customers[key],
                    "product_line": line,
                    "site_name": site,
                    "site_address": address,
                    "country": country,
                    "capacity": capacity,
                    "status": status,
                    "activated_on": on,
                    "managed": managed,
                    "satellite": sat,
                },
            )
    acme = customers["acme"]
    if not ExpansionRequest.objects.filter(customer=acme).exists():
        requester = User.objects.get(email="admin@acme.example")
        request = ExpansionRequest.objects.create(
            customer=acme,
            number=number_next(prefix="EXP"),
            service=Service.objects.get(service_id="AR-BUE-IPVPN-10231"),
            kind=ExpansionRequest.Kind.CAPACITY,
            product_line="ip_vpn",
            capacity="500 Mbps",
            description="La casa central migra el ERP a la nube: necesitamos 500 Mbps.",
            requested_by=requester,
            status=ExpansionRequest.Status.QUOTED,
            notified_to="mariana.perez@provider.example",
        )
        ExpansionRequestEvent.objects.create(
            request=request, status=ExpansionRequest.Status.RECEIVED, by=requester
        )
        ExpansionRequestEvent.objects.create(
            request=request,
            status=ExpansionRequest.Status.QUOTED,
            message="Enviamos la cotización por correo; vigente por 30 días.",
        )


def _seed_team(customers: dict) -> None:
    people: dict[str | None, TeamPerson] = {}  # None: a role held by nobody
    for email, name, phone, languages in demo_inventory.TEAM_PEOPLE:
        people[email], _ = TeamPerson.objects.get_or_create(
            email=email, defaults={"full_name": name, "phone": phone, "languages": languages}
        )
    for role, email in demo_inventory.TEAM_MAILBOXES.items():
        TeamMailbox.objects.get_or_create(role=role, defaults={"email": email})
    for key, roles in demo_inventory.TEAM.items():
        for role, holder in roles.items():
            TeamAssignment.objects.get_or_create(
                customer=customers[key], role=role, defaults={"person": people.get(holder)}
            )


def demo_sign_ins() -> str:
    with translation.override("en"):
        return _demo_sign_ins()


def _demo_sign_ins() -> str:
    lines = [f"Demo sign-ins (password for all: {DEMO_PASSWORD}):"]
    for email, _name, _lang, customer_key, role, _perms, group, superuser in PEOPLE:
        if customer_key:
            assert role is not None  # a customer's person has a role
            what = f"{CUSTOMERS[customer_key]['display_name']} - {Membership.Role(role).label}"
        elif superuser:
            what = "provider superuser - /admin/"
        else:
            what = f"provider staff, {group} group - /admin/"
        lines.append(f"  {email:<24} {what}")
    staff = [email for email, *_rest, group, superuser in PEOPLE if group or superuser]
    lines.append(
        "The staff administration also asks for a code from an authenticator app (TOTP).\n"
        f"  Demo secret of both staff logins: {DEMO_TOTP_SECRET}\n"
        "  Type it into an authenticator app (time-based), or import one of these addresses:"
    )
    adapter = get_mfa_adapter()
    lines.extend(f"    {adapter.build_totp_url(User(email=e), DEMO_TOTP_SECRET)}" for e in staff)
    lines.append("  No app at hand: `make totp` prints the current code.")
    return "\n".join(lines)
