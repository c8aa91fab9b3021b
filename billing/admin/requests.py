from django.contrib import admin

from billing.models import BillingRequest

admin.site.register(BillingRequest)
