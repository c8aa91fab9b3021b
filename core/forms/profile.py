from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from core.models import (
    LANGUAGE_CHOICES,
    TIMEZONE_CHOICES,
)


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
