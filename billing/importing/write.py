"""A checked batch into the database, in one transaction, and the report's figures."""

from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction

from billing.importing.records import ImportReport, InvoiceDraft
from billing.models import Invoice, InvoiceLine
from core.models import Customer


def _invoice(draft: InvoiceDraft, source: str) -> Invoice:
    # Only a batch without problems is written, and a missing date is one.
    assert draft.period is not None
    assert draft.issued_on is not None
    assert draft.due_on is not None
    return Invoice(
        customer=draft.customer,
        number=draft.number,
        period=draft.period,
        issued_on=draft.issued_on,
        due_on=draft.due_on,
        currency=draft.currency,
        subtotal=draft.subtotal,
        tax=draft.tax,
        total=draft.subtotal + draft.tax,
        status=draft.status,
        paid_on=draft.paid_on,
        source=source,
    )


@transaction.atomic
def write(drafts: list[InvoiceDraft], report: ImportReport) -> None:
    invoices = Invoice.objects.bulk_create(_invoice(draft, report.source) for draft in drafts)
    lines = InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            service=line.service,
            description=line.description,
            quantity=line.quantity,
            amount=line.amount,
        )
        for invoice, draft in zip(invoices, drafts, strict=True)
        for position, line in enumerate(draft.lines, start=1)
    )
    report.created = invoices
    report.invoices = len(invoices)
    report.lines = len(lines)
    per_customer: Counter = Counter()
    names: dict[int, Customer] = {}
    per_currency: dict[str, list] = defaultdict(lambda: [0, Decimal("0")])
    for invoice in invoices:
        per_customer[invoice.customer_id] += 1
        names[invoice.customer_id] = invoice.customer
        per_currency[invoice.currency][0] += 1
        per_currency[invoice.currency][1] += invoice.total
    report.per_customer = sorted(
        ((names[pk], count) for pk, count in per_customer.items()),
        key=lambda row: row[0].display_name,
    )
    report.per_currency = [(code, n, total) for code, (n, total) in sorted(per_currency.items())]
