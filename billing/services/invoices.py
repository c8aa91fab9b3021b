"""Invoice facts: totals, the status that follows from disputes, credits and due dates, the
hourly overdue sweep, payments."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing import rules
from billing.models import BillingRequest, Invoice
from billing.money import MoneyAmount


def invoice_totals_recompute(invoice: Invoice) -> Invoice:
    """The subtotal is the sum of the lines; the total adds the taxes."""
    subtotal = invoice.lines.aggregate(total=MoneyAmount(Sum("amount")))["total"] or Decimal("0")
    invoice.subtotal = subtotal
    invoice.total = subtotal + (invoice.tax or Decimal("0"))
    invoice.save(update_fields=["subtotal", "total"])
    return invoice


def invoice_status_refresh(invoice_id: int, today: date | None = None) -> None:
    """An unpaid invoice's status follows from the facts: in dispute while one of its disputes is
    open, credited once its credits cover the whole total, overdue past its due date on the
    customer's calendar, issued before. A paid invoice stays paid whatever is disputed or credited
    on it (a credit there is in the customer's favour, not a debt)."""
    invoice = Invoice.objects.select_related("customer").get(pk=invoice_id)
    if invoice.status == Invoice.Status.PAID:
        return
    today = today or rules.customer_today(invoice.customer)
    credited = invoice.credits.aggregate(total=MoneyAmount(Sum("amount")))["total"] or Decimal("0")
    if BillingRequest.objects.filter(
        invoice=invoice, kind=BillingRequest.Kind.DISPUTE, status__in=BillingRequest.OPEN_STATUSES
    ).exists():
        status = Invoice.Status.IN_DISPUTE
    elif credited >= invoice.total:
        status = Invoice.Status.CREDITED
    elif invoice.due_on < today:
        status = Invoice.Status.OVERDUE
    else:
        status = Invoice.Status.ISSUED
    if status != invoice.status:
        Invoice.objects.filter(pk=invoice.pk).exclude(status=Invoice.Status.PAID).update(
            status=status
        )


def invoices_mark_overdue(now: datetime | None = None) -> int:
    """Beat, hourly: issued invoices past their due date on the customer's own calendar."""
    # No timezone is more than a day ahead of UTC: UTC's tomorrow bounds every customer's today.
    utc_tomorrow = (now or timezone.now()).astimezone(UTC).date() + timedelta(days=1)
    candidates = Invoice.objects.filter(
        status=Invoice.Status.ISSUED, due_on__lt=utc_tomorrow
    ).select_related("customer")
    marked = 0
    for invoice in candidates:
        if invoice.due_on < rules.customer_today(invoice.customer, now):
            # Conditional: a payment or a dispute recorded meanwhile keeps its status.
            marked += Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.ISSUED).update(
                status=Invoice.Status.OVERDUE
            )
    return marked


def invoice_mark_paid(*, invoice: Invoice, paid_on: date) -> Invoice:
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.save(update_fields=["status", "paid_on"])
    return invoice
