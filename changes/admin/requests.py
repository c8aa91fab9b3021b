"""The standard-change catalog (R-CHG-1) and the queue of change requests (R-CHG-2..6): sorted by
analysis deadline, "overdue" and "due today" filters, one button per step, each calling
changes.services."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db.models import Count, F, Q
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from changes.admin.forms import ApproveForm, NoteForm, RejectForm, RouteForm, StandardChangeForm
from changes.models import ChangeEvent, ChangeRequest, StandardChange
from changes.services.requests import change_request_progress, change_request_route
from core.admin.actions import StaffActionMixin
from core.admin.inlines import ViewOnlyInline
from core.models import Customer, Membership, ProductLine

# The analysis deadline (R-CHG-4) runs while the provider analyses the request.
AWAITING_ANALYSIS = (ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.IN_ANALYSIS)


@admin.register(StandardChange)
class StandardChangeAdmin(admin.ModelAdmin):
    form = StandardChangeForm
    list_display = ["name_es", "name_pt", "name_en", "code", "lines", "is_active", "position"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_es", "name_pt", "name_en"]
    ordering = ["position", "code"]
    fieldsets = [
        (None, {"fields": ["code", "is_active", "position", "product_lines", "parameters"]}),
        (_("Spanish"), {"fields": ["name_es", "description_es"]}),
        (_("Portuguese"), {"fields": ["name_pt", "description_pt"]}),
        (_("English"), {"fields": ["name_en", "description_en"]}),
    ]

    @admin.display(description=_("product lines"))
    def lines(self, obj: StandardChange) -> str:
        labels = dict(ProductLine.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.product_lines)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # requests refer to it: deactivate instead


class DeadlineFilter(admin.SimpleListFilter):
    title = _("analysis deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("today", _("Due today"))]

    def queryset(self, request, queryset):
        awaiting = queryset.filter(status__in=AWAITING_ANALYSIS)
        now = timezone.now()
        if self.value() == "overdue":
            return awaiting.filter(analysis_deadline__lt=now)
        if self.value() == "today":
            # "Today" in each customer's own timezone.
            zones = Customer.objects.filter(changes__in=awaiting).values_list("timezone", flat=True)
            due = Q(pk__in=[])
            for name in set(zones):
                zone = ZoneInfo(name)
                day = now.astimezone(zone).date()
                opens = datetime.combine(day, time(), tzinfo=zone)
                closes = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
                due |= Q(
                    customer__timezone=name,
                    analysis_deadline__gte=opens,
                    analysis_deadline__lt=closes,
                )
            return awaiting.filter(due)
        return queryset


class ChangeEventInline(ViewOnlyInline):
    model = ChangeEvent
    fields = ("created_at", "status", "message", "actor")
    readonly_fields = fields
    # Rows come from the buttons, which notify.


@admin.register(ChangeRequest)
class ChangeRequestAdmin(StaffActionMixin, admin.ModelAdmin):
    action_template = "admin/changes/action.html"
    action_select_related = ("customer", "change_type", "requested_by")
    change_form_template = "admin/changes/changerequest/change_form.html"
    list_display = [
        "number",
        "customer",
        "change",
        "services_count",
        "status",
        "deadline",
        "created_at",
    ]
    list_filter = [DeadlineFilter, "status", "customer", "change_type"]
    search_fields = [
        "number",
        "customer__display_name",
        "customer__legal_name",
        "services__service_id",
    ]
    list_select_related = ["customer", "change_type"]
    ordering = [F("analysis_deadline").asc(nulls_last=True), "id"]
    inlines = [ChangeEventInline]
    fields = (
        "number",
        "customer",
        "change",
        "services_list",
        "parameters_display",
        "description",
        "execution",
        "preset_window",
        "status",
        "deadline",
        "scheduled_slot",
        "rejection_reason",
        "routed_reason",
        "routed_to",
        "requested_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(services_total=Count("services", distinct=True))
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def has_add_permission(self, request) -> bool:
        return False  # customers submit them in the portal (R-CHG-5)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, context)

    # --- Columns and facts ------------------------------------------------------------------
    def _local(self, value, obj: ChangeRequest) -> str:
        if value is None:
            return "—"
        zone = obj.customer.timezone
        return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"

    @admin.display(description=_("change"))
    def change(self, obj: ChangeRequest) -> str:
        return (
            obj.change_type.name if obj.change_type is not None else gettext("Not in the catalog")
        )

    @admin.display(description=_("services"), ordering="services_total")
    def services_count(self, obj: ChangeRequest) -> int:
        return obj.services_total  # type: ignore[attr-defined]  # set by annotate()

    @admin.display(description=_("services"))
    def services_list(self, obj: ChangeRequest) -> str:
        return ", ".join(s.service_id for s in obj.services.order_by("service_id")) or "—"

    @admin.display(description=_("parameters"))
    def parameters_display(self, obj: ChangeRequest) -> str:
        labels = dict(obj.change_type.parameter_labels()) if obj.change_type is not None else {}
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in obj.parameters.items()) or "—"

    @admin.display(description=_("preset window"))
    def preset_window(self, obj: ChangeRequest) -> str:
        if obj.window_start is None:
            return "—"
        return f"{self._local(obj.window_start, obj)} – {self._local(obj.window_end, obj)}"

    @admin.display(description=_("execution slot"))
    def scheduled_slot(self, obj: ChangeRequest) -> str:
        if obj.scheduled_start is None:
            return "—"
        return f"{self._local(obj.scheduled_start, obj)} – {self._local(obj.scheduled_end, obj)}"

    @admin.display(description=_("analysis deadline"), ordering="analysis_deadline")
    def deadline(self, obj: ChangeRequest):
        text = self._local(obj.analysis_deadline, obj)
        overdue = (
            obj.status in AWAITING_ANALYSIS
            and obj.analysis_deadline is not None
            and obj.analysis_deadline < timezone.now()
        )
        if overdue:
            return format_html(
                '<strong class="change-overdue">{} · {}</strong>', text, gettext("overdue")
            )
        return text

    # --- Steps (R-CHG-4..6): each button calls the service, which notifies ------------------
    def get_urls(self):
        def view(function, suffix):
            return path(
                f"<int:change_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"changes_changerequest_{suffix}",
            )

        return [
            view(self.analysis_view, "analysis"),
            view(self.approve_view, "approve"),
            view(self.executed_view, "executed"),
            view(self.reject_view, "reject"),
            view(self.route_view, "route"),
        ] + super().get_urls()

    def _step(self, request, change_id, *, status, form_class, title, done):
        change = self.action_object(request, change_id)
        return self._action(
            request,
            change,
            form=form_class(request.POST if request.method == "POST" else None),
            title=title,
            perform=lambda data: change_request_progress(
                change=change, status=status, actor=request.user, message=data["message"]
            ),
            done=done,
        )

    def analysis_view(self, request, change_id: int):
        return self._step(
            request,
            change_id,
            status=ChangeRequest.Status.IN_ANALYSIS,
            form_class=NoteForm,
            title=gettext("Start the analysis"),
            done=gettext("In analysis; the customer is being notified."),
        )

    def executed_view(self, request, change_id: int):
        return self._step(
            request,
            change_id,
            status=ChangeRequest.Status.EXECUTED,
            form_class=NoteForm,
            title=gettext("Record the change as executed"),
            done=gettext("Executed; the customer is being notified."),
        )

    def reject_view(self, request, change_id: int):
        return self._step(
            request,
            change_id,
            status=ChangeRequest.Status.REJECTED,
            form_class=RejectForm,
            title=gettext("Reject the request"),
            done=gettext("Rejected; the customer is being notified."),
        )

    def approve_view(self, request, change_id: int):
        change = self.action_object(request, change_id)
        form = ApproveForm(
            request.POST if request.method == "POST" else None,
            customer_timezone=change.customer.timezone,
            window=(change.window_start, change.window_end),
        )
        return self._action(
            request,
            change,
            form=form,
            title=gettext("Approve with the execution slot"),
            perform=lambda data: change_request_progress(
                change=change,
                status=ChangeRequest.Status.APPROVED,
                actor=request.user,
                message=data["message"],
                scheduled_start=data["scheduled_start"],
                scheduled_end=data["scheduled_end"],
            ),
            done=gettext("Approved; the customer is being notified."),
        )

    def route_view(self, request, change_id: int):
        """R-CHG-6: to the service manager or account manager, on the requester's behalf."""
        change = self.action_object(request, change_id)
        membership = Membership.objects.filter(
            user=change.requested_by, customer=change.customer
        ).first() or Membership(user=change.requested_by, customer=change.customer)
        return self._action(
            request,
            change,
            form=RouteForm(request.POST if request.method == "POST" else None),
            title=gettext("Route to Service Management"),
            perform=lambda data: change_request_route(
                change=change,
                membership=membership,
                description=change.description,
                reason=data["reason"],
                actor=request.user,
            ),
            done=gettext("Routed to Service Management; the customer is being notified."),
        )
