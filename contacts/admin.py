"""Staff edit the contact directory here (R-CON-1..2, R-BIL-3, R-BIL-5). Every add, change and
delete is written to DirectoryChange by contacts.services; numbers are validated by the models'
clean() (phonenumbers), so a malformed number is refused with a message on its field."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contacts import services
from contacts.models import (
    BillingLine,
    CountryCode,
    DirectoryChange,
    Office,
    PoAddress,
    PortalAssignment,
    ServiceLine,
    SupportLine,
    SupportNumber,
)


class CountryListFilter(admin.SimpleListFilter):
    """Rows serving a country (the countries are a list on each row)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return CountryCode.choices

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        field = "country" if queryset.model is Office else "countries"
        if field == "country":
            return queryset.filter(country=code)
        return queryset.filter(pk__in=[row.pk for row in queryset if code in row.countries])


def _countries_field():
    return forms.MultipleChoiceField(
        label=_("countries"),
        choices=CountryCode.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The countries this handbook row serves."),
    )


class SupportLineForm(forms.ModelForm):
    countries = _countries_field()
    service_lines = forms.MultipleChoiceField(
        label=_("service lines"),
        choices=ServiceLine.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CountriesForm(forms.ModelForm):
    """The model and fields come from the ModelAdmin (modelform_factory)."""

    countries = _countries_field()


class AuditedAdmin(admin.ModelAdmin):
    """save_model keeps the row as it was; save_related (after the inline numbers are saved)
    records the change; delete_model and the bulk delete action go through the service."""

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = services.directory_entry_snapshot(type(obj).objects.get(pk=obj.pk))
        request._directory_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.directory_change_record(
            actor=request.user,
            instance=form.instance,
            action="change" if change else "add",
            before=getattr(request, "_directory_before", None),
        )

    def delete_model(self, request, obj):
        services.directory_entry_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.directory_entry_delete(actor=request.user, instance=obj)


class SupportNumberInline(admin.TabularInline):
    model = SupportNumber
    extra = 0
    fields = ["kind", "printed", "e164", "menu_option", "position"]


@admin.register(SupportLine)
class SupportLineAdmin(AuditedAdmin):
    form = SupportLineForm
    inlines = [SupportNumberInline]
    list_display = [
        "__str__",
        "country_labels",
        "lines_label",
        "numbers_list",
        "is_regional",
        "position",
    ]
    list_filter = [CountryListFilter, "is_regional", "serves_all_lines"]
    search_fields = ["region_printed", "description_printed", "numbers__printed", "numbers__e164"]
    ordering = ["position", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("numbers").distinct()

    @admin.display(description=_("numbers"))
    def numbers_list(self, obj):
        return ", ".join(number.printed for number in obj.numbers.all())


@admin.register(BillingLine)
class BillingLineAdmin(AuditedAdmin):
    form = CountriesForm
    list_display = [
        "__str__",
        "country_labels",
        "toll_free_printed",
        "toll_free_e164",
        "local_printed",
        "local_e164",
    ]
    list_filter = [CountryListFilter]
    search_fields = [
        "region_printed",
        "toll_free_printed",
        "toll_free_e164",
        "local_printed",
        "local_e164",
    ]


@admin.register(PortalAssignment)
class PortalAssignmentAdmin(AuditedAdmin):
    form = CountriesForm
    list_display = ["get_portal_display", "country_labels", "url"]
    list_filter = [CountryListFilter, "portal"]
    search_fields = ["portal", "url"]


@admin.register(PoAddress)
class PoAddressAdmin(AuditedAdmin):
    form = CountriesForm
    list_display = ["email", "country_labels"]
    list_filter = [CountryListFilter]
    search_fields = ["email"]


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    list_display = ["__str__", "description_printed", "printed", "e164", "position"]
    list_filter = [CountryListFilter]
    search_fields = ["site", "description_printed", "number_printed", "e164"]


@admin.register(DirectoryChange)
class DirectoryChangeAdmin(admin.ModelAdmin):
    """Read-only: the audit trail of the directory."""

    list_display = ["created_at", "actor_email", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_email", "object_repr"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in DirectoryChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
