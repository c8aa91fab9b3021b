"""Every factory of tests/factories.py builds a row that saves, passes the model's own checks and
is tenant consistent (whatever it points at belongs to the same customer): a factory that rots
fails here, not in the tests that use it."""

from decimal import Decimal

import pytest

from billing.models import Invoice
from core.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

# Every DjangoModelFactory of the module, so a new one is checked without being listed here.
ALL = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type)
        and issubclass(value, factories.factory.django.DjangoModelFactory)
        and value is not factories.factory.django.DjangoModelFactory
    ),
    key=lambda value: value.__name__,
)


def _members(customer) -> set[int]:
    return set(Membership.objects.filter(customer=customer).values_list("user", flat=True))


def _owner(obj):
    """The customer whose data `obj` is (None for the provider's own rows)."""
    if hasattr(obj, "customer_id"):
        return obj.customer
    for parent in ("invoice", "maintenance"):
        if hasattr(obj, parent):
            return _owner(getattr(obj, parent))
    return None


@pytest.mark.parametrize("factory_class", ALL, ids=lambda value: value.__name__)
def test_each_factory_builds_a_valid_row_of_one_customer(factory_class):
    first, second = factory_class(), factory_class()

    for obj in (first, second):
        obj.refresh_from_db()
        obj.full_clean(validate_unique=True, validate_constraints=True)
        customer = _owner(obj)
        if customer is None:
            continue
        for field in ("requested_by", "opened_by", "author", "invited_by"):
            if getattr(obj, f"{field}_id", None):
                assert getattr(obj, f"{field}_id") in _members(customer), field
        for related in ("services", "invoices"):
            rows = getattr(obj, related, None)
            if hasattr(rows, "all"):  # Membership.services is an access level, not rows
                assert {row.customer_id for row in rows.all()} <= {customer.pk}, related
        for single in ("service", "invoice", "membership"):
            value = getattr(obj, single, None)
            if value is not None and hasattr(value, "customer_id"):
                assert value.customer_id == customer.pk, single
    assert first.pk != second.pk


def test_an_invoice_has_its_lines_and_the_totals_they_add_up_to():
    invoice = factories.InvoiceFactory(lines=["100.00", "20.50"], tax=Decimal("10.00"))

    invoice.refresh_from_db()
    assert [line.amount for line in invoice.lines.order_by("position")] == [
        Decimal("100.00"),
        Decimal("20.50"),
    ]
    assert (invoice.subtotal, invoice.total) == (Decimal("120.50"), Decimal("130.50"))
    assert invoice.status == Invoice.Status.ISSUED


def test_related_rows_follow_the_customer_they_are_given(customer):
    ticket = factories.TicketFactory(customer=customer)
    change = factories.ChangeRequestFactory(customer=customer)
    po = factories.PurchaseOrderRequestFactory(customer=customer)
    feed = factories.CalendarFeedFactory(customer=customer, personal=True)

    assert ticket.services.get().customer == customer
    assert ticket.opened_by.memberships.get().customer == customer
    assert change.services.get().customer == customer
    assert po.invoices.get().customer == customer
    assert feed.membership.customer == customer
