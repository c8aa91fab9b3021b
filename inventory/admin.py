"""Staff admin of the services inventory: services, the CSV import, expansion requests."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.admin.history import KeepHistoryMixin
from core.admin.inlines import ReadOnlyInline
from core.errors import DomainError
from core.models import Service
from core.models.inventory import CHRONIC_DAYS, CHRONIC_TICKETS
from inventory.forms import ServiceImportForm
from inventory.importing import COLUMNS
from inventory.models import ExpansionRequest, ExpansionRequestEvent
from inventory.services import (
    expansion_request_progress,
    expansion_request_step_check,
    services_import,
)


class ChronicFilter(admin.SimpleListFilter):
    """Issue 5: CHRONIC_TICKETS or more tickets in CHRONIC_DAYS days."""

    title = _("chronic")
    parameter_name = "chronic"

    def lookups(self, request, model_admin):
        return [("yes", _("Chronic")), ("no", _("Not chronic"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(recent_tickets__gte=CHRONIC_TICKETS)
        if self.value() == "no":
            return queryset.filter(recent_tickets__lt=CHRONIC_TICKETS)
        return queryset


@admin.register(Service)
class ServiceAdmin(KeepHistoryMixin, admin.ModelAdmin):
    # Tickets, orders, changes, maintenance, invoice lines and billing requests point at a
    # service: it is disconnected, never deleted (review D2).
    history_from = ("tickets", "orders", "changes", "billing", "portal.ExpansionRequest")
    list_display = [
        "service_id",
        "customer",
        "product_line",
        "site_name",
        "country",
        "capacity",
        "status",
        "managed",
        "activated_on",
        "chronic",
    ]
    list_filter = [
        "status",
        ChronicFilter,
        "product_line",
        "country",
        "managed",
        "satellite",
        "customer",
    ]
    search_fields = ["service_id", "site_name", "site_address", "customer__display_name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["created_at", "updated_at"]
    change_list_template = "admin/portal/service/change_list.html"

    def get_queryset(self, request):
        """Tickets of the last CHRONIC_DAYS days as one annotation: one query for the page."""
        since = timezone.now() - timedelta(days=CHRONIC_DAYS)
        return (
            super()
            .get_queryset(request)
            .annotate(
                recent_tickets=Count(
                    "tickets", filter=Q(tickets__opened_at__gte=since), distinct=True
                )
            )
        )

    @admin.display(description=_("chronic"), ordering="-recent_tickets")
    def chronic(self, service) -> str:
        if service.recent_tickets >= CHRONIC_TICKETS:
            return _("Chronic: %(count)s tickets in %(days)s days") % {
                "count": service.recent_tickets,
                "days": CHRONIC_DAYS,
            }
        return "—"

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="portal_service_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """All rows or none: any rejected row leaves the inventory as it was."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = ServiceImportForm(request.POST or None, request.FILES or None)
        report, status = None, 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                errors = form.row_errors
                if not errors:
                    report = services_import(customer=form.cleaned_data["customer"], rows=form.rows)
                    errors = report.errors
                if not errors:
                    messages.success(
                        request,
                        _("Imported: %(created)s new services, %(updated)s updated.")
                        % {"created": report.created, "updated": report.updated},
                    )
                    changelist = reverse("admin:portal_service_changelist")
                    query = urlencode({"customer__id__exact": form.cleaned_data["customer"].pk})
                    return redirect(f"{changelist}?{query}")
                report = {"errors": errors}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import services from CSV"),
            "form": form,
            "report": report,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "admin/portal/service/import.html", context, status=status)


class ExpansionRequestEventInline(ReadOnlyInline):
    model = ExpansionRequestEvent
    fields = ("created_at", "status", "message", "by")
    readonly_fields = fields


class ExpansionRequestAdminForm(forms.ModelForm):
    """Staff move the request on with a message the customer reads (R-POR-2)."""

    next_status = forms.ChoiceField(
        label=_("Move to"),
        choices=[("", _("Keep the current status"))] + ExpansionRequest.Status.choices,
        required=False,
    )
    message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown on the request's page and e-mailed to the requester."),
    )

    class Meta:
        model = ExpansionRequest
        fields: list[str] = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_status"):
            try:
                expansion_request_step_check(
                    current=self.instance.status,
                    status=cleaned["next_status"],
                    message=cleaned.get("message", ""),
                )
            except DomainError as error:
                self.add_error(error.field, error.message)
        elif cleaned.get("message"):
            self.add_error("next_status", _("Choose the step this message goes with."))
        return cleaned


# What the customer asked for (and whom it was sent to): read-only, in this order on the page.
_ASKED = (
    "kind",
    "service",
    "product_line",
    "capacity",
    "site_name",
    "site_address",
    "country",
    "wanted_by",
    "description",
    "notified_to",
)


@admin.register(ExpansionRequest)
class ExpansionRequestAdmin(admin.ModelAdmin):
    form = ExpansionRequestAdminForm
    list_display = ["number", "customer", "kind", "service", "status", "requested_by", "created_at"]
    list_filter = ["status", "kind", "customer"]
    search_fields = ["number", "customer__display_name", "description", "service__service_id"]
    list_select_related = ["customer", "service", "requested_by"]
    date_hierarchy = "created_at"
    inlines = [ExpansionRequestEventInline]
    readonly_fields = [
        "number",
        "customer",
        "status",
        *_ASKED,
        "requested_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["number", "customer", "status", "requested_by", "created_at"]}),
        (
            _("What the customer asked for"),
            {"fields": list(_ASKED)},
        ),
        (_("Progress"), {"fields": ["next_status", "message"]}),
    ]

    def has_add_permission(self, request):
        return False  # customers send requests from the portal

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        next_status = form.cleaned_data.get("next_status")
        if not next_status:
            return
        expansion_request_progress(
            request=obj,
            status=next_status,
            message=form.cleaned_data.get("message", ""),
            by=request.user,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form checks the step first; this catches a step raced by another staff member.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return redirect(request.get_full_path())
