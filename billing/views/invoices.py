"""The customer's invoices (issue 7, sections 1 and 4): the billing home, the list of the last
BILLING_MONTHS months with its totals by currency and its CSV, the invoice page and its PDF.
Every page needs the billing area at view level; the links that raise an inquiry or a dispute
(R-BIL-1) are offered only to members who may act."""

from decimal import Decimal

from django.conf import settings
from django.shortcuts import render

from billing import rules, selectors
from billing.forms.invoices import InvoiceFilterForm, sort_columns
from billing.models import Invoice
from contacts.selectors import billing_contact, portal_for_country
from core.access import member_required
from core.lib.csv_export import csv_response
from core.lib.downloads import private_download
from core.lib.listing import list_page
from core.models import Area, Level

ZERO = Decimal("0")
HOME_ROWS = 5
_FILTERS = ("period_from", "period_to", "status", "currency")
CENT = Decimal("0.01")
CSV_COLUMNS = [
    "number",
    "period",
    "issued_on",
    "due_on",
    "currency",
    "subtotal",
    "tax",
    "total",
    "credited",
    "left_to_pay",
    "status",
    "paid_on",
    "lines",
]


def _mark_late(invoices, today) -> list[Invoice]:
    """Rows annotated with `credited` (selectors.invoices_for_customer) get `late`."""
    invoices = list(invoices)
    for invoice in invoices:
        invoice.late = invoice.is_late(invoice.credited, today)
    return invoices


def _filtered_invoices(request):
    """The bound filter form and the invoices it selects, or (form, None) when a filter is bad."""
    customer = request.customer
    currencies = set(selectors.invoice_currencies(customer))
    form = InvoiceFilterForm(request.GET or None, currencies=currencies)
    if form.is_bound and not form.is_valid():
        return form, None
    invoices = selectors.invoices_for_customer(customer, **form.filters())
    return form, invoices.order_by(*sort_columns(form.ordering))


def _bad_filters(request, form):
    return render(request, "billing/invoice_list.html", {"form": form}, status=400)


@member_required(Area.BILLING)
def billing_home(request):
    customer = request.customer
    due = selectors.amount_due_by_currency(customer)
    open_requests = selectors.requests_for_customer(customer, status="open")
    context = {
        "due": due,
        "overdue_count": sum(row["overdue"] for row in due),
        "open_requests": open_requests[:HOME_ROWS],
        "open_count": open_requests.count(),
        "latest": _mark_late(
            selectors.invoices_for_customer(customer)[:HOME_ROWS], rules.customer_today(customer)
        ),
        "billing_line": billing_contact(customer.country),
        "billing_portal": portal_for_country(customer.country),
        "can_act": request.membership.can(Area.BILLING, Level.ACT),
        "months": settings.BILLING_MONTHS,
    }
    return render(request, "billing/home.html", context)


@member_required(Area.BILLING)
def invoice_list(request):
    form, invoices = _filtered_invoices(request)
    if invoices is None:
        return _bad_filters(request, form)
    context = {
        "form": form,
        **list_page(request, invoices, per_page=settings.BILLING_PAGE_SIZE),
        "sort": form.ordering,
        "totals": selectors.totals_by_currency(invoices),
        "filtered": any(request.GET.get(name) for name in _FILTERS),
        "months": settings.BILLING_MONTHS,
        "since": selectors.visible_since(request.customer),
    }
    context["rows"] = _mark_late(context["page"], rules.customer_today(request.customer))
    return render(request, "billing/invoice_list.html", context)


def _invoice_cells(invoice: Invoice) -> list:
    def amount(value: Decimal) -> Decimal:
        # A Decimal, not text: csv_response defuses text, and "-12.50" would read "'-12.50".
        return value.quantize(CENT)

    return [
        invoice.number,
        f"{invoice.period:%Y-%m}",
        invoice.issued_on.isoformat(),
        invoice.due_on.isoformat(),
        invoice.currency,
        amount(invoice.subtotal),
        amount(invoice.tax),
        amount(invoice.total),
        amount(invoice.credited),  # type: ignore[attr-defined]  # set by annotate()
        amount(invoice.left_to_pay(invoice.credited)),  # type: ignore[attr-defined]  # annotate()
        invoice.get_status_display(),
        invoice.paid_on.isoformat() if invoice.paid_on else "",
        str(invoice.line_count),  # type: ignore[attr-defined]  # set by annotate()
    ]


@member_required(Area.BILLING)
def invoice_export(request):
    """The filtered list as CSV: every row (no pagination), amounts as plain decimals next to
    their currency, cells a spreadsheet would run as formulas defused."""
    form, invoices = _filtered_invoices(request)
    if invoices is None:
        return _bad_filters(request, form)
    day = rules.customer_today(request.customer)
    return csv_response(
        f"invoices-{day:%Y-%m-%d}.csv", CSV_COLUMNS, (_invoice_cells(i) for i in invoices)
    )


@member_required(Area.BILLING)
def invoice_detail(request, number):
    invoice = selectors.invoice_get(request.customer, number)
    disputed = selectors.disputed_amounts(invoice)
    credits = list(invoice.credits.all())
    credited = sum((credit.amount for credit in credits), ZERO)
    context = {
        "invoice": invoice,
        "lines": [(line, disputed.get(line.pk)) for line in invoice.lines.all()],
        "disputed_total": sum(disputed.values(), ZERO),
        "requests": list(invoice.requests.all()),
        "credits": credits,
        "credited": credited,
        "left_to_pay": invoice.left_to_pay(credited),
        "is_late": invoice.is_late(credited, rules.customer_today(request.customer)),
        "can_act": request.membership.can(Area.BILLING, Level.ACT),
        "can_view_services": request.membership.can(Area.SERVICES),
    }
    return render(request, "billing/invoice_detail.html", context)


@member_required(Area.BILLING)
def invoice_pdf(request, number):
    """Only through here, only the customer's own visible invoices, always as a download that
    no cache keeps."""
    invoice = selectors.invoice_pdf_get(request.customer, number)
    return private_download(
        invoice.pdf, filename=f"{invoice.number}.pdf", content_type="application/pdf"
    )
