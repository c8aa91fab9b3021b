"""Money the database computes (sums, maxima, credited subqueries) keeps its two decimals on
every database (issue 13, section 6). SQLite returns `Sum` of 60.00 as `Decimal("60")`, which
then reads "60" in a message where PostgreSQL gives "60.00"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import selectors, services
from tests.factories import UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

D = Decimal


def _invoice(customer, amounts=("100.00", "50.00")):
    today = timezone.localdate()
    return invoice_with_lines(
        customer,
        amounts=amounts,
        currency="USD",
        issued_on=today - timedelta(days=10),
        period=(today - timedelta(days=10)).replace(day=1),
        due_on=today + timedelta(days=20),
    )


def _dispute(customer, user, invoice, amount: str):
    return services.billing_request_create(
        customer=customer,
        user=user,
        kind="dispute",
        subject="Doubled",
        description="Charged twice",
        invoice=invoice,
        disputed={invoice.lines.get(position=1).pk: D(amount)},
    )


def _as_text(value) -> str:
    """What `%s` makes of the value in a message."""
    return "%s" % value  # noqa: UP031 - the way the messages format it


def test_the_disputed_amounts_of_an_invoice_keep_two_decimals(customer, portal_admin_user):
    invoice = _invoice(customer)
    _dispute(customer, portal_admin_user, invoice, "60.00")

    amounts = selectors.disputed_amounts(invoice)

    assert [_as_text(value) for value in amounts.values()] == ["60.00"]


def test_totals_by_currency_keep_two_decimals(customer):
    _invoice(customer, amounts=("100.00",))
    _invoice(customer, amounts=("20.00",))

    totals = selectors.totals_by_currency(selectors.invoices_for_customer(customer))

    assert [(row["currency"], _as_text(row["total"])) for row in totals] == [("USD", "120.00")]


def test_the_credited_amount_and_what_is_due_keep_two_decimals(customer, portal_admin_user):
    invoice = _invoice(customer)
    request_obj = _dispute(customer, portal_admin_user, invoice, "40.00")
    staff = UserFactory(email="care@provider.test", is_staff=True)
    services.credit_issue(request_obj=request_obj, staff=staff, amount=D("40.00"), invoice=invoice)

    listed = selectors.invoices_for_customer(customer).get(pk=invoice.pk)
    due = selectors.amount_due_by_currency(customer)

    assert _as_text(listed.credited) == "40.00"
    assert [_as_text(row["amount"]) for row in due] == ["110.00"]


def test_the_subtotal_computed_from_the_lines_keeps_two_decimals(customer):
    invoice = _invoice(customer, amounts=("100.00", "20.00"))

    services.invoice_totals_recompute(invoice)

    assert (_as_text(invoice.subtotal), _as_text(invoice.total)) == ("120.00", "120.00")
