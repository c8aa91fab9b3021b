"""The customer's forms of changes: of standard change requests (R-CHG-1..6) the list's filter,
the request form with its execution choice and "my need is not on the list"; of the provider's
maintenance (R-GCR-1..5) the calendar's filter and the request to reschedule."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from changes.models import ChangeRequest, Impact, StandardChange
from changes.services.requests import MAX_SITES
from core.lib.forms import ListFilterForm
from core.models import COUNTRY_DEFAULTS, Customer, Service

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def customer_timezone(customer: Customer) -> str:
    """The zone business hours are counted in: the customer's, else its country's."""
    return customer.timezone or COUNTRY_DEFAULTS.get(customer.country, ("UTC", ""))[0]


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, service):
        return f"{service.service_id} · {service.site_name} · {service.get_product_line_display()}"


class ChangeFilterForm(ListFilterForm):
    """The list's filter; a bad value is a message and a 400, never a 500."""

    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("All")),
            ("open", _("Open")),
            *ChangeRequest.Status.choices,
        ]


class ChangeRequestForm(forms.Form):
    """A standard change: services (at most 10, R-CHG-2, refused by the service), the
    parameters of the change type, and when it may be applied."""

    type = forms.CharField(widget=forms.HiddenInput)
    services = ServiceChoiceField(
        label=_("Sites and services"),
        queryset=Service.objects.none(),
        to_field_name="service_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the services to change."),
            "invalid_choice": _("%(value)s is not one of your services this change applies to."),
        },
    )
    execution = forms.ChoiceField(
        label=_("When may we apply it?"),
        choices=ChangeRequest.Execution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say when the change may be applied.")},
    )
    window_date = forms.DateField(label=_("Date"), required=False, widget=_DATE)
    window_start = forms.TimeField(label=_("From"), required=False, widget=_TIME)
    window_end = forms.TimeField(label=_("Until"), required=False, widget=_TIME)
    description = forms.CharField(
        label=_("Notes for the engineers"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything that helps: the reason, a contact on site, a rollback plan."),
    )

    def __init__(self, *args, customer: Customer, change_type: StandardChange, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.change_type = change_type
        self.zone = customer_timezone(customer)
        self.initial.setdefault("type", change_type.code)
        services_field = self.fields["services"]
        assert isinstance(services_field, forms.ModelMultipleChoiceField)
        services_field.queryset = Service.objects.filter(
            pk__in=[service.pk for service in services]
        ).order_by("service_id")
        self.parameter_names = []
        for key, label in change_type.parameter_labels():
            name = f"param_{key}"
            self.parameter_names.append(name)
            self.fields[name] = forms.CharField(
                label=label,
                max_length=500,
                error_messages={"required": _("Fill in this value.")},
            )

    def parameter_fields(self):
        return [self[name] for name in self.parameter_names]

    def clean(self):
        cleaned = super().clean()
        cleaned["window_start_at"] = cleaned["window_end_at"] = None
        if cleaned.get("execution") != ChangeRequest.Execution.PRESET:
            return cleaned
        day, start, end = (cleaned.get(n) for n in ("window_date", "window_start", "window_end"))
        for name, value in (("window_date", day), ("window_start", start), ("window_end", end)):
            if value is None and not self.has_error(name):
                self.add_error(name, _("Give the window's date, start and end."))
        if day and start and end:
            if end <= start:
                self.add_error("window_end", _("The window must end after it starts."))
            else:
                zone = ZoneInfo(self.zone)
                cleaned["window_start_at"] = datetime.combine(day, start, tzinfo=zone)
                cleaned["window_end_at"] = datetime.combine(day, end, tzinfo=zone)
        return cleaned

    def service_kwargs(self) -> dict:
        """Keyword arguments of changes.services.change_request_check / _submit."""
        data = self.cleaned_data
        return {
            "change_type": self.change_type,
            "services": list(data["services"]),
            "execution": data["execution"],
            "window_start": data["window_start_at"],
            "window_end": data["window_end_at"],
        }

    def parameters(self) -> dict:
        return {name[len("param_") :]: self.cleaned_data[name] for name in self.parameter_names}


class ChangeOtherForm(forms.Form):
    """R-CHG-6: a need that is not in the catalog, or a standard one beyond 10 sites."""

    description = forms.CharField(
        label=_("What do you need?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe what you need.")},
        help_text=_("The change, the sites, and when it would suit you."),
    )
    services = ServiceChoiceField(
        label=_("Services concerned (optional)"),
        queryset=Service.objects.none(),
        to_field_name="service_id",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("%(value)s is not one of your active services.")},
    )
    reason = forms.ChoiceField(
        choices=[("not_listed", "not_listed"), ("sites", "sites")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        services_field = self.fields["services"]
        assert isinstance(services_field, forms.ModelMultipleChoiceField)
        services_field.queryset = Service.objects.filter(
            customer=customer, status=Service.Status.ACTIVE
        ).order_by("service_id")

    def route_reason(self) -> str:
        if self.cleaned_data.get("reason") == "sites":
            return str(_("More than %(max)d sites for one standard change.")) % {"max": MAX_SITES}
        return str(_("Not in the standard catalog."))


# --- the provider's maintenance (R-GCR-1..5) ------------------------------------------------


class MaintenanceFilterForm(ListFilterForm):
    VIEWS = [
        ("upcoming", _("Upcoming")),
        ("past", _("Past")),
        ("month", _("Month")),
    ]

    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    impact = forms.ChoiceField(
        label=_("Impact"),
        required=False,
        choices=[("", _("Any impact")), *Impact.choices],
    )

    def __init__(self, *args, services: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        service_field = self.fields["service"]
        assert isinstance(service_field, forms.ChoiceField)
        service_field.choices = [("", gettext("All services"))] + [(s, s) for s in services]

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
            return date(int(match[1]), int(match[2]), 1)
        raise forms.ValidationError(gettext("Give the month as YYYY-MM, for example 2026-05."))

    def clean(self):
        data = super().clean()
        if not data.get("view"):
            data["view"] = "month" if data.get("month") else "upcoming"
        return data


class ObjectionForm(forms.Form):
    message = forms.CharField(
        label=_("Why, and which window would suit you"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
