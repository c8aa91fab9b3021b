"""The provider's scheduled maintenance (R-GCR-1..5): a draft with its window entered in a chosen
timezone and the affected services; the rule check (R-GCR-3 A.1/A.2) before confirming; confirm
and announce, reschedule, start, complete, cancel through changes.services.maintenance; the
customers' requests to reschedule (R-GCR-2)."""

from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from changes.admin.forms import ImpactFormSet, MaintenanceForm, StepForm, WindowForm
from changes.models import Maintenance, MaintenanceEvent, MaintenanceImpact, MaintenanceObjection
from changes.services.maintenance import (
    maintenance_advance,
    maintenance_confirm,
    maintenance_create,
    maintenance_objection_handle,
    maintenance_reschedule,
    maintenance_rule_breaks,
)
from core.admin.actions import ConfirmForm, StaffActionMixin
from core.admin.inlines import ViewOnlyInline


def _is_draft(obj) -> bool:
    return obj is None or obj.status == Maintenance.Status.DRAFT


def _window(obj: Maintenance, zone_name: str, *, label: bool = True) -> str:
    zone = ZoneInfo(zone_name)
    text = (
        f"{obj.start.astimezone(zone):%Y-%m-%d %H:%M} – {obj.end.astimezone(zone):%Y-%m-%d %H:%M}"
    )
    return f"{text} ({zone_name})" if label else text


class ImpactInline(admin.TabularInline):
    """Editable while draft; after the announcement only through "reschedule"."""

    model = MaintenanceImpact
    formset = ImpactFormSet
    extra = 1
    fields = ["service", "customer", "site_zone", "impact", "expected_outage_minutes"]
    readonly_fields = ["customer", "site_zone"]
    autocomplete_fields = ["service"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service__customer")

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if _is_draft(obj) else 0

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    @admin.display(description=_("customer"))
    def customer(self, obj: MaintenanceImpact) -> str:
        return obj.service.customer.display_name if obj.service_id else "—"

    @admin.display(description=_("site timezone"))
    def site_zone(self, obj: MaintenanceImpact) -> str:
        return obj.site_timezone if obj.service_id else "—"


class EventInline(ViewOnlyInline):
    model = MaintenanceEvent
    fields = ("created_at", "status", "start", "end", "note", "actor")
    readonly_fields = fields
    verbose_name_plural = _("Status history")


class ObjectionInline(ViewOnlyInline):
    """R-GCR-2: the customers' requests to reschedule, with a "handled" button."""

    model = MaintenanceObjection
    fields = ("created_at", "customer", "author", "message", "handled")
    readonly_fields = fields
    # Customers send them from the maintenance page.

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "author")

    @admin.display(description=_("handled"))
    def handled(self, obj: MaintenanceObjection) -> str:
        if obj.handled_at:
            return f"{timezone.localtime(obj.handled_at):%Y-%m-%d %H:%M}"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:changes_maintenance_objection_handled", args=[obj.pk]),
            gettext("Mark as handled"),
        )


@admin.register(Maintenance)
class MaintenanceAdmin(StaffActionMixin, admin.ModelAdmin):
    form = MaintenanceForm
    action_template = "admin/changes/action.html"
    action_select_related = ("created_by",)
    change_form_template = "admin/changes/maintenance/change_form.html"
    list_display = [
        "reference",
        "kind_display",
        "status",
        "window_utc",
        "window_entered",
        "customers_count",
        "services_count",
        "objections_count",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "reason", "impacts__service__service_id"]
    date_hierarchy = "start"
    facts = [
        "reference",
        "status",
        "kind_display",
        "window_utc",
        "window_entered",
        "customers_count",
        "services_count",
        "rule_check",
        "sequence",
        "announced_at",
        "created_by",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                customers_total=Count("impacts__service__customer", distinct=True),
                services_total=Count("impacts", distinct=True),
                objections_total=Count("objections", distinct=True),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def get_fieldsets(self, request, obj=None):
        window = ["reason", "kind", "entered_timezone", "start", "end"]
        if obj is None:
            return [(None, {"fields": window})]
        if _is_draft(obj):
            return [(None, {"fields": window}), (_("Facts"), {"fields": self.facts})]
        return [(None, {"fields": ["reason", *self.facts]})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if _is_draft(obj):
            return self.facts
        # After the announcement the window changes only through "reschedule".
        return ["reason", "kind", "entered_timezone", "start", "end", *self.facts]

    def get_inlines(self, request, obj):
        if obj is None:
            return [ImpactInline]
        return [ImpactInline, ObjectionInline, EventInline]

    def get_changeform_initial_data(self, request):
        return {
            **super().get_changeform_initial_data(request),
            "entered_timezone": getattr(request.user, "timezone", "") or "UTC",
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if not _is_draft(obj):  # nothing left to edit here: the buttons do the rest
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancelled, never deleted: the customers' calendars refer to it

    # --- Columns and facts ------------------------------------------------------------------
    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, obj: Maintenance):
        if obj.is_emergency:  # R-GCR-5: marked as emergency everywhere
            return format_html(
                '<strong class="maintenance-emergency">{}</strong>', obj.get_kind_display()
            )
        return obj.get_kind_display()

    @admin.display(description=_("window (UTC)"), ordering="start")
    def window_utc(self, obj: Maintenance) -> str:
        return _window(obj, "UTC", label=False)

    @admin.display(description=_("window (as entered)"))
    def window_entered(self, obj: Maintenance) -> str:
        return _window(obj, obj.entered_timezone)

    @admin.display(description=_("customers"), ordering="customers_total")
    def customers_count(self, obj: Maintenance) -> int:
        return obj.customers_total  # type: ignore[attr-defined]  # set by annotate()

    @admin.display(description=_("services"), ordering="services_total")
    def services_count(self, obj: Maintenance) -> int:
        return obj.services_total  # type: ignore[attr-defined]  # set by annotate()

    @admin.display(description=_("requests to reschedule"), ordering="objections_total")
    def objections_count(self, obj: Maintenance) -> int:
        return obj.objections_total  # type: ignore[attr-defined]  # set by annotate()

    @admin.display(description=_("rule check (R-GCR-3)"))
    def rule_check(self, obj: Maintenance):
        """What confirming would say now, so that staff see the problems before confirming."""
        if obj.status not in (
            Maintenance.Status.DRAFT,
            Maintenance.Status.SCHEDULED,
            Maintenance.Status.RESCHEDULED,
        ):
            return "—"
        breaks = maintenance_rule_breaks(obj, announce_at=obj.announced_at)
        if not breaks:
            return gettext("Keeps A.1 (window) and A.2 (notice).")
        rows = format_html_join("", "<li>{}</li>", ((b.message,) for b in breaks))
        if obj.is_emergency:
            note = gettext("Emergency (R-GCR-5): it may be confirmed anyway.")
        else:
            note = gettext("A planned maintenance cannot be confirmed like this.")
        return format_html('<ul class="maintenance-rule-breaks">{}</ul><p>{}</p>', rows, note)

    # --- Create: the reference is generated by the service ----------------------------------
    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # A new one is created in save_related, where the affected services are.

    def save_related(self, request, form, formsets, change):
        if change:
            return super().save_related(request, form, formsets, change)
        impacts = [
            (
                row.cleaned_data["service"],
                row.cleaned_data["impact"],
                row.cleaned_data.get("expected_outage_minutes") or 0,
            )
            for formset in formsets
            if formset.model is MaintenanceImpact
            for row in formset.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        data = form.cleaned_data
        created = maintenance_create(
            reason=data["reason"],
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            entered_timezone=data["entered_timezone"],
            impacts=impacts,
            actor=request.user,
        )
        obj = form.instance
        obj.pk, obj.reference, obj.uid = created.pk, created.reference, created.uid
        obj._state.adding = False
        for formset in formsets:  # for the change message: nothing saved through them
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # --- The lifecycle: each button calls changes.services.maintenance, which announces -------
    def get_urls(self):
        def view(function, suffix):
            return path(
                f"<int:maintenance_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"changes_maintenance_{suffix}",
            )

        return [
            view(self.confirm_view, "confirm"),
            view(self.reschedule_view, "reschedule"),
            view(self.start_view, "start"),
            view(self.complete_view, "complete"),
            view(self.cancel_view, "cancel"),
            path(
                "objection/<int:objection_id>/handled/",
                self.admin_site.admin_view(self.objection_handled_view),
                name="changes_maintenance_objection_handled",
            ),
        ] + super().get_urls()

    def action_context(self, obj) -> dict:
        return {
            "summary": f"{obj.get_kind_display()} · {obj.get_status_display()} · "
            f"{self.window_entered(obj)}"
        }

    def _posted(self, request):
        return request.POST if request.method == "POST" else None

    def confirm_view(self, request, maintenance_id: int):
        maintenance = self.action_object(request, maintenance_id)
        return self._action(
            request,
            maintenance,
            form=ConfirmForm(self._posted(request)),
            title=gettext("Confirm and announce"),
            perform=lambda data: maintenance_confirm(maintenance=maintenance, actor=request.user),
            done=gettext("Confirmed; the affected customers are being notified."),
        )

    def reschedule_view(self, request, maintenance_id: int):
        maintenance = self.action_object(request, maintenance_id)
        return self._action(
            request,
            maintenance,
            form=WindowForm(self._posted(request), maintenance=maintenance),
            title=gettext("Reschedule"),
            perform=lambda data: self._reschedule(request, maintenance, data),
            done=gettext("Rescheduled; the affected customers are being notified."),
        )

    def _reschedule(self, request, maintenance, data) -> None:
        maintenance_reschedule(
            maintenance=maintenance,
            start=data["start"],
            end=data["end"],
            actor=request.user,
            note=data["note"],
            entered_timezone=data["entered_timezone"],
        )

    def _advance(self, request, maintenance_id, *, status, title, done):
        maintenance = self.action_object(request, maintenance_id)
        return self._action(
            request,
            maintenance,
            form=StepForm(self._posted(request)),
            title=title,
            perform=lambda data: maintenance_advance(
                maintenance=maintenance, status=status, actor=request.user, note=data["note"]
            ),
            done=done,
        )

    def start_view(self, request, maintenance_id: int):
        return self._advance(
            request,
            maintenance_id,
            status=Maintenance.Status.IN_PROGRESS,
            title=gettext("Start the work"),
            done=gettext("In progress; the affected customers are being notified."),
        )

    def complete_view(self, request, maintenance_id: int):
        return self._advance(
            request,
            maintenance_id,
            status=Maintenance.Status.COMPLETED,
            title=gettext("Complete the work"),
            done=gettext("Completed; the affected customers are being notified."),
        )

    def cancel_view(self, request, maintenance_id: int):
        return self._advance(
            request,
            maintenance_id,
            status=Maintenance.Status.CANCELLED,
            title=gettext("Cancel the maintenance"),
            done=gettext("Cancelled; the affected customers are being notified."),
        )

    def objection_handled_view(self, request, objection_id: int):
        """R-GCR-2: Change Management records that it answered the customer."""
        if not request.user.has_perm("changes.change_maintenanceobjection"):
            raise PermissionDenied
        objection = get_object_or_404(
            MaintenanceObjection.objects.select_related("maintenance", "customer"),
            pk=objection_id,
        )
        maintenance = objection.maintenance
        form = ConfirmForm(self._posted(request))
        if request.method == "POST" and form.is_valid():
            maintenance_objection_handle(objection=objection)
            messages.success(request, gettext("Request to reschedule marked as handled."))
            return redirect(reverse("admin:changes_maintenance_change", args=[maintenance.pk]))
        return self._action(
            request,
            maintenance,
            form=form,
            title=gettext("Mark the request to reschedule from %(customer)s as handled")
            % {"customer": objection.customer.display_name},
            perform=lambda data: None,
            done="",
        )
