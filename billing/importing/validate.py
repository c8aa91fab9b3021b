"""Raw invoices into checked drafts: every value of every invoice and line, then what needs the
database (customers by tax id, services, numbers already loaded), each in one query. Every
problem is collected; nothing stops at the first."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import gettext as _

from billing import rules
from billing.importing.formats import DESCRIPTION_MAX, IMPORT_STATUSES
from billing.importing.records import InvoiceDraft, LineDraft, Problem, Raw
from billing.importing.values import check, day, decimal, invoice_number_problem, tax_id_compact
from billing.importing.values import text as text_value
from billing.models import BillingDataChange, Currency, Invoice
from core.models import Customer, Service


def validate(raws: list[Raw], *, number_label: str) -> tuple[list[InvoiceDraft], list[Problem]]:
    """Every value of every invoice, then what needs the database: customers, services and
    numbers already loaded, each in one query."""
    problems: list[Problem] = []
    drafts = [_draft(raw, problems, number_label=number_label) for raw in raws]
    _resolve_customers(drafts, problems)
    _resolve_services(drafts, problems)
    _resolve_numbers(drafts, problems, number_label=number_label)
    return drafts, problems


# --- Each value -----------------------------------------------------------------------------------


class _Values:
    """Reads one entry's values, each problem at the place the value was read."""

    def __init__(self, raw: Raw, problems: list[Problem], *, number_label: str = "number"):
        self.raw, self.problems, self.number_label = raw, problems, number_label

    def get(self, name: str, read, *args, **kwargs):
        label = self.number_label if name == "number" else name
        value = self.raw.values.get(name)
        return check(self.problems, self.raw.place(name), label, read, value, *args, **kwargs)

    def given(self, name: str) -> bool:
        return self.raw.values.get(name) not in (None, "")

    def refuse(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.raw.place(name), name, message))


def _draft(raw: Raw, problems: list[Problem], *, number_label: str) -> InvoiceDraft:
    draft = InvoiceDraft(raw=raw)
    known_before = len(problems)
    values = _Values(raw, problems, number_label=number_label)
    draft.raw_tax_id = values.get("customer_tax_id", text_value, required=True, numbers=True) or ""
    number = values.get("number", text_value, required=True, numbers=True)
    if number is not None:
        message = invoice_number_problem(number)
        if message:
            problems.append(Problem(raw.place("number"), number_label, message))
        draft.number = number
    _dates(draft, values)
    _money(draft, values)
    _status(draft, values)
    draft.lines = [_line(line_raw, problems) for line_raw in raw.lines]
    _total_check(draft, values, known_before)
    if draft.subtotal + draft.tax < 0:
        problems.append(Problem(raw.where, "amount", _("The invoice's total cannot be negative.")))
    return draft


def _dates(draft: InvoiceDraft, values: _Values) -> None:
    draft.period = values.get("period", day, month=True)
    draft.issued_on = values.get("issued_on", day)
    draft.due_on = values.get("due_on", day)
    if draft.issued_on and draft.due_on and draft.due_on < draft.issued_on:
        values.refuse("due_on", _("The due date cannot be before the issue date."))


def _money(draft: InvoiceDraft, values: _Values) -> None:
    currency = values.get("currency", text_value, required=True)
    if currency is not None:
        currency = currency.upper()
        if currency not in Currency.values:
            values.refuse(
                "currency",
                _("Unknown currency “%(value)s”. Known: %(known)s.")
                % {"value": currency, "known": ", ".join(Currency.values)},
            )
        draft.currency = currency
    tax = values.get("tax", decimal, places=2, digits=14)
    if tax is not None:
        if tax < 0:
            values.refuse("tax", _("Taxes cannot be negative."))
        draft.tax = tax


def _status(draft: InvoiceDraft, values: _Values) -> None:
    status = values.get("status", text_value, required=False) or Invoice.Status.ISSUED
    if status.lower() not in IMPORT_STATUSES:
        values.refuse(
            "status",
            _("Unknown status “%(value)s”: write issued, paid or overdue (or leave it empty).")
            % {"value": status},
        )
    draft.status = status.lower()
    if values.given("paid_on"):
        draft.paid_on = values.get("paid_on", day)
        if draft.status != Invoice.Status.PAID:
            values.refuse("paid_on", _("Only a paid invoice has a payment date."))
    elif draft.status == Invoice.Status.PAID:
        values.refuse("paid_on", _("Enter the payment date of a paid invoice."))


def _line(raw: Raw, problems: list[Problem]) -> LineDraft:
    values = _Values(raw, problems)
    service_id = values.get("service_id", text_value, required=False, numbers=True) or ""
    description = values.get("description", text_value, required=True)
    if description and len(description) > DESCRIPTION_MAX:
        values.refuse("description", _("At most %(max)d characters.") % {"max": DESCRIPTION_MAX})
    quantity = Decimal("1")
    if values.given("quantity"):
        quantity = values.get("quantity", decimal, places=3, digits=12, label_example="1")
        if quantity is not None and quantity <= 0:
            values.refuse("quantity", _("The quantity must be more than zero."))
    amount = values.get("amount", decimal, places=2, digits=14)
    return LineDraft(
        where=raw.where,
        service_id=service_id,
        description=description or "",
        quantity=quantity or Decimal("1"),
        amount=amount if amount is not None else Decimal("0"),
    )


def _total_check(draft: InvoiceDraft, values: _Values, known_before: int) -> None:
    if not values.given("total"):
        return
    total = values.get("total", decimal, places=2, digits=14)
    expected = draft.subtotal + draft.tax
    # A total that does not add up says nothing new when a value was refused.
    fine = len(values.problems) == known_before
    if total is not None and fine and total != expected:
        values.refuse(
            "total",
            _(
                "The total %(total)s is not the sum of the lines plus the taxes "
                "(%(subtotal)s + %(tax)s = %(expected)s)."
            )
            % {"total": total, "subtotal": draft.subtotal, "tax": draft.tax, "expected": expected},
        )


# --- What needs the database --------------------------------------------------------------------


def _compact_expression_of(field: str):
    expression: str | Replace = field
    for character in (".", "-", "/", " "):
        expression = Replace(expression, Value(character), Value(""))
    return Upper(expression)


def customers_by_tax_id(compacts: set[str]) -> dict[str, list[Customer]]:
    """Customers whose tax id compacts to one of `compacts`, in one query."""
    found: dict[str, list[Customer]] = defaultdict(list)
    if compacts:
        rows = Customer.objects.annotate(compact_tax_id=_compact_expression_of("tax_id")).filter(
            compact_tax_id__in=compacts
        )
        for customer in rows.order_by("country", "pk"):
            found[customer.compact_tax_id].append(customer)
        # R-BIL-4: a tax id changed in the portal stays on the invoices issued before the change
        # applies, so the billing system may still send it.
        replaced = (
            BillingDataChange.objects.filter(status=BillingDataChange.Status.APPLIED)
            .exclude(replaced_tax_id="")
            .annotate(compact=_compact_expression_of("replaced_tax_id"))
            .filter(compact__in=compacts)
            .select_related("customer")
            .order_by("-handled_at")
        )
        for change in replaced:
            if change.customer not in found[change.compact]:
                found[change.compact].append(change.customer)
    return found


def _resolve_customers(drafts: list[InvoiceDraft], problems: list[Problem]) -> None:
    customers = customers_by_tax_id({tax_id_compact(d.raw_tax_id) for d in drafts if d.raw_tax_id})
    for draft in drafts:
        if not draft.raw_tax_id:
            continue
        found = customers.get(tax_id_compact(draft.raw_tax_id), [])
        where = draft.raw.place("customer_tax_id")
        if not found:
            problems.append(
                Problem(
                    where,
                    "customer_tax_id",
                    _("No customer has the tax id %(tax_id)s.") % {"tax_id": draft.raw_tax_id},
                )
            )
        elif len(found) > 1:
            problems.append(
                Problem(
                    where,
                    "customer_tax_id",
                    _(
                        "The tax id %(tax_id)s belongs to several customers (%(customers)s): "
                        "load these invoices one by one in the invoice form."
                    )
                    % {
                        "tax_id": draft.raw_tax_id,
                        "customers": ", ".join(f"{c.display_name} ({c.country})" for c in found),
                    },
                )
            )
        else:
            draft.customer = found[0]
            _issue_date_check(draft, problems)


def _issue_date_check(draft: InvoiceDraft, problems: list[Problem]) -> None:
    assert draft.customer is not None  # the caller has just found it
    today = rules.customer_today(draft.customer)
    if draft.issued_on and draft.issued_on > today:
        # The billing system issues on the day: a later date is a typo, and the customer
        # would see the invoice as issued at once.
        problems.append(
            Problem(
                draft.raw.place("issued_on"),
                "issued_on",
                _("The issue date cannot be in the future (today is %(today)s for %(customer)s).")
                % {"today": today.isoformat(), "customer": draft.customer.display_name},
            )
        )


def _resolve_services(drafts: list[InvoiceDraft], problems: list[Problem]) -> None:
    """By service id, each a service of the invoice's customer."""
    wanted = {line.service_id for d in drafts for line in d.lines if line.service_id}
    services = {s.service_id: s for s in Service.objects.filter(service_id__in=wanted)}
    for draft in drafts:
        for line in draft.lines:
            if not line.service_id:
                continue
            service = services.get(line.service_id)
            if service is None:
                problems.append(
                    Problem(
                        line.where,
                        "service_id",
                        _("No service has the id %(id)s.") % {"id": line.service_id},
                    )
                )
            elif draft.customer is not None and service.customer_id != draft.customer.pk:
                problems.append(
                    Problem(
                        line.where,
                        "service_id",
                        _("Service %(id)s is not a service of %(customer)s.")
                        % {"id": line.service_id, "customer": draft.customer.display_name},
                    )
                )
            else:
                line.service = service


def _resolve_numbers(drafts: list[InvoiceDraft], problems: list[Problem], *, number_label: str):
    """Not loaded already for the customer, not twice in the batch."""
    keyed = [(d.customer.pk, d.number) for d in drafts if d.customer and d.number]
    loaded = set()
    if keyed:
        loaded = set(
            Invoice.objects.filter(
                customer_id__in={pk for pk, _n in keyed}, number__in={n for _pk, n in keyed}
            ).values_list("customer_id", "number")
        )
    seen: dict[tuple[int, str], str] = {}
    for draft in drafts:
        if not (draft.customer and draft.number):
            continue
        key = (draft.customer.pk, draft.number)
        where = draft.raw.place("number")
        if key in loaded:
            problems.append(
                Problem(
                    where,
                    number_label,
                    _("%(customer)s already has invoice %(number)s loaded.")
                    % {"customer": draft.customer.display_name, "number": draft.number},
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    where,
                    number_label,
                    _(
                        "Invoice %(number)s of %(customer)s is repeated in this file (also at "
                        "%(other)s)."
                    )
                    % {
                        "number": draft.number,
                        "customer": draft.customer.display_name,
                        "other": seen[key],
                    },
                )
            )
        else:
            seen[key] = where
