"""Forms of the orders area: staff's touchpoint form and the customer's answer to TP1."""

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lib.forms import ListFilterForm, date_range_check
from orders.models import Order, Step
from orders.selectors import DEFAULT_SORT, ORDER_SORTS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TouchpointForm(forms.Form):
    """The fields of the next touchpoint only: each carries something different (R-ORD-1)."""

    message = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Shown on the order page and in the e-mail."),
    )

    def __init__(self, *args, order: Order, step: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.order, self.step = order, step
        zone = order.customer.timezone
        if step == Step.TECHNICAL_DETAILS:
            self.fields["details_requested"] = forms.CharField(
                label=_("Technical details needed"),
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("One per line, e.g. 'LAN IP range', 'Rack position'."),
            )
        elif step == Step.ESTIMATED_ACTIVATION:
            self.fields["estimated_activation_on"] = forms.DateField(
                label=_("Estimated activation date"), widget=_DATE
            )
            self.fields["installation_on"] = forms.DateField(
                label=_("Installation date"),
                widget=_DATE,
                required=False,
                initial=order.installation_on,
                help_text=_("If known: TP4 then goes out by itself 2 business days before."),
            )
        elif step == Step.INSTALLATION_REMINDER:
            self.fields["installation_on"] = forms.DateField(
                label=_("Installation date"), widget=_DATE, initial=order.installation_on
            )
            self.fields["site_preparation"] = forms.CharField(
                label=_("What the site must prepare"),
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=order.site_preparation,
            )
        elif step == Step.ACTIVATION_PLANNING:
            help_text = _("In the customer's timezone (%(zone)s).") % {"zone": zone}
            self.fields["activation_start"] = forms.DateTimeField(
                label=_("Activation window start"), widget=_DATETIME, help_text=help_text
            )
            self.fields["activation_end"] = forms.DateTimeField(
                label=_("Activation window end"), widget=_DATETIME, help_text=help_text
            )
        elif step == Step.CONNECTION:
            self.fields["activated_on"] = forms.DateField(
                label=_("Activation date"), widget=_DATE, initial=timezone.localdate
            )
        self.fields["message"] = self.fields.pop("message")

    def _in_customer_zone(self, value: datetime) -> datetime:
        """The staff member typed the customer's local time, whatever their own timezone."""
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=ZoneInfo(self.order.customer.timezone))

    def clean_activation_start(self):
        return self._in_customer_zone(self.cleaned_data["activation_start"])

    def clean_activation_end(self):
        return self._in_customer_zone(self.cleaned_data["activation_end"])

    def clean_details_requested(self):
        lines = [line.strip() for line in self.cleaned_data["details_requested"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError(_("List at least one technical detail."))
        if len(lines) > 20:
            raise forms.ValidationError(_("At most 20 details per request."))
        return lines


class FirstInvoiceForm(forms.Form):
    first_invoice_on = forms.DateField(
        label=_("First invoice date"), widget=_DATE, initial=timezone.localdate
    )


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label=_("Reason, as the customer will read it"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TechnicalDetailsForm(forms.Form):
    """The customer's answer to TP1: one field per detail the provider asked for."""

    def __init__(self, *args, details: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.details = details
        for index, detail in enumerate(details):
            self.fields[f"detail_{index}"] = forms.CharField(
                label=detail,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Answer this detail.")},
            )

    @property
    def answers(self) -> list[str]:
        return [self.cleaned_data[f"detail_{index}"] for index in range(len(self.details))]


class OrderFilterForm(ListFilterForm):
    """The orders list's filters; a bad value is shown as a message (400), never a 500."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + Order.Status.choices
    )
    product_line = forms.ChoiceField(label=_("Product line"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=_DATE)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=_DATE)
    sort = forms.ChoiceField(
        required=False,
        choices=[(name, name) for name in ORDER_SORTS]
        + [(f"-{name}", f"-{name}") for name in ORDER_SORTS],
    )

    def __init__(self, *args, product_lines: list[tuple[str, "_StrOrPromise"]], **kwargs):
        super().__init__(*args, **kwargs)
        product_line = self.fields["product_line"]
        assert isinstance(product_line, forms.ChoiceField)
        product_line.choices = [("", _("All")), *product_lines]

    def clean(self):
        cleaned = super().clean()
        date_range_check(cleaned, "received_from", "received_to")
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments of orders.selectors.orders_for_customer."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "status": data.get("status", ""),
            "product_line": data.get("product_line", ""),
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to"),
            "sort": data.get("sort") or DEFAULT_SORT,
        }
