"""The staff forms of the ticket admin (actions, replies, opening by phone)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.lib.forms import MultipleFileField
from core.models import Customer, Service, User
from tickets.models import Impact, PauseInterval


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        **kwargs,
    )


class WaitForm(forms.Form):
    reason = forms.ChoiceField(label=_("Waiting for"), choices=PauseInterval.Reason.choices)
    message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 4}))
    restored_at = datetime_field(
        _("Service restored at"),
        required=False,
        help_text=_("In your timezone. Empty: now."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Post as"),
        choices=[
            ("public", _("Public reply (the customer is notified)")),
            ("internal", _("Internal note (staff only)")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))


class CustomerChoiceForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("display_name")
    )


class OpenForm(forms.Form):
    """R-TT-2 for a customer who phoned the TSC (R-TT-4); choices limited to that customer."""

    services: "forms.ModelMultipleChoiceField[Service]" = forms.ModelMultipleChoiceField(
        label=_("Affected services"), queryset=None
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)
    requester: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Requester"),
        queryset=None,
        help_text=_("The customer's person who called; receives every update."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    problem_started_at = datetime_field(_("Problem started"))
    site_contact_name = forms.CharField(label=_("On-site contact"), max_length=150)
    site_contact_phone = forms.CharField(label=_("On-site contact phone"), max_length=40)
    site_contact_email = forms.EmailField(
        label=_("On-site contact e-mail"), required=False, max_length=254
    )
    access_hours = forms.CharField(label=_("Site access hours"), max_length=200)
    checks_done = forms.CharField(
        label=_("What was already checked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        services = self.fields["services"]
        assert isinstance(services, forms.ModelMultipleChoiceField)
        services.queryset = (
            Service.objects.filter(customer=customer)
            .exclude(status=Service.Status.DISCONNECTED)
            .order_by("service_id")
        )
        self.fields["services"].widget.attrs["size"] = 8
        requester = self.fields["requester"]
        assert isinstance(requester, forms.ModelChoiceField)
        requester.queryset = User.objects.filter(
            memberships__customer=customer, is_active=True
        ).order_by("full_name", "email")
        self.fields["problem_started_at"].help_text = gettext("In your timezone (%(tz)s).") % {
            "tz": timezone.get_current_timezone_name()
        }


# --- Inlines --------------------------------------------------------------------------------
