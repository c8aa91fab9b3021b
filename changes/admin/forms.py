"""The staff forms of the change and maintenance admin: the catalog entry, the steps of a change
request (R-CHG-4..6), the maintenance window entered in a chosen timezone (R-GCR-3)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from changes.models import Maintenance, StandardChange
from core.models import TIMEZONE_CHOICES, ProductLine

ZONE_CHOICES = [("UTC", "UTC"), *TIMEZONE_CHOICES]
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        **kwargs,
    )


def in_zone(value: datetime | None, zone_name: str) -> datetime | None:
    """The wall-clock time the staff member typed, read in `zone_name` instead of their own
    timezone (Django made it aware in the current one)."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=ZoneInfo(zone_name))


def wall_clock(value: datetime | None, zone_name: str) -> datetime | None:
    """A stored UTC instant as the naive wall-clock time of `zone_name`, for a form's initial."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


# --- The catalog (R-CHG-1) -------------------------------------------------------------------


class StandardChangeForm(forms.ModelForm):
    product_lines = forms.MultipleChoiceField(
        label=_("product lines"),
        choices=ProductLine.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Satellite services accept every standard change (R-CHG-3)."),
    )

    class Meta:
        model = StandardChange
        fields = [
            "code",
            "name_es",
            "name_pt",
            "name_en",
            "description_es",
            "description_pt",
            "description_en",
            "product_lines",
            "parameters",
            "is_active",
            "position",
        ]

    def clean_parameters(self):
        """A list of {"key", "label_es", "label_pt", "label_en"}: the keys are what the request
        stores, the labels what the customer reads in each language."""
        value = self.cleaned_data.get("parameters")
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise forms.ValidationError(gettext("Give a list of parameters: [{...}, {...}]."))
        keys = set()
        for position, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise forms.ValidationError(
                    gettext("Parameter %(n)d is not an object.") % {"n": position}
                )
            key = item.get("key")
            if not isinstance(key, str) or not _KEY.match(key):
                raise forms.ValidationError(
                    gettext(
                        'Parameter %(n)d needs a "key" of lowercase letters, digits and '
                        "underscores."
                    )
                    % {"n": position}
                )
            if key in keys:
                raise forms.ValidationError(
                    gettext('The key "%(key)s" appears twice.') % {"key": key}
                )
            keys.add(key)
            unknown = set(item) - {"key", "label_es", "label_pt", "label_en"}
            if unknown:
                raise forms.ValidationError(
                    gettext("Parameter %(n)d has unknown fields: %(fields)s.")
                    % {"n": position, "fields": ", ".join(sorted(unknown))}
                )
            for language in ("es", "pt", "en"):
                label = item.get(f"label_{language}")
                if not isinstance(label, str) or not label.strip():
                    raise forms.ValidationError(
                        gettext('Parameter "%(key)s" needs "label_%(language)s".')
                        % {"key": key, "language": language}
                    )
        return value


# --- Steps of a change request ---------------------------------------------------------------


class NoteForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RejectForm(forms.Form):
    message = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RouteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes to Service Management"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Empty: the provider cannot meet it as a standard change."),
    )


class ApproveForm(forms.Form):
    """R-CHG-4: the execution slot in the customer's timezone; the service checks business
    hours on the customer's calendar."""

    scheduled_start = datetime_field(_("Execution starts"))
    scheduled_end = datetime_field(_("Execution ends"))
    message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, customer_timezone: str, window=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = customer_timezone
        help_text = gettext("In the customer's timezone (%(tz)s).") % {"tz": customer_timezone}
        self.fields["scheduled_start"].help_text = help_text
        self.fields["scheduled_end"].help_text = help_text
        if window and window[0] and window[1]:  # the customer's preset window (R-CHG-5)
            self.initial.setdefault("scheduled_start", wall_clock(window[0], customer_timezone))
            self.initial.setdefault("scheduled_end", wall_clock(window[1], customer_timezone))

    def clean(self):
        cleaned = super().clean()
        for name in ("scheduled_start", "scheduled_end"):
            cleaned[name] = in_zone(cleaned.get(name), self.zone)
        return cleaned


# --- Maintenance (R-GCR-3) -------------------------------------------------------------------


class MaintenanceForm(forms.ModelForm):
    """Start and end are typed as wall-clock times of `entered_timezone` and stored in UTC."""

    entered_timezone = forms.ChoiceField(
        label=_("Timezone of the start and end"), choices=ZONE_CHOICES, initial="UTC"
    )
    start = datetime_field(_("start"))
    end = datetime_field(_("end"))

    class Meta:
        model = Maintenance
        fields = ["reason", "kind", "entered_timezone", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and "start" in self.fields:
            zone = instance.entered_timezone
            self.initial["start"] = wall_clock(instance.start, zone)
            self.initial["end"] = wall_clock(instance.end, zone)

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("entered_timezone") or "UTC"
        start = in_zone(cleaned.get("start"), zone)
        end = in_zone(cleaned.get("end"), zone)
        if start and end and end <= start:
            self.add_error("end", gettext("The maintenance must end after it starts."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class ImpactFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not rows and self.instance.status == Maintenance.Status.DRAFT:
            raise forms.ValidationError(gettext("Add the affected services."))


class WindowForm(forms.Form):
    """Reschedule: the new window in a chosen timezone."""

    entered_timezone = forms.ChoiceField(label=_("Timezone"), choices=ZONE_CHOICES)
    start = datetime_field(_("New start"))
    end = datetime_field(_("New end"))
    note = forms.CharField(
        label=_("Note to the customers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, maintenance: Maintenance, **kwargs):
        super().__init__(*args, **kwargs)
        zone = maintenance.entered_timezone
        self.initial.setdefault("entered_timezone", zone)
        self.initial.setdefault("start", wall_clock(maintenance.start, zone))
        self.initial.setdefault("end", wall_clock(maintenance.end, zone))

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("entered_timezone") or "UTC"
        cleaned["start"] = in_zone(cleaned.get("start"), zone)
        cleaned["end"] = in_zone(cleaned.get("end"), zone)
        return cleaned


class StepForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the customers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
