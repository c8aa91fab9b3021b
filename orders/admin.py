"""Staff triage of orders: create them, record each touchpoint with what it carries (R-ORD-1),
record the first invoice (R-ORD-3), cancel. Every write goes through orders.services."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.actions import StaffActionMixin
from core.admin.inlines import ReadOnlyInline
from core.models import Membership, Service
from orders.forms import CancelForm, FirstInvoiceForm, TouchpointForm
from orders.models import Order, OrderEvent, Step, Touchpoint
from orders.services import (
    first_invoice_record,
    installation_reminder_due_at,
    order_cancel,
    order_create,
    touchpoint_record,
)


class OverdueFilter(admin.SimpleListFilter):
    title = _("estimated activation")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Passed, not activated"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status__in=Order.OPEN_STATUSES, estimated_activation_on__lt=timezone.localdate()
            )
        return queryset


class TouchpointInline(ReadOnlyInline):
    model = Touchpoint
    fields = ("step", "recorded_at", "recorded_by", "automatic", "summary", "answered_at")
    readonly_fields = fields
    # Rows come from "Record TPn", which checks the order and notifies.
    ordering = ["step"]

    @admin.display(description=_("what it carried"))
    def summary(self, obj: Touchpoint) -> str:
        parts = [
            "; ".join(obj.details_requested),
            obj.estimated_activation_on and obj.estimated_activation_on.isoformat(),
            obj.installation_on and obj.installation_on.isoformat(),
            obj.site_preparation,
            obj.activation_start
            and f"{obj.activation_start:%Y-%m-%d %H:%M} - {obj.activation_end:%Y-%m-%d %H:%M} UTC",
            obj.activated_on and obj.activated_on.isoformat(),
            obj.message,
        ]
        return " · ".join(part for part in parts if part)[:300]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "step", "actor", "detail")
    readonly_fields = fields


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = [
            "customer",
            "product_line",
            "title",
            "description",
            "services",
            "requester",
            "care_manager",
            "received_on",
            "installation_on",
            "site_preparation",
        ]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer") or getattr(self.instance, "customer", None)
        if customer is None:
            return cleaned
        services = cleaned.get("services") or []
        foreign = [s.service_id for s in services if s.customer_id != customer.pk]
        if foreign:
            self.add_error(
                "services",
                gettext("Not services of this customer: %(ids)s") % {"ids": ", ".join(foreign)},
            )
        requester = cleaned.get("requester")
        if requester and not Membership.objects.filter(user=requester, customer=customer).exists():
            self.add_error("requester", gettext("Not a portal user of this customer."))
        return cleaned


@admin.register(Order)
class OrderAdmin(StaffActionMixin, admin.ModelAdmin):
    action_template = "admin/orders/order/action.html"
    form = OrderAdminForm
    list_display = [
        "number",
        "customer",
        "title",
        "status",
        "progress",
        "care_manager",
        "received_on",
        "estimated_activation_on",
        "installation_on",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        "care_manager",
        "product_line",
        "customer__country",
    ]
    search_fields = ["number", "title", "customer__display_name", "services__service_id"]
    list_select_related = ["customer", "care_manager"]
    autocomplete_fields = ["customer", "services", "requester", "care_manager"]
    date_hierarchy = "received_on"
    inlines = [TouchpointInline, OrderEventInline]
    change_form_template = "admin/orders/order/change_form.html"
    readonly_fields = [
        "number",
        "status",
        "last_step",
        "estimated_activation_on",
        "activation_start",
        "activation_end",
        "activated_on",
        "first_invoice_on",
        "cancel_reason",
        "installation_reminder",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "customer",
                    "number",
                    "status",
                    "last_step",
                    "product_line",
                    "title",
                    "description",
                    "services",
                    "requester",
                    "care_manager",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    "received_on",
                    "estimated_activation_on",
                    "installation_on",
                    "installation_reminder",
                    "site_preparation",
                    "activation_start",
                    "activation_end",
                    "activated_on",
                    "first_invoice_on",
                    "cancel_reason",
                ]
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["customer", "product_line", "received_on"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "services":
            kwargs["queryset"] = Service.objects.select_related("customer")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("progress"))
    def progress(self, obj: Order) -> str:
        done = obj.last_step or 0
        following = obj.next_step
        if following is None:
            return f"{done}/6"
        return f"{done}/6 · {gettext('next')}: TP{int(following)}"

    @admin.display(description=_("TP4 goes out by itself at"))
    def installation_reminder(self, obj: Order) -> str:
        if obj.pk is None or (obj.last_step or 0) >= Step.INSTALLATION_REMINDER:
            return "—"
        due = installation_reminder_due_at(obj)
        if due is None:
            return gettext("Set the installation date")
        return f"{due:%Y-%m-%d %H:%M} ({obj.customer.timezone})"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "installation_on" in form.changed_data and obj.installation_on:
                # The customer's timeline says when the installation day was fixed or moved.
                OrderEvent.objects.create(
                    order=obj,
                    kind=OrderEvent.Kind.INSTALLATION_DATE,
                    detail=obj.installation_on.isoformat(),
                    actor=request.user,
                )
            return
        data = form.cleaned_data
        order = order_create(
            customer=data["customer"],
            product_line=data["product_line"],
            title=data["title"],
            description=data.get("description", ""),
            services=list(data.get("services") or []),
            requester=data.get("requester"),
            care_manager=data.get("care_manager"),
            received_on=data.get("received_on"),
            actor=request.user,
        )
        Order.objects.filter(pk=order.pk).update(
            installation_on=data.get("installation_on"),
            site_preparation=data.get("site_preparation", ""),
        )
        obj.pk, obj.number, obj.reference = order.pk, order.number, order.reference
        obj.created_at = order.created_at
        obj._state.adding = False

    # --- Record a touchpoint, the first invoice, a cancellation --------------------------------
    def get_urls(self):
        def view(function, suffix, name):
            return path(
                f"<int:order_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"orders_order_{name}",
            )

        return [
            view(self.touchpoint_view, "touchpoint", "touchpoint"),
            view(self.first_invoice_view, "first-invoice", "first_invoice"),
            view(self.cancel_view, "cancel", "cancel"),
        ] + super().get_urls()

    def touchpoint_view(self, request, order_id: int):
        order = self.action_object(request, order_id)
        step = order.next_step
        if step is None:
            messages.error(request, gettext("This order has no touchpoint left to record."))
            return redirect(reverse("admin:orders_order_change", args=[order.pk]))

        def perform(data):
            values = {name: value for name, value in data.items() if value not in (None, "")}
            touchpoint_record(order=order, step=step, actor=request.user, **values)

        return self._action(
            request,
            order,
            form=TouchpointForm(request.POST or None, order=order, step=step),
            title=gettext("Record TP%(step)s: %(label)s")
            % {"step": int(step), "label": step.label},
            perform=perform,
            done=gettext("TP%(step)s recorded; the customer's contacts are being notified.")
            % {"step": int(step)},
        )

    def first_invoice_view(self, request, order_id: int):
        order = self.action_object(request, order_id)
        return self._action(
            request,
            order,
            form=FirstInvoiceForm(request.POST or None),
            title=gettext("Record the first invoice"),
            perform=lambda data: first_invoice_record(
                order=order, invoiced_on=data["first_invoice_on"], actor=request.user
            ),
            done=gettext("Order closed at its first invoice."),
        )

    def cancel_view(self, request, order_id: int):
        order = self.action_object(request, order_id)
        return self._action(
            request,
            order,
            form=CancelForm(request.POST or None),
            title=gettext("Cancel the order"),
            perform=lambda data: order_cancel(
                order=order, reason=data["cancel_reason"], actor=request.user
            ),
            done=gettext("Order cancelled."),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # orders are cancelled, never deleted: their e-mails refer to them
