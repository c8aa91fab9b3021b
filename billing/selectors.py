"""Every customer read of the billing area. Another customer's invoice, request or file is a 404;
customers see invoices of the last BILLING_MONTHS months and never staff-internal notes."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from billing import rules
from billing.models import (
    BillingAttachment,
    BillingDataChange,
    BillingMessage,
    BillingRequest,
    Credit,
    DisputedLine,
    Invoice,
    InvoiceLine,
    PurchaseOrderRequest,
)
from billing.money import MoneyAmount
from core.models import Area, Customer, Level
from tickets.models import Impact, Ticket

ZERO = Decimal("0")


def visible_since(customer: Customer, today: date | None = None) -> date:
    """The first period a customer still sees: BILLING_MONTHS months back, this month included."""
    today = today or rules.customer_today(customer)
    index = today.year * 12 + today.month - 1 - (settings.BILLING_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


def _credited_sum() -> Subquery:
    return Subquery(
        Credit.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def invoices_for_customer(
    customer: Customer,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    status: str = "",
    currency: str = "",
) -> QuerySet[Invoice]:
    """Annotated with `line_count`, `credited` and `open_requests`."""
    invoices = Invoice.objects.filter(customer=customer, period__gte=visible_since(customer))
    if period_from:
        invoices = invoices.filter(period__gte=period_from.replace(day=1))
    if period_to:
        invoices = invoices.filter(period__lte=period_to.replace(day=1))
    if status == "unpaid":
        # A credited invoice still owes what its credits leave.
        owing = Q(status__in=Invoice.UNPAID_STATUSES) | Q(
            status=Invoice.Status.CREDITED, total__gt=Coalesce(_credited_sum(), ZERO)
        )
        invoices = invoices.filter(owing)
    elif status == Invoice.Status.OVERDUE:
        # Invoice.is_late in SQL: past due and still owed; a dispute does not stop the clock,
        # and the hourly overdue run may not have marked it yet.
        owed = (Invoice.Status.ISSUED, Invoice.Status.OVERDUE, Invoice.Status.IN_DISPUTE)
        invoices = invoices.filter(status__in=owed, due_on__lt=rules.customer_today(customer))
    elif status:
        invoices = invoices.filter(status=status)
    if currency:
        invoices = invoices.filter(currency=currency)
    # Subqueries, not joins: a join on the lines would repeat each invoice in totals_by_currency.
    line_count = Subquery(
        InvoiceLine.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(count=Count("id"))
        .values("count"),
        output_field=IntegerField(),
    )
    return invoices.annotate(
        line_count=Coalesce(line_count, 0),
        credited=MoneyAmount(Coalesce(_credited_sum(), ZERO)),
    ).order_by("-period", "-issued_on", "-id")


def totals_by_currency(invoices: QuerySet[Invoice]) -> list[dict]:
    """[{currency, total, count}] of the invoices, by currency, in one query."""
    rows = (
        invoices.order_by()
        .values("currency")
        .annotate(sum_total=MoneyAmount(Sum("total")), count=Count("id"))
        .order_by("currency")
    )
    return [
        {"currency": row["currency"], "total": row["sum_total"], "count": row["count"]}
        for row in rows
    ]


def amount_due_by_currency(customer: Customer) -> list[dict]:
    """What is still owed, by currency: unpaid invoices (credited ones included) minus their
    credits, never below zero. [{currency, amount, count, overdue}]."""
    invoices = Invoice.objects.filter(
        customer=customer, status__in=(*Invoice.UNPAID_STATUSES, Invoice.Status.CREDITED)
    ).annotate(credited=MoneyAmount(Coalesce(_credited_sum(), ZERO)))
    today = rules.customer_today(customer)
    due: dict[str, dict] = defaultdict(lambda: {"amount": ZERO, "count": 0, "overdue": 0})
    for invoice in invoices.only("currency", "total", "status", "due_on"):
        left = invoice.left_to_pay(invoice.credited)
        if left <= 0:
            continue
        row = due[invoice.currency]
        row["amount"] += left
        row["count"] += 1
        row["overdue"] += invoice.is_late(invoice.credited, today)
    return [{"currency": code, **row} for code, row in sorted(due.items())]


def invoice_get(customer: Customer, number: str) -> Invoice:
    """One invoice with its lines (and their services), its requests and its credits."""
    queryset = Invoice.objects.filter(customer=customer).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("service")),
        Prefetch(
            "requests",
            queryset=BillingRequest.objects.select_related("requested_by").order_by("-created_at"),
        ),
        Prefetch("credits", queryset=Credit.objects.select_related("request")),
    )
    return get_object_or_404(queryset, number=number, period__gte=visible_since(customer))


def invoice_pdf_get(customer: Customer, number: str) -> Invoice:
    """Like the page: older than BILLING_MONTHS, another customer's or without a PDF is 404."""
    invoice = get_object_or_404(
        Invoice, customer=customer, number=number, period__gte=visible_since(customer)
    )
    if not invoice.pdf:
        raise Http404
    return invoice


def invoices_choice_for_customer(customer: Customer) -> QuerySet[Invoice]:
    """The invoices a request can be about: the visible ones, newest first."""
    return Invoice.objects.filter(customer=customer, period__gte=visible_since(customer)).order_by(
        "-period", "-id"
    )


def disputed_amounts(invoice: Invoice) -> dict[int, Decimal]:
    """line id -> amount under an open dispute."""
    rows = (
        DisputedLine.objects.filter(
            line__invoice=invoice, request__status__in=BillingRequest.OPEN_STATUSES
        )
        .values("line_id")
        .annotate(total=MoneyAmount(Sum("amount")))
    )
    return {row["line_id"]: row["total"] for row in rows}


# --- requests ---------------------------------------------------------------------------------


def requests_for_customer(
    customer: Customer, *, status: str = "", kind: str = ""
) -> QuerySet[BillingRequest]:
    requests = BillingRequest.objects.filter(customer=customer).select_related(
        "invoice", "requested_by", "credit", "credit__invoice"
    )
    if status == "open":
        requests = requests.filter(status__in=BillingRequest.OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    return requests.order_by("-created_at", "-id")


def request_get(customer: Customer, number: str) -> BillingRequest:
    """With the customer-visible conversation only: internal notes never leave the database."""
    queryset = BillingRequest.objects.filter(customer=customer).select_related(
        "invoice", "ticket", "service", "requested_by", "credit", "credit__invoice"
    )
    return get_object_or_404(
        queryset.prefetch_related(
            Prefetch(
                "disputed_lines",
                queryset=DisputedLine.objects.select_related("line", "line__service"),
            ),
            Prefetch(
                "messages",
                queryset=BillingMessage.objects.filter(internal=False)
                .select_related("author")
                .prefetch_related("attachments"),
                to_attr="public_messages",
            ),
            Prefetch(
                "attachments",
                queryset=BillingAttachment.objects.filter(message__isnull=True),
                to_attr="opening_attachments",
            ),
        ),
        number=number,
    )


def request_attachment_get(customer: Customer, number: str, reference) -> BillingAttachment:
    """Only the customer's own files, never one on an internal note."""
    return get_object_or_404(
        BillingAttachment.objects.exclude(message__internal=True),
        request__customer=customer,
        request__number=number,
        reference=reference,
    )


# --- billing-data changes and PO requests ------------------------------------------------------


def data_changes_for_customer(customer: Customer) -> QuerySet[BillingDataChange]:
    return BillingDataChange.objects.filter(customer=customer).select_related("requested_by")


def po_requests_for_customer(customer: Customer) -> QuerySet[PurchaseOrderRequest]:
    return (
        PurchaseOrderRequest.objects.filter(customer=customer)
        .select_related("requested_by")
        .prefetch_related("invoices")
    )


def po_request_get(customer: Customer, number: str) -> PurchaseOrderRequest:
    return get_object_or_404(PurchaseOrderRequest, customer=customer, number=number)


# --- dashboard --------------------------------------------------------------------------------


def billing_dashboard(customer: Customer) -> dict:
    requests = BillingRequest.objects.filter(
        customer=customer, status__in=BillingRequest.OPEN_STATUSES
    ).aggregate(
        open=Count("id"), waiting=Count("id", filter=Q(status=BillingRequest.Status.WAITING))
    )
    due = amount_due_by_currency(customer)
    return {
        "due": due,
        "overdue": sum(row["overdue"] for row in due),
        "open_requests": requests["open"],
        "waiting": requests["waiting"],
    }


# --- what a credit request starts from ---------------------------------------------------------


def ticket_credit_request(customer: Customer, ticket) -> BillingRequest | None:
    """The credit request already raised from this ticket and not refused, if any: one ticket,
    one credit claim."""
    return (
        BillingRequest.objects.filter(
            customer=customer, ticket=ticket, kind=BillingRequest.Kind.CREDIT
        )
        .exclude(outcome=BillingRequest.Outcome.NO_CREDIT)
        .exclude(status=BillingRequest.Status.CLOSED, outcome="")
        .order_by("-created_at")
        .first()
    )


def invoice_currencies(customer: Customer) -> list[str]:
    """The currencies of the invoices the customer sees, the most recently billed first."""
    return list(
        invoices_choice_for_customer(customer)
        .order_by()
        .values("currency")
        .annotate(latest=Max("period"))
        .order_by("-latest", "currency")
        .values_list("currency", flat=True)
    )


def service_currency(customer: Customer, service) -> str:
    """The currency a service was last billed in, else the customer's latest invoice's."""
    line = (
        InvoiceLine.objects.filter(invoice__customer=customer, service=service)
        .order_by("-invoice__period")
        .values_list("invoice__currency", flat=True)
        .first()
    )
    if line:
        return line
    currencies = invoice_currencies(customer)
    return currencies[0] if currencies else ""


def ticket_credit_section(request, ticket) -> dict | None:
    """R-BIL-1 on the ticket page (billing/cards.py): a resolved ticket with an impact on the
    service offers a credit request to people who may act on billing; once one is raised, the
    page links to it instead of offering a second one."""
    if not (
        ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        and ticket.impact != Impact.NO_IMPACT
        and request.membership.can(Area.BILLING, Level.ACT)
    ):
        return None
    claim = ticket_credit_request(request.customer, ticket)
    return {"can_request_credit": claim is None, "credit_claim": claim}
