"""Billing Customer Care's side of inquiries, disputes and credit requests (R-BIL-1): the admin
in `admin`, its list filters, action-page forms, inlines and display helpers beside it."""

from billing.admin.requests.admin import BillingRequestAdmin
from billing.admin.requests.credits import CreditAdmin

__all__ = ["BillingRequestAdmin", "CreditAdmin"]
