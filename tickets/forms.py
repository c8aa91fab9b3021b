"""The customer's forms of trouble tickets (R-TT-2): the list's filters, opening a ticket, and
what the ticket page posts (reply, escalate, reopen, cancel, people copied)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# MultipleFileField is re-exported: billing imports it from here until it switches to core.lib.
from core.lib.forms import ListFilterForm, LongTextField, attachments_field, date_range_check
from core.lib.forms import MultipleFileField as MultipleFileField
from core.lib.forms import ReplyForm as ReplyForm  # the ticket page's reply
from core.selectors import members_for_customer
from core.selectors.services import service_choices_for_customer
from tickets.models import Impact, Ticket

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, service):
        return f"{service.service_id} · {service.site_name} · {service.get_product_line_display()}"


class TicketFilterForm(ListFilterForm):
    """The list's filters; a bad value is shown as a message (400), never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    impact = forms.ChoiceField(
        label=_("Impact"), required=False, choices=[("", _("All"))] + Impact.choices
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    opened_by = forms.ChoiceField(label=_("Opened by"), required=False)
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=_DATE)
    opened_to = forms.DateField(label=_("Opened until"), required=False, widget=_DATE)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Number, subject, service id")
        self.fields["q"].widget.input_type = "search"
        self.fields["status"].choices = [
            ("", _("All")),
            ("active", _("Active")),
            *Ticket.Status.choices,
        ]
        services = service_choices_for_customer(customer).order_by("service_id")
        self.fields["service"].choices = [("", _("All"))] + [
            (service_id, service_id) for service_id in services.values_list("service_id", flat=True)
        ]
        people = (
            members_for_customer(customer)
            .filter(is_active=True)
            .values_list("user__email", "user__full_name")
        )
        self.fields["opened_by"].choices = [
            ("", _("Anyone")),
            ("phone", _("By phone with the TSC")),
            *((email, name or email) for email, name in people),
        ]

    def clean(self):
        cleaned = super().clean()
        date_range_check(cleaned, "opened_from", "opened_to")
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments of tickets.selectors.tickets_for_customer."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status", ""),
            "impact": data.get("impact", ""),
            "service": data.get("service", ""),
            "opened_by": data.get("opened_by", ""),
            "opened_from": data.get("opened_from"),
            "opened_to": data.get("opened_to"),
        }


class TicketForm(forms.Form):
    """What the TSC needs to work on a fault (R-TT-2)."""

    services = ServiceChoiceField(
        label=_("Affected services"),
        queryset=None,
        to_field_name="service_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the affected service.")},
    )
    impact = forms.ChoiceField(
        label=_("Impact"),
        choices=Impact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the fault affects you.")},
    )
    problem_started_at = forms.DateTimeField(label=_("When it started"), widget=_DATETIME)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = LongTextField(
        label=_("Description"),
        rows=5,
        help_text=_("What fails, since when, and what you see (error messages, alarms)."),
    )
    site_contact_name = forms.CharField(label=_("On-site contact"), max_length=150)
    site_contact_phone = forms.CharField(label=_("On-site contact phone"), max_length=40)
    site_contact_email = forms.EmailField(
        label=_("On-site contact e-mail"), required=False, max_length=254
    )
    access_hours = forms.CharField(
        label=_("Site access hours"),
        max_length=200,
        help_text=_("When our technicians can enter the site, e.g. 'Mon-Fri 08:00-18:00'."),
    )
    checks_done = LongTextField(
        label=_("What you already checked"),
        required=False,
        rows=3,
        help_text=_("Power, cabling, a restart of the router: it saves time."),
    )

    def __init__(self, *args, customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = service_choices_for_customer(customer).order_by(
            "service_id"
        )
        self.fields["attachments"] = attachments_field()
        zone = timezone.get_current_timezone_name()
        self.fields["problem_started_at"].help_text = _("Your local time (%(zone)s).") % {
            "zone": zone
        }
        if not self.is_bound:
            self.initial.setdefault(
                "problem_started_at", timezone.localtime().replace(second=0, microsecond=0)
            )
            self.initial.setdefault("site_contact_name", user.get_full_name())
            self.initial.setdefault("site_contact_phone", user.phone)
            self.initial.setdefault("site_contact_email", user.email)


class ReasonForm(forms.Form):
    """Escalate and reopen: the service needs to know why."""

    reason = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WatcherForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=150)


class WatcherRemoveForm(forms.Form):
    email = forms.EmailField(max_length=254)
