"""The customer's forms of billing inquiries, disputes and credit requests (R-BIL-1): the list's
filters and the one form for the three kinds. The services hold every rule; the form checks the
disputed amounts line by line too, so that each error stands next to its line."""

from decimal import Decimal
from typing import TypedDict

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from billing.models import BillingRequest, Currency, Invoice
from billing.money import money
from billing.selectors import (
    disputed_amounts,
    invoice_currencies,
    invoices_choice_for_customer,
)
from core.lib.forms import ListFilterForm, LongTextField, attachments_field
from core.lib.forms import ReplyForm as ReplyForm  # the request page's reply
from core.selectors.services import services_for_customer

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CREDIT_FIELDS = ("requested_amount", "currency", "service", "outage_start", "outage_end")


class _Money(TypedDict):
    max_digits: int
    decimal_places: int
    min_value: Decimal


_MONEY: _Money = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


def _amount_input(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal", **attrs})


class RequestFilterForm(ListFilterForm):
    """The list's filters; a bad value is a 400 with a message, never a 500."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("All")),
            ("open", _("Open")),
            *BillingRequest.Status.choices,
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *BillingRequest.Kind.choices]

    def filters(self) -> dict:
        """Keyword arguments of billing.selectors.requests_for_customer."""
        data = self.cleaned_data if self.is_bound else {}
        return {"status": data.get("status", ""), "kind": data.get("kind", "")}


class InvoiceChoiceField(forms.ModelChoiceField):
    country = ""

    def label_from_instance(self, invoice):
        period = date_format(invoice.period, "YEAR_MONTH_FORMAT")
        total = money(invoice.total, invoice.currency, country=self.country)
        return f"{invoice.number} · {period} · {total}"


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, service):
        return f"{service.service_id} · {service.site_name}"


class BillingRequestForm(forms.Form):
    """One form for a question, a dispute of invoice lines and a credit request. The lines of
    the chosen invoice are fields of their own: `lines` (the ticked ones) and `amount_<id>`."""

    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=BillingRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you need.")},
    )
    invoice = InvoiceChoiceField(
        label=_("Invoice"),
        queryset=Invoice.objects.none(),
        to_field_name="number",
        required=False,
        empty_label=_("Choose an invoice"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = LongTextField(
        label=_("Description"),
        max_length=10_000,
        rows=5,
        help_text=_(
            "For a question, what you want to know; for a dispute, why the amounts are wrong; "
            "for a credit, what happened and what it cost you."
        ),
    )
    lines = forms.MultipleChoiceField(
        label=_("Lines you dispute"), required=False, widget=forms.CheckboxSelectMultiple
    )
    requested_amount = forms.DecimalField(
        label=_("Amount asked for"), required=False, widget=_amount_input(), **_MONEY
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        help_text=_("With an invoice chosen, the invoice's currency applies."),
    )
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=None,
        to_field_name="service_id",
        required=False,
        empty_label=_("No particular service"),
    )
    outage_start = forms.DateTimeField(label=_("Outage from"), required=False, widget=_DATETIME)
    outage_end = forms.DateTimeField(label=_("Outage until"), required=False, widget=_DATETIME)
    ticket = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, customer, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.ticket = ticket
        invoices = invoices_choice_for_customer(customer)
        self.fields["invoice"].queryset = invoices
        self.fields["invoice"].country = customer.country
        self.fields["service"].queryset = services_for_customer(customer)
        # The currencies the customer is billed in; every currency while it has no invoice.
        billed = invoice_currencies(customer)
        currencies = [(code, Currency(code).label) for code in billed] or Currency.choices
        self.fields["currency"].choices = [("", "—"), *currencies]
        self.fields["attachments"] = attachments_field()
        zone = timezone.get_current_timezone_name()
        for name in ("outage_start", "outage_end"):
            self.fields[name].help_text = _("Your local time (%(zone)s).") % {"zone": zone}
        self.invoice_shown = self._invoice_shown(invoices)
        self.invoice_lines = list(self.invoice_shown.lines.all()) if self.invoice_shown else []
        self.under_dispute = disputed_amounts(self.invoice_shown) if self.invoice_shown else {}
        self.fields["lines"].choices = [
            (str(line.pk), line.description) for line in self.invoice_lines
        ]
        for line in self.invoice_lines:
            self.fields[f"amount_{line.pk}"] = forms.DecimalField(
                label=_("Disputed amount of line %(position)s") % {"position": line.position},
                required=False,
                widget=_amount_input(
                    max=str(line.amount),
                    **{
                        "data-line-amount": str(line.amount),
                        # billing-dispute.js says the server's own words next to the line.
                        "data-too-much": self._too_much(line),
                    },
                ),
                **_MONEY,
            )

    def _money(self, amount) -> str:
        return money(amount, self.invoice_shown.currency, country=self.customer.country)

    def _too_much(self, line) -> str:
        return str(
            _("You can dispute at most the line's amount, %(amount)s.")
            % {"amount": self._money(line.amount)}
        )

    @property
    def money_sample(self) -> str:
        """1234567 in the shown invoice's currency as the page writes amounts: the live total of
        billing-dispute.js copies its symbol, separators and decimals."""
        return self._money(Decimal("1234567")) if self.invoice_shown else ""

    def _invoice_shown(self, invoices) -> Invoice | None:
        """The invoice whose lines the form shows: the posted one, else the preselected one."""
        if self.is_bound:
            number = self.data.get(self.add_prefix("invoice")) or ""
            return invoices.filter(number=number).prefetch_related("lines__service").first()
        initial = self.initial.get("invoice")
        return initial if isinstance(initial, Invoice) else None

    @property
    def line_rows(self) -> list[dict]:
        """Each line of the shown invoice with its checkbox, its amount field and what of it is
        already under an open dispute."""
        ticked = {str(value) for value in self["lines"].value() or ()}
        rows = []
        for line, check in zip(self.invoice_lines, self["lines"].subwidgets, strict=True):
            amount = self[f"amount_{line.pk}"]
            rows.append(
                {
                    "line": line,
                    "check": check,
                    # A typed amount disputes its line: shown ticked when the form comes back.
                    "checked": str(line.pk) in ticked or bool(amount.value()),
                    "amount": amount,
                    "under_dispute": self.under_dispute.get(line.pk),
                }
            )
        return rows

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        # What the chosen kind does not use cannot stop it (without CSS every field shows).
        unused = [] if kind == BillingRequest.Kind.CREDIT else list(CREDIT_FIELDS)
        if cleaned.get("invoice") is not None:
            unused.append("currency")  # the invoice's currency applies
        if kind != BillingRequest.Kind.DISPUTE:
            unused += ["lines", *(f"amount_{line.pk}" for line in self.invoice_lines)]
        for name in unused:
            self._errors.pop(name, None)
            cleaned[name] = None
        self.disputed = self._disputed(cleaned) if kind == BillingRequest.Kind.DISPUTE else {}
        if kind == BillingRequest.Kind.CREDIT:
            self._outage_check(cleaned)
        return cleaned

    def _outage_check(self, cleaned) -> None:
        """An outage already happened: neither end of it lies in the future. Said here next to
        its field together with the form's other errors; the service checks it again."""
        now = timezone.now()
        for name in ("outage_start", "outage_end"):
            if cleaned.get(name) and cleaned[name] > now:
                self.add_error(
                    name,
                    _(
                        "A credit is for an outage that has happened: the times cannot be in "
                        "the future."
                    ),
                )

    def _disputed(self, cleaned) -> dict:
        """line id -> disputed amount: a ticked line without an amount disputes all of it, an
        amount typed disputes its line. R-BIL-1: never more than the line's amount (the service
        checks it again)."""
        ticked = set(cleaned.get("lines") or ())
        disputed = {}
        for line in self.invoice_lines:
            name = f"amount_{line.pk}"
            if name in self.errors:
                continue
            amount = cleaned.get(name)
            if str(line.pk) not in ticked and amount is None:
                continue
            amount = line.amount if amount is None else amount
            if amount > line.amount:
                self.add_error(name, self._too_much(line))
            elif line.pk in self.under_dispute:
                self.add_error(name, _("This line is already under an open dispute."))
            else:
                disputed[line.pk] = amount
        return disputed

    def service_arguments(self) -> dict:
        """Keyword arguments of billing.services.billing_request_create."""
        data = self.cleaned_data
        kind = data["kind"]
        arguments = {
            "kind": kind,
            "subject": data["subject"],
            "description": data["description"],
            "invoice": data.get("invoice"),
            "attachments": data.get("attachments") or [],
        }
        if kind == BillingRequest.Kind.DISPUTE:
            arguments["disputed"] = self.disputed
        elif kind == BillingRequest.Kind.CREDIT:
            arguments.update(
                requested_amount=data.get("requested_amount"),
                currency=data.get("currency") or "",
                service=data.get("service"),
                ticket=self.ticket,
                outage_start=data.get("outage_start"),
                outage_end=data.get("outage_end"),
            )
        return arguments
