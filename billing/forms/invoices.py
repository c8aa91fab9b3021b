"""The invoice list's filters: period from / to as months (YYYY-MM), status (or "unpaid"),
currency and sort. A bad value is answered with a message (400), never a 500."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.models import Currency, Invoice
from core.lib.forms import ListFilterForm, date_range_check

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
UNPAID = "unpaid"

# sort key -> the columns it orders by (ascending); "-key" reverses every column.
INVOICE_SORTS = {
    "period": ("period", "issued_on", "id"),
    "number": ("number", "id"),
    "due": ("due_on", "id"),
    "total": ("currency", "total", "id"),
    "status": ("status", "-period", "-id"),
}
DEFAULT_SORT = "-period"


def sort_columns(sort: str) -> tuple[str, ...]:
    columns = INVOICE_SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        columns = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in columns)
    return columns


class MonthInput(forms.TextInput):
    """`<input type="month">`; browsers without a month picker show a text box that takes the
    same YYYY-MM value."""

    input_type = "month"

    def __init__(self, attrs=None):
        placeholder = pgettext_lazy("month input placeholder", "YYYY-MM")
        super().__init__({"placeholder": placeholder, "pattern": r"\d{4}-\d{2}", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value.year:04d}-{value.month:02d}"
        return super().format_value(value)


class MonthField(forms.Field):
    """A month as YYYY-MM, cleaned to the first day of that month."""

    widget = MonthInput
    default_error_messages = {
        "invalid": _("Enter a month as YYYY-MM, for example 2026-03."),
    }

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (1900 <= year <= 2999 and 1 <= month <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(year, month, 1)


class InvoiceFilterForm(ListFilterForm):
    period_from = MonthField(label=_("Period from"), required=False)
    period_to = MonthField(label=_("Period until"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (UNPAID, pgettext_lazy("invoice status filter", "Unpaid")),
            *Invoice.Status.choices,
        ],
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[(name, name) for name in INVOICE_SORTS]
        + [(f"-{name}", f"-{name}") for name in INVOICE_SORTS],
    )

    def __init__(self, *args, currencies: list[str], **kwargs):
        """`currencies`: those the customer has invoices in; any other known currency is still
        accepted (a bookmarked filter), it just finds nothing."""
        super().__init__(*args, **kwargs)
        asked = self.data.get("currency", "") if self.is_bound else ""
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [("", _("All"))] + [
            (code, label) for code, label in Currency.choices if code in currencies or code == asked
        ]

    def clean(self):
        cleaned = super().clean()
        date_range_check(
            cleaned, "period_from", "period_to", _("The first month is after the last one.")
        )
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments of billing.selectors.invoices_for_customer."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "period_from": data.get("period_from"),
            "period_to": data.get("period_to"),
            "status": data.get("status", ""),
            "currency": data.get("currency", ""),
        }

    @property
    def ordering(self) -> str:
        """The sort asked for, or the default (newest period first)."""
        data = self.cleaned_data if self.is_bound else {}
        return data.get("sort") or DEFAULT_SORT
