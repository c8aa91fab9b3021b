import datetime
import hashlib
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from billing.models import (
    BillingDataChange,
    BillingRequest,
    Invoice,
    InvoiceLine,
    PurchaseOrderRequest,
)
from billing.services import invoice_totals_recompute
from changes.models import (
    CalendarFeed,
    ChangeRequest,
    Maintenance,
    MaintenanceImpact,
    StandardChange,
)
from core.models import (
    Area,
    Customer,
    Feedback,
    Invitation,
    Level,
    Membership,
    Notification,
    NotificationContact,
    ProductLine,
    Service,
    User,
)
from inventory.models import ExpansionRequest
from orders.models import Order
from team.models import TeamAssignment, TeamPerson, TeamRole
from tickets.models import Ticket
from tickets.sla import sla_targets

PASSWORD = "correct-horse-battery-9"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    legal_name = factory.Sequence(lambda n: f"Customer {n} S.A.")
    display_name = factory.Sequence(lambda n: f"Customer {n}")
    tax_id = factory.Sequence(lambda n: f"30-{n:08d}-1")
    country = "AR"
    segment = Customer.Segment.ENTERPRISE
    language = "es"
    timezone = "America/Argentina/Buenos_Aires"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    language = "en"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = Membership.Role.USER

    class Params:
        admin = factory.Trait(
            role=Membership.Role.ADMIN, **{area.value: Level.ACT for area in Area}
        )


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    customer = factory.SubFactory(CustomerFactory)
    service_id = factory.Sequence(lambda n: f"AR-BUE-IPVPN-{n:05d}")
    product_line = ProductLine.IP_VPN
    site_name = factory.Sequence(lambda n: f"Site {n}")
    site_address = "Av. Corrientes 1234, CABA"
    country = "AR"
    capacity = "100 Mbps"
    status = Service.Status.ACTIVE
    activated_on = datetime.date(2024, 3, 1)


class TeamPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamPerson

    full_name = factory.Sequence(lambda n: f"Provider Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@provider.test")
    phone = "+541151700000"
    languages = factory.LazyFunction(lambda: ["es", "en"])


class NotificationContactFactory(factory.django.DjangoModelFactory):
    """A confirmed contact for orders unless told otherwise."""

    class Meta:
        model = NotificationContact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")
    language = "es"
    orders = True
    confirmed_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    """An order as orders.services.order_create leaves it: received, no touchpoint yet."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"ORD-2026-{n + 1:05d}")
    product_line = ProductLine.INTERNET
    title = factory.Sequence(lambda n: f"Internet 500 Mbps, site {n}")
    received_on = datetime.date(2026, 11, 2)


def provisioning_service(customer, **kwargs) -> Service:
    return ServiceFactory.create(
        customer=customer, status=Service.Status.PROVISIONING, activated_on=None, **kwargs
    )


def ticket_open_for(customer, user, *, service=None, impact="down", **kwargs):
    """A ticket opened the way the portal opens one (tickets.services.ticket_open)."""
    from tickets.services import ticket_open

    service = service or ServiceFactory(customer=customer)
    values = {
        "subject": "No traffic on the main link",
        "description": "The link is down since 09:00.",
        "problem_started_at": timezone.now() - datetime.timedelta(minutes=30),
        "site_contact_name": "Nico NOC",
        "site_contact_phone": "+54 11 5555 0101",
        "access_hours": "24x7",
        **kwargs,
    }
    return ticket_open(
        customer=customer, opened_by=user, services=[service], impact=impact, **values
    )


# A tiny but valid one-page PDF: what the provider's billing system would upload.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def invoice_with_lines(
    customer,
    *,
    amounts=("1000.00", "250.50"),
    currency="USD",
    period=None,
    number=None,
    tax="0",
    status="issued",
    services=None,
    pdf=False,
    **kwargs,
):
    """An invoice as the billing system loads it: one line per amount (each on a service of
    the customer unless `services` says otherwise), totals computed by the service."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from billing.models import Invoice, InvoiceLine
    from billing.services import invoice_totals_recompute

    period = period or timezone.localdate().replace(day=1)
    invoice = Invoice.objects.create(
        customer=customer,
        number=number or f"FA-{Invoice.objects.count() + 1:06d}",
        period=period,
        issued_on=kwargs.pop("issued_on", period),
        due_on=kwargs.pop("due_on", period + datetime.timedelta(days=20)),
        currency=currency,
        tax=Decimal(tax),
        status=status,
        **kwargs,
    )
    for position, amount in enumerate(amounts, start=1):
        service = services[position - 1] if services else ServiceFactory(customer=customer)
        InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            service=service,
            description=f"Monthly charge {position}",
            amount=Decimal(amount),
        )
    if pdf:
        invoice.pdf.save("invoice.pdf", ContentFile(PDF_BYTES), save=True)
    return invoice_totals_recompute(invoice)


# --- One factory per aggregate --------------------------------------------------------------
# Each builds a valid row as the services would leave it, tenant consistent: the people, services
# and invoices it points at belong to the same customer. Numbers come from a range of their own
# (9xxxx) so they never collide with the ones core.services.numbering issues in the same test.
# tests/test_factories.py builds every one of them.


def member_of(customer, **kwargs) -> User:
    """A person with a membership of `customer` (a plain user unless told otherwise)."""
    return MembershipFactory.create(customer=customer, **kwargs).user


def _token_hash(n: int) -> str:
    return hashlib.sha256(f"factory-token-{n}".encode()).hexdigest()


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation sent by one of the customer's administrators."""

    class Meta:
        model = Invitation

    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@customer.test")
    full_name = factory.Sequence(lambda n: f"Invitee {n}")
    language = "es"
    role = Membership.Role.USER
    permissions = factory.LazyFunction(lambda: {"tickets": Level.ACT, "billing": Level.VIEW})
    token_hash = factory.Sequence(_token_hash)
    invited_by = factory.LazyAttribute(lambda o: member_of(o.customer, admin=True))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    customer = factory.SubFactory(CustomerFactory)
    author = factory.LazyAttribute(lambda o: member_of(o.customer))
    kind = Feedback.Kind.QUESTION
    subject = factory.Sequence(lambda n: f"Question {n}")
    message = "Where do I find the invoices of last year?"
    page = "/billing/invoices/"
    language = "es"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A pending e-mail of the outbox to one of the customer's notification contacts."""

    class Meta:
        model = Notification

    key = factory.Sequence(lambda n: f"factory:{n}")
    event = factory.Sequence(lambda n: f"factory:event:{n}")
    customer = factory.SubFactory(CustomerFactory)
    template = "portal/contact_bounced"
    context = factory.LazyFunction(
        lambda: {"contact_name": "NOC", "contact_email": "noc@customer.test", "path": "/"}
    )
    to_email = factory.Sequence(lambda n: f"contact{n}@customer.test")
    language = "es"
    reason = Notification.Reason.CONTACT


class TeamAssignmentFactory(factory.django.DjangoModelFactory):
    """The customer's account manager unless told another role."""

    class Meta:
        model = TeamAssignment

    customer = factory.SubFactory(CustomerFactory)
    role = TeamRole.ACCOUNT_MANAGER
    person = factory.SubFactory(TeamPersonFactory)


class ExpansionRequestFactory(factory.django.DjangoModelFactory):
    """More capacity on one of the customer's services."""

    class Meta:
        model = ExpansionRequest

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"EXP-2026-{90000 + n:05d}")
    service = factory.LazyAttribute(lambda o: ServiceFactory(customer=o.customer))
    kind = ExpansionRequest.Kind.CAPACITY
    capacity = "1 Gbps"
    description = "The site doubles its staff in March."
    requested_by = factory.LazyAttribute(lambda o: member_of(o.customer))


class TicketFactory(factory.django.DjangoModelFactory):
    """An open ticket on one of the customer's services, with the SLA targets of its impact.
    (tests.factories.ticket_open_for opens one through the service, with its first events.)"""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"TT-2026-{900000 + n:06d}")
    impact = "down"
    subject = factory.Sequence(lambda n: f"No traffic on link {n}")
    description = "The link is down since 09:00."
    problem_started_at = factory.LazyAttribute(
        lambda o: o.opened_at - datetime.timedelta(minutes=30)
    )
    site_contact_name = "Nico NOC"
    site_contact_phone = "+54 11 5555 0101"
    access_hours = "24x7"
    opened_by = factory.LazyAttribute(lambda o: member_of(o.customer))
    opened_at = factory.LazyFunction(timezone.now)
    response_target = factory.LazyAttribute(lambda o: sla_targets(o.impact)[0])
    restoration_target = factory.LazyAttribute(lambda o: sla_targets(o.impact)[1])
    restoration_deadline = factory.LazyAttribute(lambda o: o.opened_at + o.restoration_target)

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create:
            services = [ServiceFactory(customer=obj.customer)] if extracted is None else extracted
            obj.services.set(services)


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A submitted bandwidth change (the catalog's standard change) on one of the customer's
    services."""

    class Meta:
        model = ChangeRequest
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"CHG-2026-{90000 + n:05d}")
    change_type = factory.LazyFunction(lambda: StandardChange.objects.get(code="bandwidth"))
    parameters = factory.LazyFunction(lambda: {"bandwidth": "200 Mbps"})
    requested_by = factory.LazyAttribute(lambda o: member_of(o.customer))
    analysis_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create:
            services = [ServiceFactory(customer=obj.customer)] if extracted is None else extracted
            obj.services.set(services)


class MaintenanceFactory(factory.django.DjangoModelFactory):
    """A draft of the provider's planned work, ten days ahead, four hours long. It belongs to
    no customer: its impacts (MaintenanceImpactFactory) say whose services it touches."""

    class Meta:
        model = Maintenance

    reference = factory.Sequence(lambda n: f"MNT-2026-{9000 + n:04d}")
    created_by = factory.SubFactory(
        UserFactory, email=factory.Sequence(lambda n: f"engineer{n}@provider.test"), is_staff=True
    )
    reason = "Replacement of the core router's line cards."
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=4))


class MaintenanceImpactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceImpact

    maintenance = factory.SubFactory(MaintenanceFactory)
    service = factory.SubFactory(ServiceFactory)
    impact = "outage"
    expected_outage_minutes = 30


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    """The customer's shared maintenance calendar address; `personal=True` makes it a member's
    own (of the same customer)."""

    class Meta:
        model = CalendarFeed

    customer = factory.SubFactory(CustomerFactory)
    token_hash = factory.Sequence(lambda n: _token_hash(100000 + n))

    class Params:
        personal = factory.Trait(
            membership=factory.LazyAttribute(lambda o: MembershipFactory(customer=o.customer))
        )


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An issued invoice of November 2026 with one line on one of the customer's services;
    totals computed by billing.services (`lines=["10.00", ...]` for other amounts).
    (tests.factories.invoice_with_lines remains for invoices with a PDF or in the past months.)"""

    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"A-0009-{n + 1:08d}")
    period = datetime.date(2026, 11, 1)
    issued_on = factory.LazyAttribute(lambda o: o.period)
    due_on = factory.LazyAttribute(lambda o: o.issued_on + datetime.timedelta(days=20))
    currency = "USD"

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create:
            return
        for position, amount in enumerate(extracted or ["1000.00"], start=1):
            InvoiceLineFactory(invoice=obj, position=position, amount=Decimal(amount))
        invoice_totals_recompute(obj)


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    """A line of an invoice, on a service of the invoice's customer. Alone it leaves the
    invoice's totals as they were: billing.services.invoice_totals_recompute updates them."""

    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory, lines=[])
    position = 1
    service = factory.LazyAttribute(lambda o: ServiceFactory(customer=o.invoice.customer))
    description = factory.Sequence(lambda n: f"Monthly charge {n}")
    amount = Decimal("1000.00")


class BillingRequestFactory(factory.django.DjangoModelFactory):
    """A question about one of the customer's invoices."""

    class Meta:
        model = BillingRequest

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"BIL-2026-{90000 + n:05d}")
    kind = BillingRequest.Kind.QUESTION
    invoice = factory.LazyAttribute(lambda o: InvoiceFactory(customer=o.customer))
    subject = factory.Sequence(lambda n: f"Invoice question {n}")
    description = "What is the second line of this invoice?"
    requested_by = factory.LazyAttribute(lambda o: member_of(o.customer))


class BillingDataChangeFactory(factory.django.DjangoModelFactory):
    """A new company name from the next month's invoice on."""

    class Meta:
        model = BillingDataChange

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"BDC-2026-{90000 + n:05d}")
    company_name = factory.LazyAttribute(lambda o: f"{o.customer.legal_name} (new name)")
    requested_on = datetime.date(2026, 11, 10)
    target_period = datetime.date(2026, 12, 1)
    requested_by = factory.LazyAttribute(lambda o: member_of(o.customer))


class PurchaseOrderRequestFactory(factory.django.DjangoModelFactory):
    """A purchase order sent for one of the customer's invoices, its PDF attached."""

    class Meta:
        model = PurchaseOrderRequest
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"POR-2026-{90000 + n:05d}")
    kind = PurchaseOrderRequest.Kind.PO
    reference = factory.Sequence(lambda n: f"45000{n:05d}")
    support = factory.django.FileField(filename="orden.pdf", data=PDF_BYTES)
    support_name = "orden.pdf"
    support_type = "application/pdf"
    routed_to = "billing@provider.test"
    requested_by = factory.LazyAttribute(lambda o: member_of(o.customer))

    @factory.post_generation
    def invoices(obj, create, extracted, **kwargs):
        if create:
            invoices = [InvoiceFactory(customer=obj.customer)] if extracted is None else extracted
            obj.invoices.set(invoices)
