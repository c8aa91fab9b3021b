"""Billing Customer Care's side (R-TEAM-5): invoices and their import, requests with their
answers and credits, billing-data changes and PO / HES / MIGO requests."""

from django.contrib import admin

from billing.models import (
    BillingDataChange,
    BillingRequest,
    Invoice,
    PurchaseOrderRequest,
)

admin.site.register(Invoice)
admin.site.register(BillingRequest)
admin.site.register(BillingDataChange)
admin.site.register(PurchaseOrderRequest)
