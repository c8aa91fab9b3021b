"""Billing Customer Care's side of billing-data changes (R-BIL-2, R-BIL-4) and PO / HES / MIGO
requests (R-BIL-3): queues filtered by status, first invoice and customer, and one button per
step, each calling billing.services. The Billing group acts; the other staff groups only look."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.admin.actions import posted
from billing.models import BillingDataChange, PurchaseOrderRequest
from core.admin.actions import StaffActionMixin
from core.lib.downloads import private_download


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReasonForm(forms.Form):
    answer = forms.CharField(
        label=_("Reason, for the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, for the customer.")},
    )


class _ReadOnlyQueue(StaffActionMixin, admin.ModelAdmin):
    """Rows come from the portal and change only through the buttons, which notify."""

    action_template = "admin/billing/data_action.html"
    action_select_related = ("customer", "requested_by")
    list_select_related = ["customer"]
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, context)

    def _step(self, request, object_id, *, step, form_class, title, done, perform):
        """`step` names the page ("apply", "reject", "done"): its template explains that step
        only (what applying does is not said on the reject page)."""
        obj = self.action_object(request, object_id)
        response = self._action(
            request,
            obj,
            form=form_class(posted(request)),
            title=title,
            perform=lambda data: perform(obj, data["answer"]),
            done=done,
        )
        if isinstance(response, TemplateResponse):
            response.context_data["step"] = step
        return response

    def handle_row(self, row, *, staff, status: str, answer: str):
        """The queue's service that handles a row (billing.services, one per queue)."""
        raise NotImplementedError

    def _handle_view(self, request, object_id, *, step: str, status: str, title, done):
        """Both buttons of a queue: the step that does the work, where a message to the customer
        is optional, and rejecting, where a reason is required."""
        rejecting = status == self.model.Status.REJECTED
        return self._step(
            request,
            object_id,
            step=step,
            form_class=ReasonForm if rejecting else AnswerForm,
            title=title,
            done=done,
            perform=lambda row, answer: self.handle_row(
                row, staff=request.user, status=status, answer=answer
            ),
        )

    def _urls(self, *views):
        opts = self.model._meta
        return [
            path(
                f"<int:object_id>/{suffix}/",
                self.admin_site.admin_view(view),
                name=f"{opts.app_label}_{opts.model_name}_{suffix}",
            )
            for view, suffix in views
        ]


# --- billing-data changes (R-BIL-2, R-BIL-4) --------------------------------------------------


class TargetPeriodFilter(admin.SimpleListFilter):
    """R-BIL-4: the invoice a change first applies to, by month."""

    title = _("first invoice")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        periods = (
            BillingDataChange.objects.order_by("-target_period")
            .values_list("target_period", flat=True)
            .distinct()
        )
        return [(f"{period:%Y-%m}", date_format(period, "YEAR_MONTH_FORMAT")) for period in periods]

    def queryset(self, request, queryset):
        value = self.value() or ""
        year, _dash, month = value.partition("-")
        if year.isdigit() and month.isdigit():
            return queryset.filter(target_period__year=int(year), target_period__month=int(month))
        return queryset


@admin.register(BillingDataChange)
class BillingDataChangeAdmin(_ReadOnlyQueue):
    change_form_template = "admin/billing/data_change_form.html"
    list_display = [
        "number",
        "customer",
        "what",
        "requested_on",
        "first_invoice",
        "status",
        "created_at",
    ]
    list_filter = ["status", TargetPeriodFilter, "customer"]
    search_fields = [
        "number",
        "customer__display_name",
        "customer__legal_name",
        "company_name",
        "tax_id",
    ]
    ordering = ["-created_at", "-id"]
    fields = [
        "number",
        "customer",
        "current_data",
        *BillingDataChange.CHANGEABLE,
        "comment",
        "requested_on",
        "first_invoice",
        "status",
        "staff_answer",
        "requested_by",
        "created_at",
        "handled_at",
    ]

    @admin.display(description=_("what changes"))
    def what(self, obj: BillingDataChange) -> str:
        return ", ".join(str(label) for label, _value in obj.changed_fields()) or "—"

    @admin.display(description=_("first invoice"), ordering="target_period")
    def first_invoice(self, obj: BillingDataChange) -> str:
        return date_format(obj.target_period, "YEAR_MONTH_FORMAT")

    @admin.display(description=_("customer's data now"))
    def current_data(self, obj: BillingDataChange) -> str:
        customer = obj.customer
        return format_html(
            "{} · {} {}", customer.legal_name, gettext("tax id"), customer.tax_id or "—"
        )

    def action_context(self, obj: BillingDataChange) -> dict:
        return {"changed_fields": obj.changed_fields(), "first_invoice": self.first_invoice(obj)}

    def get_urls(self):
        return (
            self._urls((self.apply_view, "apply"), (self.reject_view, "reject"))
            + super().get_urls()
        )

    def handle_row(self, row, *, staff, status: str, answer: str):
        return services.billing_data_change_handle(
            change=row, staff=staff, status=status, answer=answer
        )

    def apply_view(self, request, object_id: int):
        """Applied: the new company name and tax id become the customer's."""
        return self._handle_view(
            request,
            object_id,
            step="apply",
            status=BillingDataChange.Status.APPLIED,
            title=gettext("Apply the change"),
            done=gettext("Applied; the customer is being notified."),
        )

    def reject_view(self, request, object_id: int):
        return self._handle_view(
            request,
            object_id,
            step="reject",
            status=BillingDataChange.Status.REJECTED,
            title=gettext("Reject the change"),
            done=gettext("Rejected; the customer is being notified."),
        )


# --- PO / HES / MIGO requests (R-BIL-3) -------------------------------------------------------


@admin.register(PurchaseOrderRequest)
class PurchaseOrderRequestAdmin(_ReadOnlyQueue):
    change_form_template = "admin/billing/po_change_form.html"
    list_display = ["number", "customer", "kind", "reference", "routed_to", "status", "created_at"]
    list_filter = ["status", "kind", "customer"]
    search_fields = ["number", "reference", "customer__display_name", "customer__legal_name"]
    ordering = ["-created_at", "-id"]
    fields = [
        "number",
        "customer",
        "kind",
        "reference",
        "invoice_numbers",
        "from_period_month",
        "comment",
        "support_download",
        "routed_to",
        "status",
        "staff_answer",
        "requested_by",
        "created_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("invoices")

    @admin.display(description=_("invoices"))
    def invoice_numbers(self, obj: PurchaseOrderRequest) -> str:
        return ", ".join(invoice.number for invoice in obj.invoices.all()) or "—"

    @admin.display(description=_("from the invoice of"))
    def from_period_month(self, obj: PurchaseOrderRequest) -> str:
        return date_format(obj.from_period, "YEAR_MONTH_FORMAT") if obj.from_period else "—"

    @admin.display(description=_("contract support"))
    def support_download(self, obj: PurchaseOrderRequest) -> str:
        if not obj.pk or not obj.support:
            return "—"
        return format_html(
            '<a href="{}" data-testid="po-support">{}</a> <span class="quiet">({})</span>',
            reverse("admin:billing_purchaseorderrequest_support", args=[obj.pk]),
            obj.support_name,
            obj.support_type,
        )

    def action_context(self, obj: PurchaseOrderRequest) -> dict:
        return {"po_invoices": self.invoice_numbers(obj), "po_from": self.from_period_month(obj)}

    def get_urls(self):
        urls = self._urls(
            (self.done_view, "done"), (self.reject_view, "reject"), (self.support_view, "support")
        )
        return urls + super().get_urls()

    def handle_row(self, row, *, staff, status: str, answer: str):
        return services.po_request_handle(po=row, staff=staff, status=status, answer=answer)

    def done_view(self, request, object_id: int):
        return self._handle_view(
            request,
            object_id,
            step="done",
            status=PurchaseOrderRequest.Status.DONE,
            title=gettext("Mark as done"),
            done=gettext("Done; the customer is being notified."),
        )

    def reject_view(self, request, object_id: int):
        return self._handle_view(
            request,
            object_id,
            step="reject",
            status=PurchaseOrderRequest.Status.REJECTED,
            title=gettext("Reject the request"),
            done=gettext("Rejected; the customer is being notified."),
        )

    def support_view(self, request, object_id: int):
        """Staff download: permission-checked, always as a download, never cached."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        po = get_object_or_404(PurchaseOrderRequest, pk=object_id)
        return private_download(po.support, filename=po.support_name, content_type=po.support_type)
