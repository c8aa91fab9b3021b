"""The customer's forms of billing-data changes, the "Consulta" option (R-BIL-2, R-BIL-4), and of
PO / HES / MIGO requests (R-BIL-3). The services hold the rules; these bind and normalise."""

import re
from datetime import date

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing import rules
from billing.models import BillingDataChange, Invoice, PurchaseOrderRequest
from billing.services import SUPPORT_TYPES
from core.errors import DomainError
from core.lib.attachments import attachment_check
from core.models import Customer

_TEXT = {"rows": 3}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _text_field(label, help_text="") -> forms.CharField:
    """A free-text answer of the forms: optional, a few lines, at most 4,000 characters."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=help_text,
    )


def _model_field(model, name: str):
    return model._meta.get_field(name)


class DataChangeForm(forms.Form):
    """What the customer wants changed; empty means "keep it as it is". The service refuses a
    form with nothing to change and checks the tax id for the customer's country (R-BIL-2)."""

    company_name = forms.CharField(
        label=_("New company name"),
        required=False,
        max_length=_model_field(BillingDataChange, "company_name").max_length,
    )
    tax_id = forms.CharField(
        label=_("New tax id"),
        required=False,
        max_length=_model_field(BillingDataChange, "tax_id").max_length,
    )
    split = forms.ChoiceField(
        label=_("Invoices"),
        choices=BillingDataChange.Split.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose how to split the invoices.")},
    )
    split_detail = _text_field(
        _("How to split them"), _("Which sites or service groups go on each invoice.")
    )
    billing_contacts = _text_field(
        _("Billing contacts"),
        _("Name, e-mail address and phone of each person who receives the invoices."),
    )
    billing_address = _text_field(_("Billing address"), _("The address printed on the invoices."))
    postal_address = _text_field(
        _("Postal address"),
        _("Where paper invoices and letters are sent, if not the billing address."),
    )
    comment = _text_field(_("Comment"))
    # R-BIL-4: the first invoice the page showed ("YYYY-MM"); the view says so if midnight of
    # the 15th passed while the form was open.
    shown_period = forms.CharField(required=False, widget=forms.HiddenInput, max_length=7)

    def __init__(self, *args, customer: Customer, shown_period: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        expected = rules.tax_id_format(customer.country)
        field = self.fields["tax_id"]
        if expected is not None:
            field.label = gettext("New tax id (%(name)s)") % {"name": expected.name}
            field.help_text = gettext("%(name)s, e.g. %(example)s") % {
                "name": expected.name,
                "example": expected.example,
            }
        field.widget.attrs["autocomplete"] = "off"
        self.fields["company_name"].widget.attrs["autocomplete"] = "organization"
        if shown_period is not None:
            self.initial["shown_period"] = f"{shown_period:%Y-%m}"

    def service_data(self) -> dict:
        """The `data` of billing.services.billing_data_change_create."""
        names = (*BillingDataChange.CHANGEABLE, "comment")
        return {name: self.cleaned_data.get(name) or "" for name in names}


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, invoice: Invoice) -> str:
        return f"{invoice.number} · {date_format(invoice.period, 'YEAR_MONTH_FORMAT')}"


class MonthField(forms.CharField):
    """A month as <input type="month"> sends it ("YYYY-MM"), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _MONTH.match(value)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(
                gettext("Enter the month as year and month, e.g. 2026-04."), code="invalid"
            )
        return date(int(match[1]), int(match[2]), 1)


class PoRequestForm(forms.Form):
    """R-BIL-3: the number to print, on which invoices, and the contract support (a PDF or an
    image, checked by its content, never its name)."""

    kind = forms.ChoiceField(
        label=_("What to add"),
        choices=PurchaseOrderRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to add to the invoices."),
            "invalid_choice": _("Choose what to add to the invoices."),
        },
    )
    reference = forms.CharField(
        label=_("Number to print"),
        max_length=_model_field(PurchaseOrderRequest, "reference").max_length,
        error_messages={"required": _("Enter the number to print on the invoices.")},
        help_text=_("Exactly as it must appear on the invoice, e.g. 4500012345."),
    )
    invoices = InvoiceChoiceField(
        label=_("On these invoices"),
        queryset=Invoice.objects.none(),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("%(value)s is not one of your invoices.")},
    )
    from_period = MonthField(
        label=_("Or on every invoice from"),
        required=False,
        help_text=_("The month of the first invoice that must carry the number."),
    )
    comment = _text_field(_("Comment"))
    support = forms.FileField(
        label=_("Contract support"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        error_messages={
            "required": _(
                "Attach the contract support (the PO, or the contract clause that requires it)."
            ),
            "empty": _("The file you attached is empty."),
            "invalid": _("Attach the support as a file."),
        },
    )

    def __init__(self, *args, invoices, since: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.since = since
        invoices_field = self.fields["invoices"]
        assert isinstance(invoices_field, InvoiceChoiceField)
        invoices_field.queryset = invoices
        self.fields["from_period"].widget.attrs["min"] = f"{since:%Y-%m}"
        self.fields["support"].help_text = gettext(
            "The purchase order, or the contract clause that requires the number: a PDF or an "
            "image (PNG, JPEG), up to %(size)d MB."
        ) % {"size": settings.TICKET_ATTACHMENT_MAX_MB}

    def clean_support(self):
        """By content: a renamed executable is refused whatever its name says."""
        upload = self.cleaned_data["support"]
        limit = settings.TICKET_ATTACHMENT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                gettext("%(name)s is larger than %(limit)d MB.")
                % {"name": upload.name, "limit": limit}
            )
        try:
            content_type = attachment_check(upload)
        except DomainError:
            content_type = ""
        if content_type not in SUPPORT_TYPES:
            raise forms.ValidationError(
                gettext("%(name)s is not a PDF or an image (PNG, JPEG).") % {"name": upload.name}
            )
        return upload

    def clean_from_period(self):
        """Not before the first month the customer sees: an older invoice is not in the portal
        (the service checks it again)."""
        period = self.cleaned_data["from_period"]
        if period is not None and period < self.since:
            raise forms.ValidationError(
                gettext("Choose a month from %(month)s on: older invoices are closed.")
                % {"month": date_format(self.since, "YEAR_MONTH_FORMAT")}
            )
        return period

    def clean(self):
        cleaned = super().clean()
        neither = not cleaned.get("invoices") and cleaned.get("from_period") is None
        if neither and not (self.has_error("invoices") or self.has_error("from_period")):
            self.add_error(
                "invoices", gettext("Choose the invoices, or the month from which to print it.")
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """Keyword arguments of billing.services.po_request_create."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "reference": data["reference"],
            "invoices": list(data["invoices"] or []),
            "from_period": data["from_period"],
            "comment": data["comment"],
            "support": data["support"],
        }
