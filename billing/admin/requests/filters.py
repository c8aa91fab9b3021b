"""The billing-request queue's filters: status as staff read it, whose turn, country."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from billing.admin.requests.helpers import (
    Status,
    status_label,
)
from core.models import Country


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, status_label(value)) for value in Status.values]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TurnFilter(admin.SimpleListFilter):
    """Whose move it is on an open request: ours (received, in analysis) or the customer's."""

    title = _("waiting for")
    parameter_name = "turn"

    def lookups(self, request, model_admin):
        return [("us", _("Waiting for us")), ("customer", _("Waiting for the customer"))]

    def queryset(self, request, queryset):
        if self.value() == "us":
            return queryset.filter(status__in=[Status.RECEIVED, Status.IN_ANALYSIS])
        if self.value() == "customer":
            return queryset.filter(status=Status.WAITING)
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = _("customer's country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = set(model_admin.model.objects.values_list("customer__country", flat=True))
        return [(code, label) for code, label in Country.choices if code in used]

    def queryset(self, request, queryset):
        return queryset.filter(customer__country=self.value()) if self.value() else queryset
