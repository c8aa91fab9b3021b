from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from portal.models import (
    AREA_ACT_LABELS,
    LANGUAGE_CHOICES,
    TIMEZONE_CHOICES,
    Area,
    AuditEvent,
    Level,
    Membership,
)


class PermissionsForm(forms.Form):
    """A role and one access level per area (R-POR-5)."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        initial=Membership.Role.USER,
        help_text=_("Portal administrators have every permission and manage the other users."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in Area:
            self.fields[area.value] = forms.ChoiceField(
                label=area.label,
                choices=[
                    (Level.NONE, Level.NONE.label),
                    (Level.VIEW, Level.VIEW.label),
                    (Level.ACT, AREA_ACT_LABELS[area]),
                ],
                initial=Level.NONE,
                widget=forms.RadioSelect,
                required=False,
            )

    def area_fields(self):
        return [self[area.value] for area in Area]

    def permissions(self) -> dict[str, str]:
        return {area.value: self.cleaned_data.get(area.value) or Level.NONE for area in Area}


class InviteForm(PermissionsForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=LANGUAGE_CHOICES, initial="es"
    )

    field_order = ["email", "full_name", "language", "role"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password and not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            from portal.models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditEvent.Action.choices],
        required=False,
    )
    person = forms.CharField(label=_("Person (e-mail)"), max_length=254, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        for name in ("since", "until"):
            value = cleaned.get(name)
            if value and not 2000 <= value.year <= 2100:
                self.add_error(name, _("Enter a date between the years 2000 and 2100."))
        if since and until and since > until:
            self.add_error("until", _("The end date must be on or after the start date."))
        return cleaned


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=32,
        required=False,
        regex=r"^\+?[0-9 ()\-.]{6,30}$",
        error_messages={
            "invalid": _("Enter a phone number with digits, spaces and an optional leading +.")
        },
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    timezone = forms.ChoiceField(label=_("Timezone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("timezone", "")
        self.fields["timezone"].choices = timezone_choices(keep=current)


LATIN_AMERICA_ZONES = [
    "America/Argentina/Buenos_Aires", "America/Asuncion", "America/Bogota", "America/Cancun",
    "America/Caracas", "America/Costa_Rica", "America/El_Salvador", "America/Fortaleza",
    "America/Guatemala", "America/Guayaquil", "America/La_Paz", "America/Lima", "America/Managua",
    "America/Manaus", "America/Mexico_City", "America/Montevideo", "America/Panama",
    "America/Puerto_Rico", "America/Santiago", "America/Santo_Domingo", "America/Sao_Paulo",
    "America/Tegucigalpa", "America/Tijuana",
]  # fmt: skip
OTHER_ZONES = [
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "Europe/London", "Europe/Lisbon", "Europe/Madrid",
]  # fmt: skip


def _zone_label(name: str, now: datetime) -> tuple[timedelta, str]:
    offset = now.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    return offset, f"(UTC{sign}{hours:02d}:{rest:02d}) {city}"


def timezone_choices(*, keep: str = "") -> list:
    """Canonical zones, Latin America first, each with its current UTC offset."""
    now = django_timezone.now()

    def group(names):
        labelled = sorted(_zone_label(name, now) + (name,) for name in names)
        return [(name, label) for _offset, label, name in labelled]

    others = list(OTHER_ZONES)
    valid = {name for name, _label in TIMEZONE_CHOICES}
    if keep and keep in valid and keep not in LATIN_AMERICA_ZONES + OTHER_ZONES:
        others.append(keep)
    return [
        ("", _("Same as my company")),
        (_("Latin America"), group(LATIN_AMERICA_ZONES)),
        (_("Other"), group(others)),
    ]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or e-mail"), max_length=254, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("active", _("Active")), ("inactive", _("Deactivated"))],
        required=False,
    )
