from django.contrib import admin

from billing.models import BillingDataChange, PurchaseOrderRequest

admin.site.register(BillingDataChange)
admin.site.register(PurchaseOrderRequest)
