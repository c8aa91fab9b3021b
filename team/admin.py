"""Staff admin: the account team the provider assigns to each customer (R-TEAM-1..8)."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin.history import KeepHistoryMixin
from core.admin.people import CUSTOMER_INLINES
from core.lib.phones import e164_normalise
from core.models import Customer
from team.models import TeamAssignment, TeamMailbox, TeamPerson, TeamRole
from team.selectors import LANGUAGE_LABELS, phone_for_humans

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


def _phone_e164(value: str) -> str:
    """Validate a phone number and store it as E.164 (+541140001234); empty stays empty."""
    value = (value or "").strip()
    return e164_normalise(value) if value else ""


class TeamPersonForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"),
        choices=list(LANGUAGE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TeamPerson
        fields = ["full_name", "email", "phone", "languages", "is_active"]

    def clean_phone(self) -> str:
        return _phone_e164(self.cleaned_data.get("phone", ""))

    def clean_languages(self) -> list[str]:
        chosen = set(self.cleaned_data.get("languages") or ())
        return [code for code in LANGUAGE_LABELS if code in chosen]


class TeamMailboxForm(forms.ModelForm):
    class Meta:
        model = TeamMailbox
        fields = ["role", "email", "phone"]

    def clean_phone(self) -> str:
        return _phone_e164(self.cleaned_data.get("phone", ""))


class TeamAssignmentForm(forms.ModelForm):
    """Used on its own page and as the customer's inline: both check the same rules."""

    class Meta:
        model = TeamAssignment
        fields = ["customer", "role", "person"]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer") or _customer_of(self.instance)
        role = cleaned.get("role")
        person = cleaned.get("person")
        if (
            customer is not None
            and role == TeamRole.CUSTOMER_SERVICE_MANAGER
            and customer.segment != Customer.Segment.WHOLESALE
        ):
            # R-TEAM-7
            self.add_error(
                "role",
                _(
                    "A customer service manager is only for wholesale carrier customers: "
                    "%(customer)s is not one."
                )
                % {"customer": customer.display_name or customer.legal_name},
            )
        if person is not None and not person.is_active and "person" in self.changed_data:
            self.add_error(
                "person",
                _(
                    "%(person)s is inactive and cannot be assigned: choose an active person or "
                    "leave the role vacant."
                )
                % {"person": person.full_name},
            )
        return cleaned


def _customer_of(assignment: TeamAssignment) -> Customer | None:
    try:
        return assignment.customer
    except Customer.DoesNotExist:
        return None


class TeamAssignmentInline(admin.TabularInline):
    """On the customer page: staff name the provider's people for each role (R-TEAM-1..7)."""

    model = TeamAssignment
    form = TeamAssignmentForm
    fields = ["role", "person"]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name = _("account team role")
    verbose_name_plural = _("account team (leave the person empty while a role is vacant)")


@admin.register(TeamPerson)
class TeamPersonAdmin(KeepHistoryMixin, admin.ModelAdmin):
    history_from = ("orders",)  # an order names its care manager: someone who left is inactive
    form = TeamPersonForm
    list_display = [
        "full_name",
        "email",
        "phone_display",
        "languages_display",
        "roles",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["full_name", "email", "phone"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(role_count=Count("assignments"))

    @admin.display(description=_("phone"), ordering="phone")
    def phone_display(self, person: TeamPerson) -> str:
        phone = phone_for_humans(person.phone)
        return phone.display if phone else ""

    @admin.display(description=_("languages spoken"))
    def languages_display(self, person: TeamPerson) -> str:
        return ", ".join(str(LANGUAGE_LABELS[c]) for c in person.languages if c in LANGUAGE_LABELS)

    @admin.display(description=_("roles held"), ordering="role_count")
    def roles(self, person: TeamPerson) -> int:
        return person.role_count  # type: ignore[attr-defined]  # set by annotate()


@admin.register(TeamMailbox)
class TeamMailboxAdmin(admin.ModelAdmin):
    form = TeamMailboxForm
    list_display = ["role", "email", "phone"]
    search_fields = ["email"]


@admin.register(TeamAssignment)
class TeamAssignmentAdmin(admin.ModelAdmin):
    form = TeamAssignmentForm
    list_display = ["customer", "role", "person", "holder_status"]
    list_filter = ["role", "customer__segment", "person__is_active"]
    search_fields = ["customer__display_name", "customer__legal_name", "person__full_name"]
    autocomplete_fields = ["customer", "person"]
    list_select_related = ["customer", "person"]

    @admin.display(description=_("status"))
    def holder_status(self, assignment: TeamAssignment) -> "_StrOrPromise":
        if assignment.person is None:
            return _("Vacant: customers see the team mailbox")
        if not assignment.person.is_active:
            return _("Person inactive: customers see the team mailbox")
        return _("Assigned")


# The customer's admin page shows its account team (the core does not import this app).
CUSTOMER_INLINES.append(TeamAssignmentInline)
