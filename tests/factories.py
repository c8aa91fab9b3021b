import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from core.models import (
    Area,
    Customer,
    Level,
    Membership,
    NotificationContact,
    ProductLine,
    Service,
    User,
)
from orders.models import Order
from team.models import TeamPerson

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
