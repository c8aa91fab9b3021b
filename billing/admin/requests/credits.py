"""Credits: a read-only list. They are issued from a request's "Issue a credit" page, never
edited here (evidence)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from billing.admin.requests.helpers import (
    admin_link,
    amount_text,
)
from billing.models import (
    Credit,
)
from core.admin.history import ReadOnlyAdminMixin

CREDIT_FIELDSET = (
    _("Credit request"),
    {"fields": ["ticket_link", "service_link", "outage_window"]},
)


@admin.register(Credit)
class CreditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Issued from a request's "Issue a credit" page; here only read (evidence)."""

    list_display = [
        "request_link",
        "customer",
        "invoice",
        "amount_display",
        "override",
        "issued_by",
        "issued_at",
    ]
    list_filter = ["override", "currency", "request__kind", "request__customer__country"]
    search_fields = [
        "request__number",
        "invoice__number",
        "request__customer__display_name",
        "request__customer__legal_name",
    ]
    list_select_related = ["request__customer", "invoice", "issued_by"]
    date_hierarchy = "issued_at"
    fields = (
        "request_link",
        "customer",
        "invoice_link",
        "amount_display",
        "override",
        "override_reason",
        "issued_by",
        "issued_at",
    )
    readonly_fields = fields

    @admin.display(description=_("customer"), ordering="request__customer__display_name")
    def customer(self, obj: Credit) -> str:
        return obj.request.customer.display_name

    @admin.display(description=_("billing request"), ordering="request__number")
    def request_link(self, obj: Credit) -> str:
        return admin_link("billing_billingrequest", obj.request, obj.request.number)

    @admin.display(description=_("applied to invoice"))
    def invoice_link(self, obj: Credit) -> str:
        return admin_link("billing_invoice", obj.invoice, obj.invoice.number)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj: Credit) -> str:
        return amount_text(obj.amount, obj.currency, obj.request.customer)
