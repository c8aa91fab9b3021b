from django import forms
from django.utils.translation import gettext_lazy as _

from core.lib.forms import ListFilterForm
from core.models import (
    AREA_ACT_LABELS,
    LANGUAGE_CHOICES,
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


class AuditFilterForm(ListFilterForm):
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


class MemberFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search by name or e-mail"), max_length=254, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("active", _("Active")), ("inactive", _("Deactivated"))],
        required=False,
    )
