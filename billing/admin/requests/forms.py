"""The forms of the billing-request action pages: a message or note, a credit, an answer, a
confirmation."""

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.admin.requests.helpers import (
    Status,
    amount_text,
)
from billing.models import (
    BillingRequest,
    Invoice,
)
from billing.money import MoneyAmount
from core.lib.forms import MultipleFileField


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Keep the status")),
            (Status.IN_ANALYSIS, _("In analysis")),
            (Status.WAITING, _("Waiting for the customer (ask them for something)")),
        ],
        required=False,
    )
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_(
            "Staff only: the customer never sees it and nobody is notified. It cannot change "
            "the status."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class CreditForm(forms.Form):
    required_css_class = "required"

    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    # Required, never guessed: the request's invoice is chosen beforehand, and an empty choice
    # is refused with this message rather than falling back on anything.
    invoice = forms.ModelChoiceField(
        label=_("Invoice to credit"),
        queryset=Invoice.objects.none(),
        empty_label=_("— Choose the invoice —"),
        error_messages={"required": _("Choose the invoice the credit applies to.")},
    )
    answer = forms.CharField(
        label=_("Answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Empty: the customer reads the amount and the invoice."),
    )
    override = forms.BooleanField(
        label=_("Credit more than the customer asked for"),
        required=False,
        help_text=_(
            "Audited: the amount, the amount asked for and your reason are recorded in the "
            "audit log under your name."
        ),
    )
    override_reason = forms.CharField(
        label=_("Why more than asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, request_obj: BillingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        customer = request_obj.customer
        invoices = Invoice.objects.filter(customer=customer).annotate(
            credited=MoneyAmount(Sum("credits__amount"))
        )
        if request_obj.currency:
            invoices = invoices.filter(currency=request_obj.currency)
        field = self.fields["invoice"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = invoices.order_by("-period", "-id")
        field.label_from_instance = lambda invoice: self._invoice_label(invoice, customer)  # type: ignore[method-assign,assignment]  # documented override
        field.initial = request_obj.invoice_id
        if request_obj.invoice_id:
            assert request_obj.invoice is not None
            field.help_text = gettext(
                "The request's invoice, %(number)s, is chosen. Choose another of the customer's "
                "invoices to apply the credit there."
            ) % {"number": request_obj.invoice.number}
        else:
            field.help_text = gettext(
                "The request names no invoice: choose the one the credit applies to."
            )
        self.fields["amount"].initial = request_obj.requested_amount
        if request_obj.requested_amount is not None:
            self.fields["amount"].help_text = gettext(
                "The customer asked for %(amount)s. More needs the override and a reason."
            ) % {
                "amount": amount_text(request_obj.requested_amount, request_obj.currency, customer)
            }

    @staticmethod
    def _invoice_label(invoice: Invoice, customer) -> str:
        text = gettext("%(number)s · %(period)s · total %(total)s · %(status)s") % {
            "number": invoice.number,
            "period": invoice.period.strftime("%Y-%m"),
            "total": amount_text(invoice.total, invoice.currency, customer),
            "status": invoice.get_status_display(),
        }
        if invoice.credited:  # type: ignore[attr-defined]  # set by annotate() in __init__
            text += " · " + gettext("%(amount)s already credited") % {
                "amount": amount_text(invoice.credited, invoice.currency, customer)  # type: ignore[attr-defined]
            }
        return text


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
